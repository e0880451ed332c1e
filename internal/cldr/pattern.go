package cldr

import "strings"

// token is a date pattern field (letter repeated width times) or literal
// text.
type token struct {
	letter rune
	width  int
	lit    string
}

// parsePattern reads an LDML date pattern: letters repeat for width, text
// in single quotes is literal and a doubled single quote is one quote.
func parsePattern(p string) []token {
	var out []token
	addLit := func(s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].letter == 0 {
			out[n-1].lit += s
			return
		}
		out = append(out, token{lit: s})
	}
	runes := []rune(p)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == '\'':
			if i+1 < len(runes) && runes[i+1] == '\'' {
				addLit("'")
				i++
				continue
			}
			var b strings.Builder
			j := i + 1
			for ; j < len(runes); j++ {
				if runes[j] == '\'' {
					if j+1 < len(runes) && runes[j+1] == '\'' {
						b.WriteRune('\'')
						j++
						continue
					}
					break
				}
				b.WriteRune(runes[j])
			}
			addLit(b.String())
			i = j
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			j := i
			for j < len(runes) && runes[j] == r {
				j++
			}
			out = append(out, token{letter: r, width: j - i})
			i = j - 1
		default:
			addLit(string(r))
		}
	}
	return out
}

// patternString writes tokens back as a pattern (for combining with
// dateTimeFormat glue and for debugging).
func patternString(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		if t.letter != 0 {
			b.WriteString(strings.Repeat(string(t.letter), t.width))
			continue
		}
		if strings.ContainsFunc(t.lit, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '\'' }) {
			b.WriteString("'" + strings.ReplaceAll(t.lit, "'", "''") + "'")
		} else {
			b.WriteString(t.lit)
		}
	}
	return b.String()
}

// Date fields in ICU's DateTimePatternGenerator order.
const (
	fEra = iota
	fYear
	fQuarter
	fMonth
	fWeekOfYear
	fWeekOfMonth
	fWeekday
	fDayOfYear
	fDayOfWeekInMonth
	fDay
	fDayPeriod
	fHour
	fMinute
	fSecond
	fFractionalSecond
	fZone
	fieldCount
)

const dateMask = 1<<fDayPeriod - 1

func fieldOf(c rune) int {
	switch c {
	case 'G':
		return fEra
	case 'y', 'Y', 'u', 'U', 'r':
		return fYear
	case 'Q', 'q':
		return fQuarter
	case 'M', 'L':
		return fMonth
	case 'w':
		return fWeekOfYear
	case 'W':
		return fWeekOfMonth
	case 'E', 'c', 'e':
		return fWeekday
	case 'D':
		return fDayOfYear
	case 'F':
		return fDayOfWeekInMonth
	case 'd', 'g':
		return fDay
	case 'a', 'b', 'B':
		return fDayPeriod
	case 'h', 'H', 'k', 'K':
		return fHour
	case 'm':
		return fMinute
	case 's':
		return fSecond
	case 'S', 'A':
		return fFractionalSecond
	case 'z', 'Z', 'O', 'v', 'V', 'X', 'x':
		return fZone
	}
	return -1
}

// fieldType is ICU's type value of a field: positive for numeric forms
// (plus the width), negative for text forms; the distance between two
// values ranks how well one form stands in for the other.
func fieldType(c rune, n int) int {
	const (
		numeric = 0x100
		delta   = 0x10
		narrow  = -0x101
		shorter = -0x102
		short   = -0x103
		long    = -0x104
	)
	text := func(base int) int {
		switch {
		case n <= 3:
			return short + base
		case n == 4:
			return long + base
		case n == 5:
			return narrow + base
		}
		return shorter + base
	}
	num := func(base int) int { return numeric + base + n }
	switch c {
	case 'G', 'U', 'E', 'a':
		return text(0)
	case 'y', 'd', 'D', 'F', 'w', 'W', 'h', 'm', 's', 'S':
		return num(0)
	case 'Y', 'g', 'K', 'A':
		return num(delta)
	case 'u':
		return num(2 * delta)
	case 'r':
		return num(3 * delta)
	case 'M', 'Q':
		if n <= 2 {
			return num(0)
		}
		return text(0)
	case 'L', 'q', 'e':
		if n <= 2 {
			return num(delta)
		}
		return text(-delta)
	case 'c':
		if n <= 2 {
			return num(2 * delta)
		}
		return text(-2 * delta)
	case 'b':
		return text(-delta)
	case 'B':
		return text(-3 * delta)
	case 'H':
		return num(10 * delta)
	case 'k':
		return num(11 * delta)
	case 'z':
		if n < 4 {
			return short
		}
		return long
	case 'Z':
		switch {
		case n <= 3:
			return narrow - delta
		case n == 4:
			return long - delta
		}
		return short - delta
	case 'O', 'v':
		if n < 4 {
			return short - 2*delta
		}
		return long - 2*delta
	case 'V':
		return short - delta
	case 'X', 'x':
		return narrow - 3*delta
	}
	return 0
}

// skeleton is the set of fields a pattern or request has.
type skeleton struct {
	char [fieldCount]rune
	n    [fieldCount]int
	typ  [fieldCount]int
}

func (s *skeleton) set(c rune, n int) {
	f := fieldOf(c)
	if f < 0 {
		return
	}
	s.char[f], s.n[f], s.typ[f] = c, n, fieldType(c, n)
}

// normalize applies ICU's day period rule: a 12-hour clock implies a day
// period, a 24-hour clock has none.
func (s *skeleton) normalize() {
	switch s.char[fHour] {
	case 'h', 'K':
		if s.char[fDayPeriod] == 0 {
			s.set('a', 1)
		}
	case 'H', 'k':
		s.char[fDayPeriod], s.n[fDayPeriod], s.typ[fDayPeriod] = 0, 0, 0
	}
}

func skeletonOf(toks []token) skeleton {
	var s skeleton
	for _, t := range toks {
		if t.letter != 0 {
			s.set(t.letter, t.width)
		}
	}
	s.normalize()
	return s
}

func skeletonFromString(k string) skeleton {
	return skeletonOf(parsePattern(k))
}

func (s *skeleton) mask() int {
	m := 0
	for i := 0; i < fieldCount; i++ {
		if s.char[i] != 0 {
			m |= 1 << i
		}
	}
	return m
}

// base identifies a skeleton regardless of numeric widths (as ICU's base
// skeleton does), so yMd from a style and from availableFormats conflict.
func (s *skeleton) base() string {
	var b strings.Builder
	for i := 0; i < fieldCount; i++ {
		if s.char[i] == 0 {
			continue
		}
		n := s.n[i]
		if s.typ[i] > 0 {
			n = 1
		} else if n < 3 {
			n = 3
		}
		b.WriteString(strings.Repeat(string(s.char[i]), n))
	}
	return b.String()
}

const (
	extraField   = 0x10000
	missingField = 0x1000
)

// distance ranks how well the available skeleton a serves the request
// (restricted to the fields in include); missing and extra are masks.
func (s *skeleton) distance(a *skeleton, include int) (dist, missing, extra int) {
	for i := 0; i < fieldCount; i++ {
		my := 0
		if include&(1<<i) != 0 {
			my = s.typ[i]
		}
		other := a.typ[i]
		switch {
		case my == other:
		case my == 0:
			dist += extraField
			extra |= 1 << i
		case other == 0:
			dist += missingField
			missing |= 1 << i
		default:
			d := my - other
			if d < 0 {
				d = -d
			}
			dist += d
		}
	}
	return dist, missing, extra
}
