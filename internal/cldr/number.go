package cldr

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NumberOptions are Intl.NumberFormat's options, already type-checked by
// the caller; zero values mean not given.
type NumberOptions struct {
	Style                    string // decimal (default), percent, currency, unit
	Unit                     string // a sanctioned unit or X-per-Y of two
	UnitDisplay              string // short (default), long, narrow
	Currency                 string // ISO 4217 code, any case
	CurrencyDisplay          string // symbol (default), narrowSymbol, code, name
	CurrencySign             string // standard (default), accounting
	Notation                 string // standard (default), compact, scientific, engineering
	CompactDisplay           string // short (default), long
	UseGrouping              string // "" (default for the notation), auto, always, min2, false
	SignDisplay              string // auto (default), always, never, exceptZero, negative
	RoundingMode             string // halfExpand (default) or another ECMA-402 mode
	RoundingPriority         string // auto (default), morePrecision, lessPrecision
	TrailingZeroDisplay      string // auto (default), stripIfInteger
	RoundingIncrement        int    // 0 or 1: none; else one of ECMA-402's increments
	MinimumIntegerDigits     int    // 0: default 1
	MinimumFractionDigits    *int
	MaximumFractionDigits    *int
	MinimumSignificantDigits *int
	MaximumSignificantDigits *int
}

// ErrInvalidOption reports an option value outside its allowed set.
var ErrInvalidOption = errors.New("cldr: invalid option")

type choice struct {
	name, value string
	allowed     []string
}

// checkChoices rejects a given option value that is not one of the
// allowed ones ("" is not given).
func checkChoices(cs []choice) error {
	for _, c := range cs {
		if c.value != "" && !slices.Contains(c.allowed, c.value) {
			return fmt.Errorf("%w: %s %q (want one of %s)", ErrInvalidOption, c.name, c.value, strings.Join(c.allowed, ", "))
		}
	}
	return nil
}

// ErrDigitRange is returned for inconsistent digit options (Intl throws a
// RangeError).
var ErrDigitRange = errors.New("cldr: digit options out of range")

// NumberFormat formats numbers for one locale and set of options.
type NumberFormat struct {
	loc    *Locale
	o      NumberOptions
	numSys string
	digits []string
	sym    map[string]string

	minInt, minFrac, maxFrac, minSig, maxSig int
	roundingType                             string // fractionDigits, significantDigits, morePrecision, lessPrecision
	currencyDigits                           int
	plural                                   *PluralRules
	maxCompact                               int    // largest abbreviated power of ten
	compactPrefix                            string // data key of the compact patterns
}

// NewNumberFormat resolves the options as ECMA-402's
// InitializeNumberFormat does.
func NewNumberFormat(l *Locale, o NumberOptions) (*NumberFormat, error) {
	f := &NumberFormat{loc: l}
	if err := checkChoices([]choice{
		{"style", o.Style, []string{"decimal", "percent", "currency", "unit"}},
		{"currencyDisplay", o.CurrencyDisplay, []string{"symbol", "narrowSymbol", "code", "name"}},
		{"currencySign", o.CurrencySign, []string{"standard", "accounting"}},
		{"unitDisplay", o.UnitDisplay, []string{"short", "long", "narrow"}},
		{"notation", o.Notation, []string{"standard", "scientific", "engineering", "compact"}},
		{"compactDisplay", o.CompactDisplay, []string{"short", "long"}},
		{"useGrouping", o.UseGrouping, []string{"auto", "always", "min2", "false"}},
		{"signDisplay", o.SignDisplay, []string{"auto", "always", "never", "exceptZero", "negative"}},
		{"roundingMode", o.RoundingMode, []string{"ceil", "floor", "expand", "trunc", "halfCeil", "halfFloor", "halfExpand", "halfTrunc", "halfEven"}},
		{"roundingPriority", o.RoundingPriority, []string{"auto", "morePrecision", "lessPrecision"}},
		{"trailingZeroDisplay", o.TrailingZeroDisplay, []string{"auto", "stripIfInteger"}},
	}); err != nil {
		return nil, err
	}
	if o.Style == "" {
		o.Style = "decimal"
	}
	if o.Notation == "" {
		o.Notation = "standard"
	}
	if o.Style == "currency" {
		if len(o.Currency) != 3 || !isAlpha(o.Currency) {
			return nil, fmt.Errorf("%w: currency %q (want a three-letter ISO 4217 code)", ErrInvalidOption, o.Currency)
		}
		o.Currency = strings.ToUpper(o.Currency)
		if o.CurrencyDisplay == "" {
			o.CurrencyDisplay = "symbol"
		}
		if o.CurrencySign == "" {
			o.CurrencySign = "standard"
		}
		f.currencyDigits = 2
		if d, ok := l.data.CurrencyDigits[o.Currency]; ok {
			f.currencyDigits = d
		} else if d, ok := l.data.CurrencyDigits["DEFAULT"]; ok {
			f.currencyDigits = d
		}
	} else {
		o.Currency, o.CurrencyDisplay, o.CurrencySign = "", "", ""
	}
	if o.Style == "unit" {
		if !l.data.sanctionedUnit(o.Unit) {
			return nil, fmt.Errorf("%w: unit %q (want an ECMA-402 unit or two joined by -per-)", ErrInvalidOption, o.Unit)
		}
		if o.UnitDisplay == "" {
			o.UnitDisplay = "short"
		}
	} else {
		o.Unit, o.UnitDisplay = "", ""
	}
	if o.Notation == "compact" && o.CompactDisplay == "" {
		o.CompactDisplay = "short"
	}
	if o.Notation != "compact" {
		o.CompactDisplay = ""
	}
	if o.UseGrouping == "" {
		o.UseGrouping = "auto"
		if o.Notation == "compact" {
			o.UseGrouping = "min2"
		}
	}
	if o.SignDisplay == "" {
		o.SignDisplay = "auto"
	}
	if o.RoundingMode == "" {
		o.RoundingMode = "halfExpand"
	}
	if o.RoundingPriority == "" {
		o.RoundingPriority = "auto"
	}
	if o.TrailingZeroDisplay == "" {
		o.TrailingZeroDisplay = "auto"
	}
	if o.RoundingIncrement == 0 {
		o.RoundingIncrement = 1
	}
	f.o = o
	if err := f.digitOptions(); err != nil {
		return nil, err
	}
	if o.RoundingIncrement != 1 {
		if !slices.Contains([]int{2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000}, o.RoundingIncrement) {
			return nil, fmt.Errorf("%w: roundingIncrement", ErrDigitRange)
		}
		if f.roundingType != "fractionDigits" {
			return nil, fmt.Errorf("%w: roundingIncrement needs fraction digit rounding", ErrDigitRange)
		}
		if f.minFrac != f.maxFrac {
			return nil, fmt.Errorf("%w: maximumFractionDigits not equal to minimumFractionDigits", ErrDigitRange)
		}
	}
	f.numSys, f.digits = l.numberingSystem()
	f.sym = l.numberSymbols()
	if o.Style == "currency" {
		// Some locales group and separate amounts of money differently.
		for _, k := range []string{"decimal", "group"} {
			if v := f.sym["currency"+strings.ToUpper(k[:1])+k[1:]]; v != "" {
				f.sym[k] = v
			}
		}
	}
	p, err := NewPluralRules(l, false)
	if err != nil {
		return nil, err
	}
	f.plural = p
	if o.Notation == "compact" {
		// Computed now so that a format is read-only once made.
		f.compactKey()
		f.maxCompactMagnitude()
	}
	return f, nil
}

// digitOptions is ECMA-402's SetNumberFormatDigitOptions.
func (f *NumberFormat) digitOptions() error {
	o := f.o
	f.minInt = 1
	if o.MinimumIntegerDigits != 0 {
		if o.MinimumIntegerDigits < 1 || o.MinimumIntegerDigits > 21 {
			return fmt.Errorf("%w: minimumIntegerDigits", ErrDigitRange)
		}
		f.minInt = o.MinimumIntegerDigits
	}
	mnfdDefault, mxfdDefault := 0, 3
	switch {
	case o.Style == "currency" && o.Notation != "compact":
		mnfdDefault, mxfdDefault = f.currencyDigits, f.currencyDigits
	case o.Style == "percent":
		mnfdDefault, mxfdDefault = 0, 0
	case o.Notation == "compact":
		mnfdDefault, mxfdDefault = 0, 0
	}
	hasSd := o.MinimumSignificantDigits != nil || o.MaximumSignificantDigits != nil
	hasFd := o.MinimumFractionDigits != nil || o.MaximumFractionDigits != nil
	needSd, needFd := true, true
	if o.RoundingPriority == "auto" {
		needSd = hasSd
		if needSd || !hasFd && o.Notation == "compact" {
			needFd = false
		}
	}
	if needSd {
		if hasSd {
			f.minSig, f.maxSig = 1, 21
			if o.MinimumSignificantDigits != nil {
				f.minSig = *o.MinimumSignificantDigits
			}
			if f.minSig < 1 || f.minSig > 21 {
				return fmt.Errorf("%w: minimumSignificantDigits", ErrDigitRange)
			}
			if o.MaximumSignificantDigits != nil {
				f.maxSig = *o.MaximumSignificantDigits
				if f.maxSig < f.minSig || f.maxSig > 21 {
					return fmt.Errorf("%w: maximumSignificantDigits", ErrDigitRange)
				}
			}
		} else {
			f.minSig, f.maxSig = 1, 21
		}
	}
	if needFd {
		if hasFd {
			mn, mx := -1, -1
			if o.MinimumFractionDigits != nil {
				mn = *o.MinimumFractionDigits
				if mn < 0 || mn > 100 {
					return fmt.Errorf("%w: minimumFractionDigits", ErrDigitRange)
				}
			}
			if o.MaximumFractionDigits != nil {
				mx = *o.MaximumFractionDigits
				if mx < 0 || mx > 100 {
					return fmt.Errorf("%w: maximumFractionDigits", ErrDigitRange)
				}
			}
			switch {
			case mn < 0:
				mn = min(mnfdDefault, mx)
			case mx < 0:
				mx = max(mxfdDefault, mn)
			case mn > mx:
				return fmt.Errorf("%w: minimumFractionDigits is greater than maximumFractionDigits", ErrDigitRange)
			}
			f.minFrac, f.maxFrac = mn, mx
		} else {
			f.minFrac, f.maxFrac = mnfdDefault, mxfdDefault
		}
	}
	switch {
	case !needSd && !needFd:
		// Compact notation's own rounding: whole numbers, but two
		// significant digits below 10.
		f.minFrac, f.maxFrac, f.minSig, f.maxSig = 0, 0, 1, 2
		f.roundingType = "morePrecision"
		f.o.RoundingPriority = "morePrecision"
	case o.RoundingPriority == "auto" && needSd:
		f.roundingType = "significantDigits"
	case o.RoundingPriority == "auto":
		f.roundingType = "fractionDigits"
	default:
		f.roundingType = o.RoundingPriority
	}
	return nil
}

// round applies the digit options and returns the rounded number and its
// minimum number of fraction digits to show.
func (f *NumberFormat) round(d decimal) (decimal, int) {
	mode := f.o.RoundingMode
	fracPos, sigPos := -f.maxFrac, d.magnitude()-f.maxSig+1
	switch f.roundingType {
	case "fractionDigits":
		d = d.roundIncrement(fracPos, f.o.RoundingIncrement, mode)
		return d, f.minFrac
	case "significantDigits":
		d = d.roundAt(sigPos, mode)
		return d, max(0, f.minSig-d.magnitude()-1)
	}
	usePos, minSigFrac := fracPos, 0
	more := f.roundingType == "morePrecision"
	if sigPos < fracPos == more {
		usePos = sigPos
	}
	r := d.roundAt(usePos, mode)
	if usePos == sigPos {
		minSigFrac = max(0, f.minSig-r.magnitude()-1)
		return r, minSigFrac
	}
	return r, f.minFrac
}

// PluralDigits is the number as the format rounds it, in plain decimal
// digits ("1.0"), for Intl.PluralRules' select with its digit options.
func (f *NumberFormat) PluralDigits(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "NaN"
	}
	d, minFrac := f.round(decimalFromFloat(math.Abs(x)))
	return d.plain(minFrac)
}

// MinimumIntegerDigits, MinimumFractionDigits and MaximumFractionDigits
// are the resolved digit options (for PluralRules' resolvedOptions).
func (f *NumberFormat) MinimumIntegerDigits() int  { return f.minInt }
func (f *NumberFormat) MinimumFractionDigits() int { return f.minFrac }
func (f *NumberFormat) MaximumFractionDigits() int { return f.maxFrac }

// Format formats a number as format() does.
func (f *NumberFormat) Format(x float64) string { return joinParts(f.FormatToParts(x)) }

// FormatString formats a decimal string (a BigInt's or an exact decimal's
// digits); malformed input formats as NaN.
func (f *NumberFormat) FormatString(s string) string { return joinParts(f.FormatStringToParts(s)) }

func joinParts(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Value)
	}
	return b.String()
}

// FormatToParts formats a number as formatToParts() does.
func (f *NumberFormat) FormatToParts(x float64) []Part {
	if math.IsNaN(x) {
		return f.special(false, "nan", f.sym["nan"])
	}
	if math.IsInf(x, 0) {
		return f.special(x < 0, "infinity", f.sym["infinity"])
	}
	return f.format(decimalFromFloat(x))
}

// FormatStringToParts is FormatToParts for a string: a BigInt's digits or
// a string argument, read as JavaScript's ToNumber reads it but keeping
// every digit (as V8 does); beyond a double's range it is ±Infinity or 0.
func (f *NumberFormat) FormatStringToParts(s string) []Part {
	s = strings.TrimSpace(s)
	if s == "" {
		return f.format(decimal{})
	}
	if len(s) > 2 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
		n, ok := new(big.Int).SetString(s, 0)
		if !ok || strings.Contains(s, "_") {
			return f.special(false, "nan", f.sym["nan"])
		}
		d, _ := decimalFromString(n.String())
		return f.format(d)
	}
	switch strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-") {
	case "Infinity":
		return f.special(strings.HasPrefix(s, "-"), "infinity", f.sym["infinity"])
	}
	d, ok := decimalFromString(s)
	if !ok || strings.ContainsAny(s, "_xX") {
		return f.special(false, "nan", f.sym["nan"])
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case math.IsInf(x, 0):
			return f.special(x < 0, "infinity", f.sym["infinity"])
		case x == 0:
			return f.format(decimal{neg: d.neg})
		}
	}
	return f.format(d)
}

func (f *NumberFormat) special(neg bool, typ, val string) []Part {
	d := decimal{neg: neg}
	return f.assemble(d, false, []Part{{typ, val}}, "", Operands{})
}

func (f *NumberFormat) format(d decimal) []Part {
	if f.o.Style == "percent" {
		d = d.shift(2)
	}
	compactPattern := ""
	minFrac, exp := 0, 0 // exp: the power of ten the shown digits stand for
	var exponent []Part
	switch f.o.Notation {
	case "compact":
		d, minFrac, compactPattern, exp = f.compact(d)
	case "scientific", "engineering":
		d, minFrac, exponent, exp = f.scientific(d)
	default:
		d, minFrac = f.round(d)
	}
	if f.o.TrailingZeroDisplay == "stripIfInteger" {
		if _, fp := d.parts(); fp == "" {
			minFrac = 0
		}
	}
	num := append(f.numberParts(d, minFrac), exponent...)
	// Unit names agree with the whole number ("1,5 миллиарда секунд" is
	// 1.5c9, with CLDR's exponent operand); currency names, as in ICU,
	// with the digits shown.
	ops, _ := OperandsOf(d.plain(minFrac))
	if exp != 0 && f.o.Style != "currency" {
		ops, _ = OperandsOf(d.shift(exp).plain(max(0, minFrac-exp)))
		ops.E = int64(exp)
	}
	return f.assemble(d, d.isZero(), num, compactPattern, ops)
}

// scientific scales the number to one digit (three for engineering)
// before the point and returns the exponent's parts.
func (f *NumberFormat) scientific(d decimal) (decimal, int, []Part, int) {
	step := 1
	if f.o.Notation == "engineering" {
		step = 3
	}
	floorTo := func(n int) int {
		if n < 0 {
			return -((-n + step - 1) / step) * step
		}
		return n / step * step
	}
	e := 0
	if !d.isZero() {
		e = floorTo(d.magnitude())
	}
	r, mf := f.round(d.shift(-e))
	if !r.isZero() && r.magnitude() >= step {
		e += step
		r, mf = f.round(d.shift(-e))
	}
	shown := e
	exp := []Part{{"exponentSeparator", f.sym["exponential"]}}
	if e < 0 {
		for _, p := range f.signParts("minusSign") {
			if p.Type == "minusSign" {
				p.Type = "exponentMinusSign"
			}
			exp = append(exp, p)
		}
		e = -e
	}
	exp = append(exp, Part{"exponentInteger", f.localDigits(strconv.Itoa(e))})
	return r, mf, exp, shown
}

// compact picks the compact pattern for the number's magnitude (ICU's
// chooseMultiplierAndApply) and returns the scaled, rounded number.
func (f *NumberFormat) compact(d decimal) (decimal, int, string, int) {
	mag := d.magnitude()
	if d.isZero() {
		mag = 0
	}
	mult := f.compactMultiplier(mag)
	r, mf := f.round(d.shift(mult))
	if !r.isZero() && r.magnitude() != mag+mult {
		if m2 := f.compactMultiplier(mag + 1); m2 != mult {
			mult = m2
			r, mf = f.round(d.shift(mult))
		}
	}
	pattern := ""
	if mult != 0 {
		pmag := r.magnitude() - mult
		pattern = f.compactPatternFor(pmag, r, mf)
	}
	return r, mf, pattern, -mult
}

// compactKey is the data key prefix of the compact patterns: the
// currency ones (with ¤, short only) for amounts of money.
func (f *NumberFormat) compactKey() string {
	if f.compactPrefix != "" {
		return f.compactPrefix
	}
	key := func(ns string) string {
		if f.o.Style == "currency" && f.o.CurrencyDisplay != "name" {
			return "num/currencyFormats-numberSystem-" + ns + "/short/standard/"
		}
		return "num/decimalFormats-numberSystem-" + ns + "/" + f.o.CompactDisplay + "/decimalFormat/"
	}
	// Numbering systems without their own compact patterns use latn's.
	f.compactPrefix = key("latn")
	if k := key(f.patternSystem()); f.loc.get(k+"1000-count-other") != "" {
		f.compactPrefix = k
	}
	return f.compactPrefix
}

// compactPatternAt returns the pattern for 10^mag and the category.
func (f *NumberFormat) compactPatternAt(mag int, category string) string {
	if mag < 3 {
		return ""
	}
	if top := f.maxCompactMagnitude(); mag > top {
		mag = top
	}
	key := f.compactKey() + "1" + strings.Repeat("0", mag)
	if p := f.loc.get(key + "-count-" + category); p != "" {
		return p
	}
	return f.loc.get(key + "-count-other")
}

// compactMultiplier is the power of ten the number is scaled by for its
// magnitude (0 when the locale does not abbreviate it).
func (f *NumberFormat) compactMultiplier(mag int) int {
	p := f.compactPatternAt(mag, "other")
	if p == "" || p == "0" {
		return 0
	}
	p, _, _ = strings.Cut(p, ";")
	zeros := strings.Count(p, "0")
	m := min(mag, f.maxCompactMagnitude())
	return -(m - zeros + 1)
}

// maxCompactMagnitude is the largest power of ten the locale abbreviates.
func (f *NumberFormat) maxCompactMagnitude() int {
	if f.maxCompact != 0 {
		return f.maxCompact
	}
	top := 3
	for _, k := range keysUnder(f.loc.chain, f.compactKey()) {
		n, _, _ := strings.Cut(k, "-")
		top = max(top, len(n)-1)
	}
	f.maxCompact = top
	return top
}

func (f *NumberFormat) compactPatternFor(mag int, r decimal, minFrac int) string {
	plain := r.plain(minFrac)
	cat := f.plural.SelectString(plain)
	if plain == "0" || plain == "1" {
		// CLDR's explicit forms: French "mille" for exactly 1000.
		if p := f.loc.get(f.compactKey() + "1" + strings.Repeat("0", min(mag, f.maxCompactMagnitude())) + "-count-" + plain); p != "" && mag >= 3 {
			return p
		}
	}
	p := f.compactPatternAt(mag, cat)
	if p == "0" {
		return ""
	}
	return p
}

// numberParts writes the digits: integer groups, decimal and fraction.
func (f *NumberFormat) numberParts(d decimal, minFrac int) []Part {
	ip, fp := d.parts()
	for len(ip) < f.minInt {
		ip = "0" + ip
	}
	for len(fp) < minFrac {
		fp += "0"
	}
	g1, g2 := f.grouping()
	minGroup := 1
	switch f.o.UseGrouping {
	case "auto":
		if v, err := strconv.Atoi(f.loc.get("num/minimumGroupingDigits")); err == nil {
			minGroup = v
		}
	case "min2":
		minGroup = 2
	}
	var out []Part
	if f.o.UseGrouping == "false" || g1 <= 0 || len(ip)-g1 < minGroup {
		out = append(out, Part{"integer", f.localDigits(ip)})
	} else {
		var groups []string
		rest := ip
		groups = append(groups, rest[len(rest)-g1:])
		rest = rest[:len(rest)-g1]
		for len(rest) > g2 {
			groups = append(groups, rest[len(rest)-g2:])
			rest = rest[:len(rest)-g2]
		}
		if rest != "" {
			groups = append(groups, rest)
		}
		for i := len(groups) - 1; i >= 0; i-- {
			out = append(out, Part{"integer", f.localDigits(groups[i])})
			if i > 0 {
				out = append(out, Part{"group", f.sym["group"]})
			}
		}
	}
	if fp != "" {
		out = append(out, Part{"decimal", f.sym["decimal"]}, Part{"fraction", f.localDigits(fp)})
	}
	return out
}

// grouping reads the primary and secondary group sizes from the style's
// pattern ("#,##,##0" is 3 and 2).
func (f *NumberFormat) grouping() (int, int) {
	p, _, _ := strings.Cut(f.stylePattern(), ";")
	p, _, _ = strings.Cut(p, ".")
	last := strings.LastIndexByte(p, ',')
	if last < 0 {
		return 0, 0
	}
	end := strings.LastIndexAny(p, "#0") + 1
	g1 := end - last - 1
	prev := strings.LastIndexByte(p[:last], ',')
	if prev < 0 {
		return g1, g1
	}
	return g1, last - prev - 1
}

func (f *NumberFormat) patternSystem() string {
	if f.loc.get("num/decimalFormats-numberSystem-"+f.numSys+"/standard") != "" {
		return f.numSys
	}
	return "latn"
}

func (f *NumberFormat) localDigits(s string) string {
	if f.digits == nil {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteString(f.digits[r-'0'])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// assemble wraps the number parts in the style's pattern affixes with
// the sign, currency, percent and compact text.
func (f *NumberFormat) assemble(d decimal, zero bool, num []Part, compactPattern string, ops Operands) []Part {
	neg := d.neg
	var sign string // "-", "+" or ""
	switch f.o.SignDisplay {
	case "auto":
		if neg {
			sign = "-"
		}
	case "always":
		sign = "+"
		if neg {
			sign = "-"
		}
	case "exceptZero":
		if !zero {
			sign = "+"
			if neg {
				sign = "-"
			}
		}
	case "negative":
		if neg && !zero {
			sign = "-"
		}
	}
	pattern := f.stylePattern()
	if compactPattern != "" && f.o.Style == "currency" && f.o.CurrencyDisplay != "name" {
		// The currency's compact pattern stands for the whole pattern.
		pattern, compactPattern = compactPattern, ""
	}
	pos, negPat, hasNeg := strings.Cut(pattern, ";")
	use := pos
	switch {
	case sign == "-" && hasNeg:
		use = negPat
	case sign == "+" && hasNeg && strings.Contains(negPat, "-"):
		// The plus sign goes where the negative pattern has its minus.
		use, sign = strings.Replace(negPat, "-", "+", 1), ""
	}
	prefix, suffix := splitAffixes(use)
	if compactPattern != "" {
		cpos, cneg, chas := strings.Cut(compactPattern, ";")
		if sign == "-" && chas {
			// Swahili "elfu -0": the compact pattern places the sign.
			cpos, hasNeg = cneg, true
		}
		compactPattern = cpos
		cp, cs := splitAffixes(cpos)
		prefix += cp
		suffix = cs + suffix
	}
	pre := f.affixParts(prefix)
	suf := f.affixParts(suffix)
	if sign != "" && !(sign == "-" && hasNeg) {
		key := map[string]string{"-": "minusSign", "+": "plusSign"}[sign]
		pre = append(f.signParts(key), pre...)
	}
	pre, suf = f.currencySpacing(pre, suf)
	if compactPattern != "" && !strings.ContainsRune(compactPattern, '0') {
		num = nil // "mille": the abbreviation stands for the number
	}
	out := append(append(pre, num...), suf...)
	if f.o.Style == "currency" && f.o.CurrencyDisplay == "name" {
		out = f.currencyName(out, ops)
	}
	if (f.o.Style == "unit" || f.o.Style == "percent") && !f.percentPattern() {
		out = f.unitParts(out, ops)
	}
	return mergeLiterals(out)
}

// percentPattern reports whether percents use CLDR's percent pattern;
// ICU formats them with the percent unit's names when compact, or when
// the percent unit is written long.
func (f *NumberFormat) percentPattern() bool {
	switch {
	case f.o.Style == "percent":
		return f.o.Notation != "compact"
	case f.o.Style == "unit" && f.o.Unit == "percent":
		return f.o.Notation != "compact" && f.o.UnitDisplay != "long"
	}
	return false
}

// stylePattern is the CLDR number pattern of the style.
func (f *NumberFormat) stylePattern() string {
	prefix := "num/"
	sys := f.patternSystem()
	switch {
	case f.percentPattern():
		return f.loc.get(prefix + "percentFormats-numberSystem-" + sys + "/standard")
	case f.o.Style == "currency" && f.o.CurrencyDisplay != "name" && f.o.CurrencySign == "accounting":
		return f.loc.get(prefix + "currencyFormats-numberSystem-" + sys + "/accounting")
	case f.o.Style == "currency" && f.o.CurrencyDisplay != "name":
		return f.loc.get(prefix + "currencyFormats-numberSystem-" + sys + "/standard")
	}
	return f.loc.get(prefix + "decimalFormats-numberSystem-" + sys + "/standard")
}

// splitAffixes splits a number pattern into the text before and after
// its digits.
func splitAffixes(p string) (string, string) {
	inQuote := false
	start, end := -1, -1
	for i, r := range p {
		if r == '\'' {
			inQuote = !inQuote
			continue
		}
		if !inQuote && strings.ContainsRune("#0,.@123456789", r) {
			if start < 0 {
				start = i
			}
			end = i + utf8.RuneLen(r)
		}
	}
	if start < 0 {
		return p, ""
	}
	return p[:start], p[end:]
}

// affixParts renders affix text: ¤ currency, % percent, - and + signs,
// quoted and other text literal (compact abbreviations are "compact").
func (f *NumberFormat) affixParts(a string) []Part {
	var out []Part
	var lit strings.Builder
	flush := func() {
		if lit.Len() == 0 {
			return
		}
		out = append(out, f.textParts(lit.String())...)
		lit.Reset()
	}
	runes := []rune(a)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch r {
		case '\'':
			j := i + 1
			for j < len(runes) && runes[j] != '\'' {
				lit.WriteRune(runes[j])
				j++
			}
			if j == i+1 {
				lit.WriteRune('\'')
			}
			i = j
		case '¤':
			flush()
			for i+1 < len(runes) && runes[i+1] == '¤' {
				i++
			}
			out = append(out, Part{"currency", f.currencySymbol()})
		case '%':
			flush()
			ps := f.signParts("percentSign")
			if f.o.Style == "unit" {
				// The percent unit is the percent pattern, unscaled.
				for i := range ps {
					if ps[i].Type == "percentSign" {
						ps[i].Type = "unit"
					}
				}
			}
			out = append(out, ps...)
		case '-':
			flush()
			out = append(out, f.signParts("minusSign")...)
		case '+':
			flush()
			out = append(out, f.signParts("plusSign")...)
		default:
			lit.WriteRune(r)
		}
	}
	flush()
	return out
}

// textParts splits affix text into literals and, for compact patterns,
// the abbreviation (without the spaces around it).
func (f *NumberFormat) textParts(s string) []Part {
	if f.o.Notation != "compact" {
		return []Part{{"literal", s}}
	}
	isSpace := func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || isBidi(r) }
	core := strings.TrimFunc(s, isSpace)
	if core == "" {
		return []Part{{"literal", s}}
	}
	i := strings.Index(s, core)
	return []Part{{"literal", s[:i]}, {"compact", core}, {"literal", s[i+len(core):]}}
}

func isBidi(r rune) bool { return r == '\u061c' || r == '\u200e' || r == '\u200f' }

// signParts is a sign or percent symbol; bidi marks around it are
// literals, as ICU reports them.
func (f *NumberFormat) signParts(key string) []Part {
	s := f.sym[key]
	core := strings.TrimFunc(s, isBidi)
	i := strings.Index(s, core)
	var out []Part
	if i > 0 {
		out = append(out, Part{"literal", s[:i]})
	}
	out = append(out, Part{key, core})
	if rest := s[i+len(core):]; rest != "" {
		out = append(out, Part{"literal", rest})
	}
	return out
}

func (f *NumberFormat) currencySymbol() string {
	c := f.o.Currency
	switch f.o.CurrencyDisplay {
	case "code":
		return c
	case "narrowSymbol":
		if s := f.loc.get("cur/" + c + "/symbol-alt-narrow"); s != "" {
			return s
		}
	}
	if s := f.loc.get("cur/" + c + "/symbol"); s != "" {
		return s
	}
	return c
}

// currencySpacing inserts CLDR's currency spacing between a currency
// symbol that does not end in a symbol character and the digits.
func (f *NumberFormat) currencySpacing(pre, suf []Part) ([]Part, []Part) {
	key := "num/currencyFormats-numberSystem-" + f.patternSystem() + "/currencySpacing/"
	notSymbol := func(r rune) bool { return !unicode.IsSymbol(r) && !unicode.Is(unicode.Z, r) }
	if n := len(pre); n > 0 && pre[n-1].Type == "currency" {
		if r, _ := utf8.DecodeLastRuneInString(pre[n-1].Value); notSymbol(r) {
			pre = append(pre, Part{"literal", f.loc.get(key + "beforeCurrency/insertBetween")})
		}
	}
	if len(suf) > 0 && suf[0].Type == "currency" {
		if r, _ := utf8.DecodeRuneInString(suf[0].Value); notSymbol(r) {
			suf = append([]Part{{"literal", f.loc.get(key + "afterCurrency/insertBetween")}}, suf...)
		}
	}
	return pre, suf
}

// currencyName wraps the formatted number in the locale's unit pattern
// with the currency's plural name.
func (f *NumberFormat) currencyName(num []Part, ops Operands) []Part {
	cat := f.plural.Select(ops)
	c := f.o.Currency
	name := f.loc.get("cur/" + c + "/displayName-count-" + cat)
	if name == "" {
		name = f.loc.get("cur/" + c + "/displayName-count-other")
	}
	if name == "" {
		name = f.loc.get("cur/" + c + "/displayName")
	}
	if name == "" {
		name = c
	}
	key := "num/currencyFormats-numberSystem-" + f.patternSystem() + "/unitPattern-count-"
	pat := f.loc.get(key + cat)
	if pat == "" {
		pat = f.loc.get(key + "other")
	}
	var out []Part
	for pat != "" {
		i := strings.IndexByte(pat, '{')
		if i < 0 || i+2 >= len(pat) {
			out = append(out, Part{"literal", pat})
			break
		}
		if i > 0 {
			out = append(out, Part{"literal", pat[:i]})
		}
		switch pat[i+1] {
		case '0':
			out = append(out, num...)
		case '1':
			out = append(out, Part{"currency", name})
		}
		pat = pat[i+3:]
	}
	return out
}

func mergeLiterals(in []Part) []Part {
	var out []Part
	for _, p := range splitBidi(in) {
		if p.Value == "" {
			continue
		}
		if p.Type == "literal" && len(out) > 0 && out[len(out)-1].Type == "literal" {
			out[len(out)-1].Value += p.Value
			continue
		}
		out = append(out, p)
	}
	return out
}

// splitBidi moves bidi marks at the ends of currency symbols into
// literals, as ICU reports them.
func splitBidi(in []Part) []Part {
	var out []Part
	for _, p := range in {
		if p.Type != "currency" {
			out = append(out, p)
			continue
		}
		core := strings.TrimFunc(p.Value, isBidi)
		if core == "" || core == p.Value {
			out = append(out, p)
			continue
		}
		i := strings.Index(p.Value, core)
		out = append(out, Part{"literal", p.Value[:i]}, Part{p.Type, core}, Part{"literal", p.Value[i+len(core):]})
	}
	return out
}

// ResolvedOptions lists resolvedOptions() entries in Node's order.
func (f *NumberFormat) ResolvedOptions() []Option {
	o := f.o
	tag := f.loc.String()
	if f.loc.validNumberingSystem() {
		tag = f.loc.tagWith(map[string]string{"nu": f.loc.keywords["nu"]})
	}
	out := []Option{{"locale", tag}, {"numberingSystem", f.numSys}, {"style", o.Style}}
	if o.Style == "currency" {
		out = append(out, Option{"currency", o.Currency}, Option{"currencyDisplay", o.CurrencyDisplay}, Option{"currencySign", o.CurrencySign})
	}
	if o.Style == "unit" {
		out = append(out, Option{"unit", o.Unit}, Option{"unitDisplay", o.UnitDisplay})
	}
	out = append(out, Option{"minimumIntegerDigits", f.minInt})
	frac := []Option{{"minimumFractionDigits", f.minFrac}, {"maximumFractionDigits", f.maxFrac}}
	sig := []Option{{"minimumSignificantDigits", f.minSig}, {"maximumSignificantDigits", f.maxSig}}
	switch f.roundingType {
	case "fractionDigits":
		out = append(out, frac...)
	case "significantDigits":
		out = append(out, sig...)
	default:
		out = append(append(out, sig...), frac...)
	}
	var grouping any = o.UseGrouping
	if o.UseGrouping == "false" {
		grouping = false
	}
	out = append(out, Option{"useGrouping", grouping}, Option{"notation", o.Notation})
	if o.Notation == "compact" {
		out = append(out, Option{"compactDisplay", o.CompactDisplay})
	}
	return append(out, Option{"signDisplay", o.SignDisplay}, Option{"roundingMode", o.RoundingMode},
		Option{"roundingIncrement", o.RoundingIncrement}, Option{"trailingZeroDisplay", o.TrailingZeroDisplay},
		Option{"roundingPriority", o.RoundingPriority})
}

// sanctionedUnit reports whether u is an ECMA-402 unit: a simple unit or
// two joined by "-per-".
func (d *dataFile) sanctionedUnit(u string) bool {
	simple := func(s string) bool {
		for _, x := range d.Units {
			if x == s && !strings.Contains(x, "-per-") {
				return true
			}
		}
		return false
	}
	if simple(u) {
		return true
	}
	num, den, ok := strings.Cut(u, "-per-")
	return ok && simple(num) && simple(den)
}

// unitPattern is the pattern ("{0} km/h") of a unit for a plural
// category, building X-per-Y from its parts when CLDR has no name for the
// pair (as ICU's long name handler does).
func (f *NumberFormat) unitPattern(unit, cat string) string {
	w := f.o.UnitDisplay
	if w == "" {
		w = "short"
	}
	get := func(u, c string) string {
		if p := f.loc.get("unit/" + w + "/" + u + "/" + c); p != "" {
			return p
		}
		return f.loc.get("unit/" + w + "/" + u + "/other")
	}
	if p := get(unit, cat); p != "" {
		return p
	}
	num, den, ok := strings.Cut(unit, "-per-")
	if !ok {
		return "{0} " + unit
	}
	numPat := get(num, cat)
	if per := f.loc.get("unit/" + w + "/" + den + "/perUnitPattern"); per != "" {
		return strings.Replace(per, "{0}", numPat, 1)
	}
	denName := strings.TrimSpace(strings.Replace(get(den, "one"), "{0}", "", 1))
	compound := f.loc.get("unit/" + w + "/per")
	if compound == "" {
		compound = "{0}/{1}"
	}
	return strings.NewReplacer("{0}", numPat, "{1}", denName).Replace(compound)
}

// unitParts wraps the number in the unit's pattern for its plural form.
func (f *NumberFormat) unitParts(num []Part, ops Operands) []Part {
	unit := f.o.Unit
	if f.o.Style == "percent" {
		unit = "percent"
	}
	pat := f.unitPattern(unit, f.plural.Select(ops))
	before, after, ok := strings.Cut(pat, "{0}")
	if !ok {
		// Arabic "لتر" for one litre: the name stands for the number.
		return unitTextParts(pat)
	}
	var out []Part
	out = append(out, unitTextParts(before)...)
	out = append(out, num...)
	return append(out, unitTextParts(after)...)
}

func unitTextParts(s string) []Part {
	isSpace := func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || isBidi(r) }
	core := strings.TrimFunc(s, isSpace)
	if core == "" {
		return []Part{{"literal", s}}
	}
	i := strings.Index(s, core)
	return []Part{{"literal", s[:i]}, {"unit", core}, {"literal", s[i+len(core):]}}
}
