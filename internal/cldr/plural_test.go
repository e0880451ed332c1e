package cldr

import (
	"fmt"
	"testing"
)

func TestPluralFixtures(t *testing.T) {
	type pluralCase struct {
		Locale                string
		Type                  string
		Value                 *float64
		MinimumFractionDigits int
		Category              string
		Resolved              *struct {
			Locale           string
			PluralCategories []string
		}
	}
	ty := &tally{t: t, name: "plural"}
	for _, c := range loadFixtures[pluralCase](t, "plurals.json") {
		l := MustResolve(c.Locale)
		p, err := NewPluralRules(l, c.Type == "ordinal")
		if err != nil {
			t.Fatal(err)
		}
		if c.Resolved != nil {
			ty.check(c.Locale+" "+c.Type+" resolved", []any{p.Locale(), p.Categories()}, []any{c.Resolved.Locale, c.Resolved.PluralCategories}, "")
			continue
		}
		// Intl selects on the number as formatted with its digit options.
		var o NumberOptions
		if c.MinimumFractionDigits != 0 {
			o.MinimumFractionDigits = &c.MinimumFractionDigits
		}
		nf, err := NewNumberFormat(l, o)
		if err != nil {
			t.Fatal(err)
		}
		ty.check(fmt.Sprintf("%s %s %v", c.Locale, c.Type, *c.Value), p.SelectString(nf.PluralDigits(*c.Value)), c.Category, "")
	}
	ty.report()
}

func TestPluralRuleSyntax(t *testing.T) {
	tests := []struct {
		rule, value string
		want        bool
	}{
		{"i = 1 and v = 0", "1", true},
		{"i = 1 and v = 0", "1.0", false},
		{"n % 10 = 3..4,9 and n % 100 != 10..19,70..79,90..99", "23", true},
		{"n % 10 = 3..4,9 and n % 100 != 10..19,70..79,90..99", "13", false},
		{"n = 0..1", "0.5", false},
		{"i = 0..1", "0.5", true},
		{"v = 0 and i % 10 = 2..4 or f % 10 = 2..4", "1.3", true},
		{"", "7", true},
	}
	for _, tt := range tests {
		r, err := parsePluralRule(tt.rule)
		if err != nil {
			t.Fatalf("%q: %v", tt.rule, err)
		}
		o, err := OperandsOf(tt.value)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.match(o); got != tt.want {
			t.Errorf("%q on %s = %v, want %v", tt.rule, tt.value, got, tt.want)
		}
	}
	if _, err := parsePluralRule("x = 1"); err == nil {
		t.Error("unknown operand accepted")
	}
}
