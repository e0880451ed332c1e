package cldr

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Plural categories in CLDR's order (resolvedOptions().pluralCategories).
var pluralOrder = []string{"zero", "one", "two", "few", "many", "other"}

// Operands are CLDR's plural operands of a decimal number as written:
// n absolute value, i integer digits, v number of visible fraction
// digits, w the same without trailing zeros, f and t the fraction digits
// with and without trailing zeros, e the compact exponent.
type Operands struct {
	N          float64
	I, V, W, F int64
	T, E       int64
	nonFinite  bool // NaN and the infinities are "other" everywhere
}

// OperandsOf reads the operands of a plain decimal string such as "-1.50"
// (digits as formatted, so "1.0" has v=1).
func OperandsOf(s string) (Operands, error) {
	var o Operands
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" || !isDigits(intPart) && intPart != "" || frac != "" && !isDigits(frac) {
		return o, fmt.Errorf("cldr: not a decimal number: %q", s)
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return o, fmt.Errorf("cldr: not a decimal number: %q: %w", s, err)
	}
	o.N = n
	// Large integers: the rules only use i modulo small powers of ten.
	if len(intPart) > 15 {
		intPart = intPart[len(intPart)-15:]
	}
	if intPart != "" {
		o.I, _ = strconv.ParseInt(intPart, 10, 64)
	}
	o.V = int64(len(frac))
	trimmed := strings.TrimRight(frac, "0")
	o.W = int64(len(trimmed))
	if len(frac) > 18 {
		frac = frac[:18]
	}
	if len(trimmed) > 18 {
		trimmed = trimmed[:18]
	}
	if frac != "" {
		o.F, _ = strconv.ParseInt(frac, 10, 64)
	}
	if trimmed != "" {
		o.T, _ = strconv.ParseInt(trimmed, 10, 64)
	}
	return o, nil
}

// pluralRule is a parsed rule: an OR of ANDs of relations.
type pluralRule [][]relation

type relation struct {
	operand byte
	mod     int64
	negate  bool
	ranges  [][2]float64
}

func (o Operands) value(op byte) float64 {
	switch op {
	case 'n':
		return o.N
	case 'i':
		return float64(o.I)
	case 'v':
		return float64(o.V)
	case 'w':
		return float64(o.W)
	case 'f':
		return float64(o.F)
	case 't':
		return float64(o.T)
	case 'c', 'e':
		return float64(o.E)
	}
	return 0
}

func (r pluralRule) match(o Operands) bool {
	if len(r) == 0 {
		return true
	}
	for _, and := range r {
		ok := true
		for _, rel := range and {
			if !rel.match(o) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (rel relation) match(o Operands) bool {
	x := o.value(rel.operand)
	if rel.mod != 0 {
		x = math.Mod(x, float64(rel.mod))
	}
	in := false
	for _, rg := range rel.ranges {
		// A range matches integers only: 1.5 is not in 1..2.
		if x >= rg[0] && x <= rg[1] && (rg[0] == rg[1] || x == math.Trunc(x)) {
			in = true
			break
		}
	}
	return in != rel.negate
}

// parsePluralRule parses CLDR's rule syntax (without samples), e.g.
// "n % 10 = 3..4,9 and n % 100 != 10..19 or v != 0".
func parsePluralRule(s string) (pluralRule, error) {
	var rule pluralRule
	s = strings.TrimSpace(s)
	if s == "" {
		return rule, nil
	}
	for _, orPart := range strings.Split(s, " or ") {
		var and []relation
		for _, relText := range strings.Split(orPart, " and ") {
			rel, err := parseRelation(strings.TrimSpace(relText))
			if err != nil {
				return nil, fmt.Errorf("cldr: plural rule %q: %w", s, err)
			}
			and = append(and, rel)
		}
		rule = append(rule, and)
	}
	return rule, nil
}

func parseRelation(s string) (relation, error) {
	var rel relation
	var lhs, rhs string
	if l, r, ok := strings.Cut(s, "!="); ok {
		lhs, rhs, rel.negate = l, r, true
	} else if l, r, ok := strings.Cut(s, "="); ok {
		lhs, rhs = l, r
	} else {
		return rel, fmt.Errorf("no = or != in %q", s)
	}
	lhs = strings.TrimSpace(lhs)
	if op, mod, ok := strings.Cut(lhs, "%"); ok {
		m, err := strconv.ParseInt(strings.TrimSpace(mod), 10, 64)
		if err != nil {
			return rel, fmt.Errorf("modulus in %q: %w", s, err)
		}
		rel.mod = m
		lhs = strings.TrimSpace(op)
	}
	if len(lhs) != 1 || !strings.Contains("niwvftce", lhs) {
		return rel, fmt.Errorf("unknown operand %q", lhs)
	}
	rel.operand = lhs[0]
	for _, item := range strings.Split(rhs, ",") {
		item = strings.TrimSpace(item)
		lo, hi, isRange := strings.Cut(item, "..")
		a, err := strconv.ParseFloat(lo, 64)
		if err != nil {
			return rel, fmt.Errorf("range %q: %w", item, err)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseFloat(hi, 64); err != nil {
				return rel, fmt.Errorf("range %q: %w", item, err)
			}
		}
		rel.ranges = append(rel.ranges, [2]float64{a, b})
	}
	return rel, nil
}

// PluralRules selects CLDR plural categories for one locale.
type PluralRules struct {
	locale string
	rules  []namedRule
}

type namedRule struct {
	category string
	rule     pluralRule
}

var pluralCache sync.Map // "c:lang" or "o:lang" → *PluralRules

// NewPluralRules returns the cardinal (ordinal false) or ordinal rules of
// the locale's language.
func NewPluralRules(l *Locale, ordinal bool) (*PluralRules, error) {
	key := "c:"
	src := l.data.Plurals
	if ordinal {
		key, src = "o:", l.data.Ordinals
	}
	// ICU keeps plural rules per language, with a few regional variants
	// (pt-PT).
	lang := l.Language()
	if l.parsed.Region != "" {
		_, c := l.data.Plurals[lang+"-"+l.parsed.Region]
		_, o := l.data.Ordinals[lang+"-"+l.parsed.Region]
		if c || o {
			lang += "-" + l.parsed.Region
		}
	}
	key += lang
	if p, ok := pluralCache.Load(key); ok {
		return p.(*PluralRules), nil
	}
	p := &PluralRules{locale: lang}
	rules, ok := src[lang]
	if !ok {
		rules = src[l.Language()]
	}
	for _, cat := range pluralOrder {
		text, ok := rules[cat]
		if !ok {
			continue
		}
		r, err := parsePluralRule(text)
		if err != nil {
			return nil, err
		}
		p.rules = append(p.rules, namedRule{cat, r})
	}
	if len(p.rules) == 0 {
		p.rules = []namedRule{{category: "other"}}
	}
	pluralCache.Store(key, p)
	return p, nil
}

// Select returns the category of a number given as its formatted decimal
// digits ("1.0"; see OperandsOf).
func (p *PluralRules) Select(o Operands) string {
	if o.nonFinite {
		return "other"
	}
	for _, r := range p.rules {
		if r.category != "other" && r.rule.match(o) {
			return r.category
		}
	}
	return "other"
}

// SelectString is Select for a decimal string; malformed input is "other".
func (p *PluralRules) SelectString(s string) string {
	o, err := OperandsOf(s)
	if err != nil {
		return "other"
	}
	return p.Select(o)
}

// Categories lists the locale's categories as Node's
// resolvedOptions().pluralCategories does: alphabetically, "other" last.
func (p *PluralRules) Categories() []string {
	out := make([]string, 0, len(p.rules))
	for _, r := range p.rules {
		if r.category != "other" {
			out = append(out, r.category)
		}
	}
	sort.Strings(out)
	return append(out, "other")
}

// Locale is the locale whose rules are used (resolvedOptions().locale):
// the language, or language-region where CLDR has regional rules.
func (p *PluralRules) Locale() string { return p.locale }
