// Package intl is the Intl global: Intl.DateTimeFormat, Intl.NumberFormat
// and Intl.PluralRules, with Date's, Number's and BigInt's toLocale*String
// built on them, matching Node 20 for every locale internal/cldr has data
// for, and String.prototype.localeCompare in the requested locale.
package intl

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on hosts without a zoneinfo database
	"unicode"

	"github.com/dop251/goja"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/hogpipe/hogpipe/internal/cldr"
	"github.com/hogpipe/hogpipe/internal/node"
)

// The formatting is internal/cldr's. This file keeps what is JavaScript
// shaped: reading options off objects in V8's order and throwing
// V8's errors for bad ones, before cldr sees the values (see
// internal/cldr/WIRING.md). intl.js adds receivers, bound format getters
// and Date.prototype.toString's V8 zone name.

// optionError is a JavaScript error to throw: kind is "TypeError" or
// "RangeError".
type optionError struct{ kind, msg string }

func (e *optionError) Error() string { return e.msg }

func rangeError(format string, args ...any) error {
	return &optionError{"RangeError", fmt.Sprintf(format, args...)}
}

func typeError(msg string) error { return &optionError{"TypeError", msg} }

// resolveLocale maps cldr's locale error to V8's.
func resolveLocale(list []string) (*cldr.Locale, error) {
	l, err := cldr.Resolve(list...)
	if errors.Is(err, cldr.ErrInvalidLocale) {
		return nil, rangeError("Incorrect locale information provided")
	}
	return l, err
}

// reader reads options in the order its methods are called (getters run
// then, as in V8).
type reader struct {
	get     func(string) goja.Value
	context string
}

func defined(v goja.Value) bool { return v != nil && !goja.IsUndefined(v) }

// str reads a string option restricted to allowed values ("" when absent).
func (r reader) str(name string, allowed ...string) (string, error) {
	v := r.get(name)
	if !defined(v) {
		return "", nil
	}
	s := v.String()
	if !slices.Contains(allowed, s) {
		ctx := r.context
		if name == "roundingPriority" {
			ctx = "SetNumberFormatDigitOptions" // V8's wording
		}
		return "", rangeError("Value %s out of range for %s options property %s", s, ctx, name)
	}
	return s, nil
}

// number is DefaultNumberOption on an already read value: -1 when absent.
func number(v goja.Value, name string, lo, hi int) (int, error) {
	if !defined(v) {
		return -1, nil
	}
	n := v.ToFloat()
	if math.IsNaN(n) || n < float64(lo) || n > float64(hi) {
		return 0, rangeError("%s value is out of range.", name)
	}
	return int(math.Floor(n)), nil
}

func ptr(n int) *int {
	if n < 0 {
		return nil
	}
	return &n
}

//------------------------------------------------------------------------------

var textWidths, numeric = []string{"narrow", "short", "long"}, []string{"2-digit", "numeric"}

var componentValues = map[string][]string{
	"weekday": textWidths, "era": textWidths, "year": numeric, "month": append(slices.Clone(numeric), textWidths...),
	"day": numeric, "dayPeriod": textWidths, "hour": numeric, "minute": numeric, "second": numeric,
}

// newDateTimeFormat reads Intl.DateTimeFormat's options in V8's order.
// intl.js has already applied ToDateTimeOptions (the defaults, and the
// TypeErrors for styles a toLocale*String method cannot show).
func newDateTimeFormat(l *cldr.Locale, r reader) (*cldr.DateTimeFormat, error) {
	o := cldr.DateTimeOptions{TimeZone: "UTC", Location: time.UTC}
	var err error
	if _, err = r.str("localeMatcher", "lookup", "best fit"); err != nil {
		return nil, err
	}
	// calendar is validated as V8 does; the formats are Gregorian.
	if v := r.get("calendar"); defined(v) && !typeSequence(v.String()) {
		return nil, rangeError("Invalid calendar : %s", v.String())
	}
	if v := r.get("numberingSystem"); defined(v) {
		if !typeSequence(v.String()) {
			return nil, rangeError("Invalid numberingSystem : %s", v.String())
		}
		l = l.WithNumberingSystem(v.String())
	}
	if v := r.get("hour12"); defined(v) {
		b := v.ToBoolean()
		o.Hour12 = &b
	}
	if o.HourCycle, err = r.str("hourCycle", "h11", "h12", "h23", "h24"); err != nil {
		return nil, err
	}
	// Without a timeZone the zone is UTC, whatever the host's: JavaScript's
	// local time is UTC in hogpipe, as on PostHog's plugin servers.
	if v := r.get("timeZone"); defined(v) {
		if o.TimeZone, o.Location, err = cldr.LoadTimeZone(v.String()); err != nil {
			return nil, rangeError("Invalid time zone specified: %s", v.String())
		}
	}
	components := []*string{&o.Weekday, &o.Era, &o.Year, &o.Month, &o.Day, &o.DayPeriod, &o.Hour, &o.Minute, &o.Second}
	names := []string{"weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second"}
	conflict := ""
	for i, name := range names {
		if *components[i], err = r.str(name, componentValues[name]...); err != nil {
			return nil, err
		}
		if *components[i] != "" && conflict == "" {
			conflict = name
		}
	}
	fsd, err := number(r.get("fractionalSecondDigits"), "fractionalSecondDigits", 1, 3)
	if err != nil {
		return nil, err
	}
	o.FractionalSecondDigits = max(fsd, 0)
	if o.TimeZoneName, err = r.str("timeZoneName", "short", "long", "shortOffset", "longOffset", "shortGeneric", "longGeneric"); err != nil {
		return nil, err
	}
	if _, err = r.str("formatMatcher", "basic", "best fit"); err != nil {
		return nil, err
	}
	styles := []string{"full", "long", "medium", "short"}
	if o.DateStyle, err = r.str("dateStyle", styles...); err != nil {
		return nil, err
	}
	if o.TimeStyle, err = r.str("timeStyle", styles...); err != nil {
		return nil, err
	}
	if o.DateStyle != "" || o.TimeStyle != "" {
		switch {
		case conflict == "" && o.TimeZoneName != "":
			conflict = "timeZoneName"
		case conflict == "" && fsd > 0:
			conflict = "fractionalSecondDigits"
		}
		style := "timeStyle"
		if o.DateStyle != "" {
			style = "dateStyle"
		}
		if conflict != "" {
			return nil, typeError(fmt.Sprintf("Can't set option %s when %s is used", conflict, style))
		}
	}
	return cldr.NewDateTimeFormat(l, o)
}

//------------------------------------------------------------------------------

var roundingIncrements = []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000}

// digitOptions is V8's SetNumberFormatDigitOptions: it reads the digit
// options and checks them with the style's fraction digit defaults (cldr
// applies the same defaults again). inc is the roundingIncrement read
// before (1 for Intl.PluralRules).
func (r reader) digitOptions(o *cldr.NumberOptions, mnfdDefault, mxfdDefault, inc int, compact bool) error {
	minInt, err := number(r.get("minimumIntegerDigits"), "minimumIntegerDigits", 1, 21)
	if err != nil {
		return err
	}
	o.MinimumIntegerDigits = max(minInt, 0)
	mnfd, mxfd := r.get("minimumFractionDigits"), r.get("maximumFractionDigits")
	mnsd, mxsd := r.get("minimumSignificantDigits"), r.get("maximumSignificantDigits")
	if o.RoundingPriority, err = r.str("roundingPriority", "auto", "morePrecision", "lessPrecision"); err != nil {
		return err
	}
	auto := o.RoundingPriority == "" || o.RoundingPriority == "auto"
	hasSd, hasFd := defined(mnsd) || defined(mxsd), defined(mnfd) || defined(mxfd)
	needSd, needFd := true, true
	if auto {
		needSd = hasSd
		needFd = !needSd && (hasFd || !compact)
	}
	if needSd && hasSd {
		lo, err := number(mnsd, "minimumSignificantDigits", 1, 21)
		if err != nil {
			return err
		}
		hi, err := number(mxsd, "maximumSignificantDigits", max(lo, 1), 21)
		if err != nil {
			return err
		}
		o.MinimumSignificantDigits, o.MaximumSignificantDigits = ptr(lo), ptr(hi)
	}
	if inc > 1 {
		mxfdDefault = mnfdDefault
	}
	lo, hi := mnfdDefault, mxfdDefault
	if needFd && hasFd {
		// Node 20's V8 allows 20 fraction digits at most (ECMA-402 now 100).
		if lo, err = number(mnfd, "minimumFractionDigits", 0, 20); err != nil {
			return err
		}
		if hi, err = number(mxfd, "maximumFractionDigits", 0, 20); err != nil {
			return err
		}
		o.MinimumFractionDigits, o.MaximumFractionDigits = ptr(lo), ptr(hi)
		switch {
		case lo < 0:
			lo = min(mnfdDefault, hi)
		case hi < 0:
			hi = max(mxfdDefault, lo)
		case lo > hi:
			return rangeError("maximumFractionDigits value is out of range.")
		}
	}
	if inc > 1 {
		if !auto || needSd || !needFd {
			return typeError("RoundingType is not fractionDigits")
		}
		if lo != hi {
			return rangeError("maximumFractionDigits not equal to minimumFractionDigits")
		}
	}
	return nil
}

// newNumberFormat reads Intl.NumberFormat's options in V8's order.
func newNumberFormat(l *cldr.Locale, r reader) (*cldr.NumberFormat, error) {
	var o cldr.NumberOptions
	var err error
	if _, err = r.str("localeMatcher", "lookup", "best fit"); err != nil {
		return nil, err
	}
	if v := r.get("numberingSystem"); defined(v) {
		if !typeSequence(v.String()) {
			return nil, rangeError("Invalid numberingSystem : %s", v.String())
		}
		l = l.WithNumberingSystem(v.String())
	}
	if o.Style, err = r.str("style", "decimal", "percent", "currency", "unit"); err != nil {
		return nil, err
	}
	if v := r.get("currency"); defined(v) {
		if o.Currency = v.String(); !wellFormedCurrency(o.Currency) {
			return nil, rangeError("Invalid currency code : %s", o.Currency)
		}
	}
	if o.CurrencyDisplay, err = r.str("currencyDisplay", "code", "symbol", "narrowSymbol", "name"); err != nil {
		return nil, err
	}
	if o.CurrencySign, err = r.str("currencySign", "standard", "accounting"); err != nil {
		return nil, err
	}
	if v := r.get("unit"); defined(v) {
		if o.Unit = v.String(); !cldr.IsUnit(o.Unit) {
			return nil, rangeError("Invalid unit argument for Intl.NumberFormat() '%s'", o.Unit)
		}
	}
	if o.UnitDisplay, err = r.str("unitDisplay", "short", "narrow", "long"); err != nil {
		return nil, err
	}
	switch {
	case o.Style == "currency" && o.Currency == "":
		return nil, typeError("Currency code is required with currency style.")
	case o.Style == "unit" && o.Unit == "":
		return nil, typeError("Invalid unit argument for Intl.NumberFormat() ''")
	}
	inc, err := number(r.get("roundingIncrement"), "roundingIncrement", 1, 5000)
	if err != nil {
		return nil, err
	}
	if inc > 0 && !slices.Contains(roundingIncrements, inc) {
		return nil, rangeError("roundingIncrement value is out of range.")
	}
	o.RoundingIncrement = max(inc, 0)
	if o.Notation, err = r.str("notation", "standard", "scientific", "engineering", "compact"); err != nil {
		return nil, err
	}
	mnfdDefault, mxfdDefault := 0, 3
	switch o.Style {
	case "currency":
		d := cldr.CurrencyDigits(strings.ToUpper(o.Currency))
		mnfdDefault, mxfdDefault = d, d
	case "percent":
		mxfdDefault = 0
	}
	if err := r.digitOptions(&o, mnfdDefault, mxfdDefault, inc, o.Notation == "compact"); err != nil {
		return nil, err
	}
	if o.TrailingZeroDisplay, err = r.str("trailingZeroDisplay", "auto", "stripIfInteger"); err != nil {
		return nil, err
	}
	if o.CompactDisplay, err = r.str("compactDisplay", "short", "long"); err != nil {
		return nil, err
	}
	if v := r.get("useGrouping"); defined(v) {
		switch {
		case v.Export() == true:
			o.UseGrouping = "always"
		case !v.ToBoolean():
			o.UseGrouping = "false"
		default:
			switch s := v.String(); s {
			case "true", "false":
			case "min2", "auto", "always":
				o.UseGrouping = s
			default:
				return nil, rangeError("Value %s out of range for %s options property useGrouping", s, r.context)
			}
		}
	}
	if o.SignDisplay, err = r.str("signDisplay", "auto", "never", "always", "exceptZero", "negative"); err != nil {
		return nil, err
	}
	if o.RoundingMode, err = r.str("roundingMode", "ceil", "floor", "expand", "trunc", "halfCeil", "halfFloor", "halfExpand", "halfTrunc", "halfEven"); err != nil {
		return nil, err
	}
	return cldr.NewNumberFormat(l, o)
}

// typeSequence tells a Unicode locale type like "latn" or "arab".
func typeSequence(s string) bool {
	for _, part := range strings.Split(s, "-") {
		if len(part) < 3 || len(part) > 8 || !alnum(part) {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func wellFormedCurrency(s string) bool {
	return len(s) == 3 && alnum(s) && strings.IndexAny(s, "0123456789") < 0
}

//------------------------------------------------------------------------------

// pluralRules is one Intl.PluralRules: the rules and the format that
// rounds numbers before they are selected.
type pluralRules struct {
	rules   *cldr.PluralRules
	digits  *cldr.NumberFormat
	ordinal bool
	sig     *[2]int // the significant digits, when they round
	locale  string  // as resolvedOptions reports it
}

func newPluralRules(l *cldr.Locale, list []string, r reader) (*pluralRules, error) {
	if _, err := r.str("localeMatcher", "lookup", "best fit"); err != nil {
		return nil, err
	}
	typ, err := r.str("type", "cardinal", "ordinal")
	if err != nil {
		return nil, err
	}
	var o cldr.NumberOptions
	if err := r.digitOptions(&o, 0, 3, 1, false); err != nil {
		return nil, err
	}
	p := &pluralRules{ordinal: typ == "ordinal"}
	// Node 20 reports significant digits when they round, whatever the
	// priority, and fraction digits otherwise.
	if o.MinimumSignificantDigits != nil || o.MaximumSignificantDigits != nil || o.RoundingPriority != "" && o.RoundingPriority != "auto" {
		lo, hi := 1, 21
		if o.MinimumSignificantDigits != nil {
			lo = *o.MinimumSignificantDigits
		}
		if o.MaximumSignificantDigits != nil {
			hi = *o.MaximumSignificantDigits
		}
		p.sig = &[2]int{lo, hi}
	}
	if p.rules, err = cldr.NewPluralRules(l, p.ordinal); err != nil {
		return nil, err
	}
	p.locale = p.rules.Locale()
	if supported, _ := cldr.SupportedLocalesOf(list); len(supported) == 0 {
		// V8 reports the default locale as is, not its rules' language.
		p.locale = cldr.DefaultLocale
	}
	if p.digits, err = cldr.NewNumberFormat(l, o); err != nil {
		return nil, err
	}
	return p, nil
}

// resolved is resolvedOptions() in Node 20's order.
func (p *pluralRules) resolved() []cldr.Option {
	typ := "cardinal"
	if p.ordinal {
		typ = "ordinal"
	}
	out := []cldr.Option{{Key: "locale", Value: p.locale}, {Key: "type", Value: typ},
		{Key: "minimumIntegerDigits", Value: p.digits.MinimumIntegerDigits()}}
	if p.sig != nil {
		out = append(out, cldr.Option{Key: "minimumSignificantDigits", Value: p.sig[0]}, cldr.Option{Key: "maximumSignificantDigits", Value: p.sig[1]})
	} else {
		out = append(out, cldr.Option{Key: "minimumFractionDigits", Value: p.digits.MinimumFractionDigits()},
			cldr.Option{Key: "maximumFractionDigits", Value: p.digits.MaximumFractionDigits()})
	}
	return append(out, cldr.Option{Key: "pluralCategories", Value: p.rules.Categories()})
}

//------------------------------------------------------------------------------

// collatorOptions reads the options String.prototype.localeCompare passes
// to Intl.Collator, in V8's order, as x/text's collation options (CLDR
// root collation with the language's tailoring; caseFirst, usage and
// ignorePunctuation are read but not applied).
func collatorOptions(r reader) ([]collate.Option, string, error) {
	var opts []collate.Option
	key := ""
	if _, err := r.str("usage", "sort", "search"); err != nil {
		return nil, "", err
	}
	if _, err := r.str("localeMatcher", "lookup", "best fit"); err != nil {
		return nil, "", err
	}
	if v := r.get("collation"); defined(v) && !typeSequence(v.String()) {
		return nil, "", rangeError("Invalid collation : %s", v.String())
	}
	if v := r.get("numeric"); defined(v) && v.ToBoolean() {
		opts, key = append(opts, collate.Numeric), key+"n"
	}
	if _, err := r.str("caseFirst", "upper", "lower", "false"); err != nil {
		return nil, "", err
	}
	sensitivity, err := r.str("sensitivity", "base", "accent", "case", "variant")
	if err != nil {
		return nil, "", err
	}
	switch sensitivity {
	case "base", "case": // "case" adds caseLevel's comparison
		opts = append(opts, collate.IgnoreCase, collate.IgnoreDiacritics)
	case "accent":
		opts = append(opts, collate.IgnoreCase)
	}
	r.get("ignorePunctuation")
	return opts, key + sensitivity, nil
}

// caseLevel orders strings equal at the primary level by the case of
// their letters, lower case first, as ICU's case level does (x/text has no
// case level: its tertiary level also tells width and kana apart).
func caseLevel(a, b string) int {
	cased := func(s string) []bool {
		var out []bool
		for _, r := range s {
			if unicode.IsUpper(r) || unicode.IsLower(r) {
				out = append(out, unicode.IsUpper(r))
			}
		}
		return out
	}
	ca, cb := cased(a), cased(b)
	for i := range min(len(ca), len(cb)) {
		if ca[i] != cb[i] {
			if cb[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

//------------------------------------------------------------------------------

// source defines the Intl constructors and the methods built on them on
// top of the Go helpers in host.
//
//go:embed intl.js
var source string

var program = goja.MustCompile("web:intl", source, true)

// Global defines Intl.DateTimeFormat, Intl.NumberFormat, Intl.PluralRules
// and the methods built on them (see source). The CLDR data is decoded on
// first use, not here.
func Global() node.Global { return node.Global{Name: "Intl", Install: install} }

func install(rt *goja.Runtime, _ node.Host) error {
	throw := func(err error) {
		var oe *optionError
		if errors.As(err, &oe) {
			ctor, _ := rt.Get(oe.kind).(*goja.Object)
			obj, _ := rt.New(ctor, rt.ToValue(oe.msg))
			panic(obj)
		}
		if errors.Is(err, cldr.ErrInvalidOption) || errors.Is(err, cldr.ErrDigitRange) {
			// The glue throws V8's message first; these are cldr's own
			// checks that the glue does not repeat.
			ctor, _ := rt.Get("RangeError").(*goja.Object)
			obj, _ := rt.New(ctor, rt.ToValue(err.Error()))
			panic(obj)
		}
		panic(rt.NewGoError(err))
	}
	// locale resolves the locale list intl.js passes as the first argument.
	locale := func(call goja.FunctionCall) (*cldr.Locale, []string) {
		var list []string
		if err := rt.ExportTo(call.Argument(0), &list); err != nil {
			panic(rt.NewTypeError("intl: locale list: %v", err))
		}
		l, err := resolveLocale(list)
		if err != nil {
			throw(err)
		}
		return l, list
	}
	options := func(call goja.FunctionCall, context string) reader {
		return reader{get: call.Argument(1).ToObject(rt).Get, context: context}
	}
	parts := func(ps []cldr.Part) goja.Value {
		out := make([]any, len(ps))
		for i, p := range ps {
			obj := rt.NewObject()
			_ = obj.Set("type", p.Type)
			_ = obj.Set("value", p.Value)
			out[i] = obj
		}
		return rt.NewArray(out...)
	}
	object := func(opts []cldr.Option) goja.Value {
		obj := rt.NewObject()
		for _, kv := range opts {
			v := kv.Value
			if s, ok := v.([]string); ok {
				v = rt.NewArray(toAny(s)...)
			}
			_ = obj.Set(kv.Key, v)
		}
		return obj
	}
	handle := func(v goja.Value) any { return v.Export() }
	instant := func(v goja.Value) time.Time { return time.UnixMilli(int64(v.ToFloat())) }
	// numberArg formats a Number, or a BigInt's or decimal string's exact
	// digits (intl.js marks a BigInt with a trailing "n").
	numberArg := func(f *cldr.NumberFormat, v goja.Value, toParts bool) goja.Value {
		if s, ok := v.Export().(string); ok {
			s = strings.TrimSuffix(s, "n")
			if toParts {
				return parts(f.FormatStringToParts(s))
			}
			return rt.ToValue(f.FormatString(s))
		}
		if toParts {
			return parts(f.FormatToParts(v.ToFloat()))
		}
		return rt.ToValue(f.Format(v.ToFloat()))
	}
	host := map[string]func(goja.FunctionCall) goja.Value{
		"resolve": func(call goja.FunctionCall) goja.Value {
			l, _ := locale(call)
			f, err := newDateTimeFormat(l, options(call, call.Argument(2).String()))
			if err != nil {
				throw(err)
			}
			return rt.ToValue(f)
		},
		"format": func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(handle(call.Argument(0)).(*cldr.DateTimeFormat).Format(instant(call.Argument(1))))
		},
		"formatToParts": func(call goja.FunctionCall) goja.Value {
			return parts(handle(call.Argument(0)).(*cldr.DateTimeFormat).FormatToParts(instant(call.Argument(1))))
		},
		"resolved": func(call goja.FunctionCall) goja.Value {
			return object(handle(call.Argument(0)).(*cldr.DateTimeFormat).ResolvedOptions())
		},
		"numberResolve": func(call goja.FunctionCall) goja.Value {
			l, _ := locale(call)
			f, err := newNumberFormat(l, options(call, call.Argument(2).String()))
			if err != nil {
				throw(err)
			}
			return rt.ToValue(f)
		},
		"numberFormat": func(call goja.FunctionCall) goja.Value {
			return numberArg(handle(call.Argument(0)).(*cldr.NumberFormat), call.Argument(1), false)
		},
		"numberFormatToParts": func(call goja.FunctionCall) goja.Value {
			return numberArg(handle(call.Argument(0)).(*cldr.NumberFormat), call.Argument(1), true)
		},
		"numberResolved": func(call goja.FunctionCall) goja.Value {
			return object(handle(call.Argument(0)).(*cldr.NumberFormat).ResolvedOptions())
		},
		"pluralResolve": func(call goja.FunctionCall) goja.Value {
			l, list := locale(call)
			p, err := newPluralRules(l, list, options(call, "Intl.PluralRules"))
			if err != nil {
				throw(err)
			}
			return rt.ToValue(p)
		},
		"pluralSelect": func(call goja.FunctionCall) goja.Value {
			p := handle(call.Argument(0)).(*pluralRules)
			return rt.ToValue(p.rules.SelectString(p.digits.PluralDigits(call.Argument(1).ToFloat())))
		},
		"pluralResolved": func(call goja.FunctionCall) goja.Value {
			return object(handle(call.Argument(0)).(*pluralRules).resolved())
		},
		"supportedLocalesOf": func(call goja.FunctionCall) goja.Value {
			var list []string
			if err := rt.ExportTo(call.Argument(0), &list); err != nil {
				panic(rt.NewTypeError("intl: locale list: %v", err))
			}
			out, err := cldr.SupportedLocalesOf(list)
			if errors.Is(err, cldr.ErrInvalidLocale) {
				err = rangeError("Incorrect locale information provided")
			}
			if err != nil {
				throw(err)
			}
			return rt.NewArray(toAny(out)...)
		},
		"canonicalLocale": func(call goja.FunctionCall) goja.Value {
			t, err := cldr.ParseTag(call.Argument(0).String())
			if err != nil {
				throw(rangeError("Incorrect locale information provided"))
			}
			return rt.ToValue(t.String())
		},
	}
	// Collators are kept per VM (they are not safe for concurrent use),
	// keyed by the locales and options as given, so that sorting does not
	// resolve the locale for every comparison.
	collators := map[string]*collate.Collator{}
	collator := func(list []string, key string, opts []collate.Option) *collate.Collator {
		key = strings.Join(list, "\x00") + "/" + key
		if c, ok := collators[key]; ok {
			return c
		}
		l, err := resolveLocale(list)
		if err != nil {
			throw(err)
		}
		if len(collators) >= 64 {
			clear(collators)
		}
		c := collate.New(language.Make(l.String()), opts...)
		collators[key] = c
		return c
	}
	compare := func(c *collate.Collator, a, b goja.Value, caseLevels bool) goja.Value {
		x, y := norm.NFD.String(a.String()), norm.NFD.String(b.String())
		r := c.CompareString(x, y)
		if r == 0 && caseLevels {
			r = caseLevel(x, y)
		}
		return rt.ToValue(r)
	}
	host["compare"] = func(call goja.FunctionCall) goja.Value {
		var list []string
		if err := rt.ExportTo(call.Argument(0), &list); err != nil {
			panic(rt.NewTypeError("intl: locale list: %v", err))
		}
		opts, key, err := collatorOptions(options(call, "String.prototype.localeCompare"))
		if err != nil {
			throw(err)
		}
		return compare(collator(list, key, opts), call.Argument(2), call.Argument(3), strings.HasSuffix(key, "case"))
	}
	// compareIn is compare for one locale tag ("" for none) and no options.
	host["compareIn"] = func(call goja.FunctionCall) goja.Value {
		var list []string
		if tag := call.Argument(0).String(); tag != "" {
			list = []string{tag}
		}
		return compare(collator(list, "", nil), call.Argument(1), call.Argument(2), false)
	}
	hostObj := rt.NewObject()
	for name, fn := range host {
		_ = hostObj.Set(name, fn)
	}
	fnVal, err := rt.RunProgram(program)
	if err != nil {
		return fmt.Errorf("intl: %w", err)
	}
	fn, _ := goja.AssertFunction(fnVal)
	if _, err := fn(goja.Undefined(), rt.GlobalObject(), hostObj); err != nil {
		return fmt.Errorf("intl: %w", err)
	}
	return nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
