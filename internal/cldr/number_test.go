package cldr

import (
	"errors"
	"fmt"
	"testing"
)

type numberCase struct {
	Locale   string
	Options  map[string]any
	Method   string
	Value    *float64
	Format   string
	Parts    []Part
	Resolved map[string]any
}

func numberOptions(m map[string]any) NumberOptions {
	var o NumberOptions
	str := func(k string) string {
		s, _ := m[k].(string)
		return s
	}
	num := func(k string) *int {
		if v, ok := m[k].(float64); ok {
			n := int(v)
			return &n
		}
		return nil
	}
	o.Unit, o.UnitDisplay = str("unit"), str("unitDisplay")
	o.Style, o.Currency, o.CurrencyDisplay, o.CurrencySign = str("style"), str("currency"), str("currencyDisplay"), str("currencySign")
	o.Notation, o.CompactDisplay, o.SignDisplay = str("notation"), str("compactDisplay"), str("signDisplay")
	o.RoundingMode, o.RoundingPriority, o.TrailingZeroDisplay = str("roundingMode"), str("roundingPriority"), str("trailingZeroDisplay")
	switch v := m["useGrouping"].(type) {
	case bool:
		if !v {
			o.UseGrouping = "false"
		}
	case string:
		o.UseGrouping = v
	}
	if n := num("roundingIncrement"); n != nil {
		o.RoundingIncrement = *n
	}
	if n := num("minimumIntegerDigits"); n != nil {
		o.MinimumIntegerDigits = *n
	}
	o.MinimumFractionDigits, o.MaximumFractionDigits = num("minimumFractionDigits"), num("maximumFractionDigits")
	o.MinimumSignificantDigits, o.MaximumSignificantDigits = num("minimumSignificantDigits"), num("maximumSignificantDigits")
	return o
}

func numberGap(c numberCase) string {
	// Node (ICU 78) writes Turkish accounting negatives with a minus sign
	// and puts the symbol before amounts with the currency's name; CLDR
	// 48's JSON (also 48.2) has "(¤#,##0.00)" and "{0} {1}".
	if c.Locale == "tr-TR" && c.Options["style"] == "currency" && (c.Options["currencyDisplay"] == "name" || c.Options["currencySign"] == "accounting") {
		return "tr currency data"
	}
	// CLDR's JSON has root's symbols for latn only; ICU has them for
	// other numbering systems too (en-u-nu-arab uses arab separators).
	if c.Locale == "en-u-nu-arab-hc-h11" {
		return "root symbols of other numbering systems"
	}
	return ""
}

func TestNumberFixtures(t *testing.T) {
	ty := &tally{t: t, name: "number"}
	for _, c := range loadFixtures[numberCase](t, "numbers.json") {
		l := MustResolve(c.Locale)
		f, err := NewNumberFormat(l, numberOptions(c.Options))
		if err != nil {
			t.Fatalf("%s %v: %v", c.Locale, c.Options, err)
		}
		id := fmt.Sprintf("%s %s%v", c.Locale, c.Method, c.Options)
		gap := numberGap(c)
		if c.Resolved != nil {
			got := map[string]any{}
			for _, kv := range f.ResolvedOptions() {
				got[kv.Key] = kv.Value
			}
			ty.check(id+" resolved", got, c.Resolved, gap)
			continue
		}
		id += fmt.Sprintf(" %v", *c.Value)
		ty.check(id, f.Format(*c.Value), c.Format, gap)
		if c.Parts != nil {
			ty.check(id+" parts", f.FormatToParts(*c.Value), c.Parts, gap)
		}
	}
	ty.report()
}

func TestFormatStringAsNode(t *testing.T) {
	// Recorded from Node 20: strings keep their digits within a double's
	// range.
	nf, err := NewNumberFormat(MustResolve("en"), NumberOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"1e999999999": "∞", "1e400": "∞", "-1e400": "-∞", "1e-400": "0", "0x10": "16", "  12  ": "12", "": "0",
		"abc": "NaN", "1_000": "NaN", ".5": "0.5", "5.": "5", "+3": "3", "-0": "-0", "1e21": "1,000,000,000,000,000,000,000",
		"123456789012345678901234567890.5": "123,456,789,012,345,678,901,234,567,890.5",
	} {
		if got := nf.FormatString(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	l := MustResolve("en")
	three, one := 3, 1
	for _, o := range []NumberOptions{
		{Style: "money"}, {Style: "currency"}, {Style: "currency", Currency: "EURO"}, {Style: "unit", Unit: "parsec"},
		{Style: "unit", Unit: "meter-per-parsec"}, {Notation: "fancy"}, {RoundingMode: "up"},
		{MinimumFractionDigits: &three, MaximumFractionDigits: &one}, {RoundingIncrement: 3},
		{RoundingIncrement: 5, MaximumFractionDigits: &three, MinimumFractionDigits: &one},
	} {
		if _, err := NewNumberFormat(l, o); !errors.Is(err, ErrInvalidOption) && !errors.Is(err, ErrDigitRange) {
			t.Errorf("%+v: got %v, want an option error", o, err)
		}
	}
	for _, o := range []DateTimeOptions{
		{Month: "tiny"}, {HourCycle: "h25"}, {FractionalSecondDigits: 4}, {DateStyle: "short", Hour: "numeric"},
		{TimeStyle: "short", Required: "date"},
	} {
		if _, err := NewDateTimeFormat(l, o); !errors.Is(err, ErrInvalidOption) && !errors.Is(err, ErrStyleConflict) {
			t.Errorf("%+v: got %v, want an option error", o, err)
		}
	}
}
