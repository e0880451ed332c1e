package capture

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// uuidState keeps UUIDv7 values generated in one millisecond increasing, as
// RFC 9562 §6.2 method 1 describes: a 12-bit counter in rand_a.
var uuidState struct {
	sync.Mutex
	ms  int64
	seq uint16
}

// NewUUIDv7 returns a random, time-ordered UUID (RFC 9562 version 7) in its
// canonical lower-case text form.
func NewUUIDv7() string {
	return newUUIDv7At(time.Now())
}

func newUUIDv7At(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:])

	ms := now.UnixMilli()
	uuidState.Lock()
	if ms <= uuidState.ms {
		ms = uuidState.ms
		uuidState.seq++
		if uuidState.seq > 0xfff {
			// The counter ran out: borrow the next millisecond.
			ms++
			uuidState.seq = 0
		}
	} else {
		uuidState.seq = binary.BigEndian.Uint16(b[6:8]) & 0x3ff
	}
	uuidState.ms = ms
	seq := uuidState.seq
	uuidState.Unlock()

	b[0] = byte(ms >> 40)
	b[1] = byte(ms >> 32)
	b[2] = byte(ms >> 24)
	b[3] = byte(ms >> 16)
	b[4] = byte(ms >> 8)
	b[5] = byte(ms)
	b[6] = 0x70 | byte(seq>>8)
	b[7] = byte(seq)
	b[8] = 0x80 | b[8]&0x3f
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	buf := make([]byte, 36)
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf[j] = '-'
			j++
		}
		buf[j] = hexDigits[c>>4]
		buf[j+1] = hexDigits[c&0xf]
		j += 2
	}
	return string(buf)
}

// ValidUUID reports whether s is a UUID in the 8-4-4-4-12 hexadecimal form
// (either case), which is what PostHog accepts for an event's uuid.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
