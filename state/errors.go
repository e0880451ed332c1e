package state

import (
	"errors"
	"strings"
)

// Errors that every backend returns for the same condition. Their messages are
// Redis' own replies, word for word, because that is what plugins written for
// the original plugin server saw; compare them with errors.Is.
var (
	// ErrWrongType: a list operation on a string or a string operation on a list.
	ErrWrongType = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")
	// ErrNotInteger: Incr/IncrBy on a value that is not a base-10 64-bit integer.
	ErrNotInteger = errors.New("ERR value is not an integer or out of range")
	// ErrOverflow: Incr/IncrBy would leave the int64 range.
	ErrOverflow = errors.New("ERR increment or decrement would overflow")
)

var (
	// ErrClosed is returned by calls made after a backend was closed.
	ErrClosed = errors.New("state backend is closed")
	// ErrUnavailable matches (errors.Is) the error of a call that failed because
	// the backend could not be reached; the call may succeed when retried later.
	ErrUnavailable = errors.New("state backend unavailable")
)

// Less common Redis replies that are not worth a sentinel; the memory backend
// returns the same text as Redis.
var (
	errSetExpire    = errors.New("ERR invalid expire time in 'set' command")
	errLPushArgs    = errors.New("ERR wrong number of arguments for 'lpush' command")
	errNegativeLPop = errors.New("ERR value is out of range, must be positive")
)

// knownReplyError maps a Redis error reply to the sentinel with the same text,
// so that errors.Is works the same way for every backend.
func knownReplyError(err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "WRONGTYPE"):
		return ErrWrongType
	case msg == ErrNotInteger.Error():
		return ErrNotInteger
	case msg == ErrOverflow.Error():
		return ErrOverflow
	}
	return err
}

// parseInt parses s the way Redis' string2ll does for INCR: an optional minus
// sign, then digits without leading zeros ("0" alone is fine), no spaces, no
// plus sign, within the int64 range.
func parseInt(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	if s == "" || len(s) > 20 {
		return 0, false
	}
	neg := false
	p := s
	if p[0] == '-' {
		neg = true
		p = p[1:]
		if p == "" {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v-1) - 1, true // -(v) without overflowing at MinInt64
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// addInt64 returns n+by, or ErrOverflow when the sum leaves the int64 range.
func addInt64(n, by int64) (int64, error) {
	sum := n + by
	if (by > 0 && sum < n) || (by < 0 && sum > n) {
		return 0, ErrOverflow
	}
	return sum, nil
}
