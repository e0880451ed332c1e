package cldr

import (
	"testing"
	"time"
)

// Plugins control every string and option that reaches the formats: none
// may panic or produce output out of proportion to the input.
func FuzzFormatString(f *testing.F) {
	for _, s := range []string{"1e999999999", "1e-400", "123456789012345678901234567890.5", "0x10", "", "abc", "-0", "1e21", ".5", "5.", "-Infinity"} {
		f.Add(s, "de-AT", 3)
	}
	f.Fuzz(func(t *testing.T, s, tag string, digits int) {
		l, err := Resolve(tag)
		if err != nil {
			return
		}
		mf := digits % 101
		if mf < 0 {
			mf = -mf
		}
		for _, o := range []NumberOptions{{MaximumFractionDigits: &mf}, {Notation: "compact"}, {Notation: "scientific"}, {Style: "currency", Currency: "JPY"}} {
			nf, err := NewNumberFormat(l, o)
			if err != nil {
				return
			}
			if out := nf.FormatString(s); len(out) > 8*len(s)+512 {
				t.Fatalf("%q formats to %d bytes", s, len(out))
			}
		}
	})
}

func FuzzTagAndPlural(f *testing.F) {
	for _, s := range []string{"en-US", "zh-Hant-TW-u-nu-hanidec", "x-private", "de-u-hc-h23", "sr-Latn-RS", "1.50"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if l, err := Resolve(s); err == nil {
			p, err := NewPluralRules(l, true)
			if err != nil {
				t.Fatal(err)
			}
			_ = p.SelectString(s)
			df, err := NewDateTimeFormat(l, DateTimeOptions{DateStyle: "full", TimeStyle: "full"})
			if err != nil {
				t.Fatal(err)
			}
			_ = df.Format(time.Unix(0, 0))
		}
		_, _ = CanonicalTimeZone(s)
	})
}
