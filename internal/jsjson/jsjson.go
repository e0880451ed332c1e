// Package jsjson writes JSON the way JavaScript's JSON.stringify does, for
// host code that must produce byte-identical output to Node.
package jsjson

import "unicode/utf8"

const jsonHex = "0123456789abcdef"

// AppendString quotes s as JSON.stringify does: only '"', '\\' and control
// characters are escaped, and lone surrogates (kept as WTF-8) become \uXXXX.
func AppendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			i++
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 && isWTF8Surrogate(s[i:]) {
				buf = append(buf, s[start:i]...)
				unit := rune(s[i]&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
				buf = append(buf, '\\', 'u', jsonHex[unit>>12&0xF], jsonHex[unit>>8&0xF], jsonHex[unit>>4&0xF], jsonHex[unit&0xF])
				i += 3
				start = i
				continue
			}
			i += size
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xF])
		}
		i++
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

func isWTF8Surrogate(s string) bool {
	return len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF
}
