package capture

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrLZString is wrapped by every error of DecompressLZ64.
var ErrLZString = errors.New("invalid lz-string data")

// lzBase64Value maps the characters of lz-string's base64 alphabet to their
// six-bit values; -1 marks characters outside it. The padding character '='
// has no bits of its own (lz-string gives it 64, whose low six bits are 0).
var lzBase64Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	t['='] = 0
	// A '+' that went through form decoding without escaping arrives as ' '.
	t[' '] = t['+']
	return t
}()

// lzBitReader reads the bit stream of lz-string's base64 output: six bits per
// character, most significant first, each value assembled least significant
// bit first. Past the end of the input it reads zeros, as the reference
// implementation does; the decoder notices by checking index.
type lzBitReader struct {
	in    string
	index int // index of the next character to load
	val   int // bits of the current character
	pos   int // mask of the next bit in val
	err   error
}

func (r *lzBitReader) load() {
	r.val, r.pos = 0, 32
	if r.index < len(r.in) {
		v := lzBase64Value[r.in[r.index]]
		if v < 0 && r.err == nil {
			r.err = fmt.Errorf("%w: unexpected character %q at offset %d", ErrLZString, r.in[r.index], r.index)
		}
		if v > 0 {
			r.val = int(v)
		}
	}
	r.index++
}

func (r *lzBitReader) bits(n int) (int, error) {
	out := 0
	for i := 0; i < n; i++ {
		if r.val&r.pos != 0 {
			out |= 1 << i
		}
		r.pos >>= 1
		if r.pos == 0 {
			r.load()
		}
	}
	return out, r.err
}

// DecompressLZ64 decodes a string produced by lz-string's compressToBase64
// (what posthog-js sends with compression=lz64) into UTF-8. maxUnits bounds
// the output in UTF-16 code units, since a small input can expand
// quadratically; 0 means no bound.
func DecompressLZ64(in string, maxUnits int) ([]byte, error) {
	if in == "" {
		return nil, fmt.Errorf("%w: empty input", ErrLZString)
	}
	r := &lzBitReader{in: in}
	r.load()

	// Entries 0-2 stand for the three control codes and are never used as
	// strings.
	dict := make([][]uint16, 3, 256)
	numBits, enlargeIn := 3, 4

	readChar := func(width int) ([]uint16, error) {
		c, err := r.bits(width)
		if err != nil {
			return nil, err
		}
		return []uint16{uint16(c)}, nil
	}

	first, err := r.bits(2)
	if err != nil {
		return nil, err
	}
	var w []uint16
	switch first {
	case 0:
		w, err = readChar(8)
	case 1:
		w, err = readChar(16)
	case 2:
		return []byte{}, nil
	default:
		return nil, fmt.Errorf("%w: bad first token %d", ErrLZString, first)
	}
	if err != nil {
		return nil, err
	}
	dict = append(dict, w)
	out := append([]uint16(nil), w...)

	for {
		if r.index > len(r.in) {
			return nil, fmt.Errorf("%w: truncated input", ErrLZString)
		}
		if numBits > 30 {
			return nil, fmt.Errorf("%w: dictionary too large", ErrLZString)
		}
		c, err := r.bits(numBits)
		if err != nil {
			return nil, err
		}
		switch c {
		case 0, 1:
			width := 8
			if c == 1 {
				width = 16
			}
			ch, err := readChar(width)
			if err != nil {
				return nil, err
			}
			dict = append(dict, ch)
			c = len(dict) - 1
			enlargeIn--
		case 2:
			return utf16ToUTF8(out), nil
		}
		if enlargeIn == 0 {
			enlargeIn = 1 << numBits
			numBits++
		}

		var entry []uint16
		switch {
		case c < len(dict) && c >= 3:
			entry = dict[c]
		case c == len(dict):
			entry = make([]uint16, len(w)+1)
			copy(entry, w)
			entry[len(w)] = w[0]
		default:
			return nil, fmt.Errorf("%w: reference %d outside the dictionary", ErrLZString, c)
		}
		if maxUnits > 0 && len(out)+len(entry) > maxUnits {
			return nil, fmt.Errorf("%w: output larger than %d characters", ErrLZString, maxUnits)
		}
		out = append(out, entry...)

		next := make([]uint16, len(w)+1)
		copy(next, w)
		next[len(w)] = entry[0]
		dict = append(dict, next)
		enlargeIn--
		w = entry

		if enlargeIn == 0 {
			enlargeIn = 1 << numBits
			numBits++
		}
	}
}

// utf16ToUTF8 converts UTF-16 code units to UTF-8; unpaired surrogates
// become U+FFFD, as they would in a JavaScript TextEncoder.
func utf16ToUTF8(units []uint16) []byte {
	runes := utf16.Decode(units)
	buf := make([]byte, 0, len(runes))
	for _, r := range runes {
		buf = utf8.AppendRune(buf, r)
	}
	return buf
}
