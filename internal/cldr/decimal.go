package cldr

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// decimal is an exact decimal number: digits (no leading zeros; empty for
// zero) with the decimal point intLen digits from the left, so "12345"
// with intLen 2 is 12.345 and with intLen -1 is 0.012345. Numbers are
// formatted from their shortest round-tripping digits, as ICU does.
type decimal struct {
	neg    bool
	digits string
	intLen int
}

func decimalFromFloat(x float64) decimal {
	d := decimal{neg: math.Signbit(x)}
	x = math.Abs(x)
	if x == 0 {
		return d
	}
	s := strconv.FormatFloat(x, 'e', -1, 64) // "1.2345e+03"
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	d.digits = strings.Replace(mant, ".", "", 1)
	d.intLen = e + 1
	return d.trim()
}

// decimalFromString reads a plain or exponent decimal string ("-12.5",
// "1e21"), as Intl formats strings and BigInts exactly.
func decimalFromString(s string) (decimal, bool) {
	var d decimal
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return d, false
		}
		exp, s = e, s[:i]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" || ip != "" && !isDigits(ip) || fp != "" && !isDigits(fp) {
		return d, false
	}
	d.digits = ip + fp
	d.intLen = len(ip) + exp
	return d.trim(), true
}

// trim drops leading and trailing zeros.
func (d decimal) trim() decimal {
	lead := len(d.digits) - len(strings.TrimLeft(d.digits, "0"))
	d.digits = d.digits[lead:]
	d.intLen -= lead
	d.digits = strings.TrimRight(d.digits, "0")
	if d.digits == "" {
		d.intLen = 0
	}
	return d
}

func (d decimal) isZero() bool { return d.digits == "" }

// magnitude is the power of ten of the first digit (0 for zero).
func (d decimal) magnitude() int {
	if d.isZero() {
		return 0
	}
	return d.intLen - 1
}

// shift multiplies by 10^n.
func (d decimal) shift(n int) decimal {
	if !d.isZero() {
		d.intLen += n
	}
	return d
}

// digit returns the digit at power of ten p.
func (d decimal) digit(p int) byte {
	i := d.intLen - 1 - p
	if i < 0 || i >= len(d.digits) {
		return 0
	}
	return d.digits[i] - '0'
}

// roundAt rounds to a multiple of 10^p with an ECMA-402 rounding mode.
func (d decimal) roundAt(p int, mode string) decimal {
	keep := d.intLen - p // digits kept
	if keep >= len(d.digits) {
		return d
	}
	var kept string
	if keep > 0 {
		kept = d.digits[:keep]
	}
	rest := d.digits[max(keep, 0):]
	if keep < 0 {
		rest = strings.Repeat("0", -keep) + d.digits
	}
	// Compare the dropped part with a half.
	cmpHalf := 0
	switch {
	case rest[0] > '5':
		cmpHalf = 1
	case rest[0] < '5':
		cmpHalf = -1
	case strings.TrimRight(rest[1:], "0") != "":
		cmpHalf = 1
	}
	lastOdd := keep > 0 && (kept[len(kept)-1]-'0')%2 == 1
	up := false
	switch mode {
	case "ceil":
		up = !d.neg
	case "floor":
		up = d.neg
	case "expand":
		up = true
	case "trunc":
		up = false
	case "halfCeil":
		up = cmpHalf > 0 || cmpHalf == 0 && !d.neg
	case "halfFloor":
		up = cmpHalf > 0 || cmpHalf == 0 && d.neg
	case "halfTrunc":
		up = cmpHalf > 0
	case "halfEven":
		up = cmpHalf > 0 || cmpHalf == 0 && lastOdd
	default: // halfExpand
		up = cmpHalf >= 0
	}
	out := decimal{neg: d.neg, digits: kept, intLen: d.intLen}
	if keep <= 0 {
		out.digits, out.intLen = "", p
	}
	if up {
		if out.digits == "" {
			out.digits, out.intLen = "1", p+1
		} else {
			n := new(big.Int)
			n.SetString(out.digits, 10)
			n.Add(n, big.NewInt(1))
			s := n.String()
			out.intLen += len(s) - len(out.digits)
			out.digits = s
		}
	}
	return out.trim()
}

// roundIncrement rounds to a multiple of inc×10^p (ECMA-402's
// roundingIncrement).
func (d decimal) roundIncrement(p, inc int, mode string) decimal {
	if inc <= 1 {
		return d.roundAt(p, mode)
	}
	v, ok := new(big.Rat).SetString(d.shift(-p).plain(0))
	if !ok {
		return d
	}
	step := new(big.Rat).SetInt64(int64(inc))
	q := new(big.Rat).Quo(v, step)
	qi := new(big.Int).Quo(q.Num(), q.Denom()) // floor: v is not negative
	rem := new(big.Rat).Sub(v, new(big.Rat).Mul(new(big.Rat).SetInt(qi), step))
	cmpHalf := new(big.Rat).Mul(rem, big.NewRat(2, 1)).Cmp(step)
	exact := rem.Sign() == 0
	up := false
	switch mode {
	case "ceil":
		up = !d.neg && !exact
	case "floor":
		up = d.neg && !exact
	case "expand":
		up = !exact
	case "trunc":
	case "halfCeil":
		up = cmpHalf > 0 || cmpHalf == 0 && !d.neg
	case "halfFloor":
		up = cmpHalf > 0 || cmpHalf == 0 && d.neg
	case "halfTrunc":
		up = cmpHalf > 0
	case "halfEven":
		up = cmpHalf > 0 || cmpHalf == 0 && qi.Bit(0) == 1
	default:
		up = cmpHalf >= 0
	}
	if up {
		qi.Add(qi, big.NewInt(1))
	}
	qi.Mul(qi, big.NewInt(int64(inc)))
	out, _ := decimalFromString(qi.String())
	out.neg = d.neg
	return out.shift(p)
}

// plain is the plain decimal notation with at least minFrac fraction
// digits ("1.50"), for plural operands.
func (d decimal) plain(minFrac int) string {
	ip, fp := d.parts()
	for len(fp) < minFrac {
		fp += "0"
	}
	s := ip
	if fp != "" {
		s += "." + fp
	}
	return s
}

// parts splits into integer digits ("0" for none) and fraction digits.
func (d decimal) parts() (string, string) {
	var ip, fp string
	switch {
	case d.isZero():
		ip = "0"
	case d.intLen <= 0:
		ip, fp = "0", strings.Repeat("0", -d.intLen)+d.digits
	case d.intLen >= len(d.digits):
		ip = d.digits + strings.Repeat("0", d.intLen-len(d.digits))
	default:
		ip, fp = d.digits[:d.intLen], d.digits[d.intLen:]
	}
	return ip, fp
}
