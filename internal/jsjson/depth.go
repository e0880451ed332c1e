package jsjson

// DepthExceeds reports whether the JSON text s nests arrays and objects more
// than limit levels deep. It only counts brackets outside strings, so it
// answers for invalid JSON too: a parser given s fails on its own terms
// unless this says the nesting alone is too deep. One pass, no allocation.
func DepthExceeds(s string, limit int) bool {
	depth, inString := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > limit {
				return true
			}
		case ']', '}':
			depth--
		}
	}
	return false
}
