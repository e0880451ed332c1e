package cldr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// DefaultLocale is the locale used when none of the requested ones is
// available (Node's default in a UTC, C-locale environment).
const DefaultLocale = "en-US"

// ErrInvalidLocale reports a language tag that is not well formed; Intl
// throws a RangeError("Incorrect locale information provided") for it.
var ErrInvalidLocale = errors.New("cldr: incorrect locale information provided")

// languageAliases are CLDR's deprecated language codes that Intl
// canonicalizes.
var languageAliases = map[string]string{"iw": "he", "in": "id", "ji": "yi", "mo": "ro", "tl": "fil"}

// Tag is a parsed BCP 47 language tag: language, script, region and the
// Unicode extension keywords (-u-nu-arab), which Intl reads.
type Tag struct {
	Language, Script, Region string
	Variants                 []string
	Keywords                 map[string]string // u extension key → type
}

// ParseTag parses and canonicalizes a language tag (case, deprecated
// language codes).
func ParseTag(s string) (Tag, error) {
	var t Tag
	parts := strings.Split(s, "-")
	if s == "" || len(parts) == 0 {
		return t, fmt.Errorf("%w: %q", ErrInvalidLocale, s)
	}
	bad := func() (Tag, error) { return Tag{}, fmt.Errorf("%w: %q", ErrInvalidLocale, s) }
	lang := strings.ToLower(parts[0])
	if !isAlpha(lang) || len(lang) < 2 || len(lang) > 8 || len(lang) == 4 {
		return bad()
	}
	if a, ok := languageAliases[lang]; ok {
		lang = a
	}
	t.Language = lang
	i := 1
	if i < len(parts) && len(parts[i]) == 4 && isAlpha(parts[i]) {
		p := strings.ToLower(parts[i])
		t.Script = strings.ToUpper(p[:1]) + p[1:]
		i++
	}
	if i < len(parts) && ((len(parts[i]) == 2 && isAlpha(parts[i])) || (len(parts[i]) == 3 && isDigits(parts[i]))) {
		t.Region = strings.ToUpper(parts[i])
		i++
	}
	for i < len(parts) && (len(parts[i]) >= 5 && len(parts[i]) <= 8 || len(parts[i]) == 4 && parts[i][0] >= '0' && parts[i][0] <= '9') {
		t.Variants = append(t.Variants, strings.ToLower(parts[i]))
		i++
	}
	for i < len(parts) {
		single := strings.ToLower(parts[i])
		if len(single) != 1 {
			return bad()
		}
		i++
		start := i
		for i < len(parts) && len(parts[i]) > 1 {
			if len(parts[i]) > 8 || !isAlnum(parts[i]) {
				return bad()
			}
			i++
		}
		if i == start {
			return bad()
		}
		if single == "x" {
			break // private use: ignored
		}
		if single != "u" {
			continue
		}
		key := ""
		for _, p := range parts[start:i] {
			p = strings.ToLower(p)
			if len(p) == 2 {
				key = p
				if t.Keywords == nil {
					t.Keywords = map[string]string{}
				}
				if _, dup := t.Keywords[key]; !dup {
					t.Keywords[key] = ""
				}
				continue
			}
			if key != "" && t.Keywords[key] == "" {
				t.Keywords[key] = p
			}
		}
	}
	return t, nil
}

// Base is the tag without extensions ("de-AT").
func (t Tag) Base() string {
	s := t.Language
	if t.Script != "" {
		s += "-" + t.Script
	}
	if t.Region != "" {
		s += "-" + t.Region
	}
	for _, v := range t.Variants {
		s += "-" + v
	}
	return s
}

// String is the canonical tag with its Unicode extension keywords in key
// order ("ar-EG-u-nu-latn"), as Intl.getCanonicalLocales writes it.
func (t Tag) String() string {
	s := t.Base()
	if len(t.Keywords) == 0 {
		return s
	}
	keys := make([]string, 0, len(t.Keywords))
	for k := range t.Keywords {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s += "-u"
	for _, k := range keys {
		s += "-" + k
		if v := t.Keywords[k]; v != "" && v != "true" {
			s += "-" + v
		}
	}
	return s
}

func isAlpha(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// dataTag maps an available tag to the first locale with data, or "" when
// the tag is not available: default-content locales (de-DE) use their
// parent's data and a language-region tag of a multi-script language
// (zh-TW) its likely script's locale (zh-Hant-TW).
func (d *dataFile) dataTag(tag string) string {
	for i := 0; i < 4 && tag != ""; i++ {
		if d.hasData[tag] {
			return tag
		}
		if d.defaultContent[tag] {
			tag = d.parent(tag)
			continue
		}
		t, err := ParseTag(tag)
		if err != nil || t.Script != "" || t.Region == "" {
			return ""
		}
		full, ok := d.LikelySubtags[t.Language+"-"+t.Region]
		if !ok {
			if full, ok = d.LikelySubtags[t.Language]; !ok {
				return ""
			}
		}
		ft, err := ParseTag(full)
		if err != nil || ft.Script == "" {
			return ""
		}
		tag = t.Language + "-" + ft.Script + "-" + t.Region
	}
	return ""
}

// bestAvailable is ECMA-402's BestAvailableLocale: the longest prefix of
// tag that has data ("" if none).
func (d *dataFile) bestAvailable(tag string) string {
	for tag != "" {
		if d.dataTag(tag) != "" {
			return tag
		}
		i := strings.LastIndexByte(tag, '-')
		if i < 0 {
			return ""
		}
		tag = tag[:i]
		if len(tag) >= 2 && tag[len(tag)-2] == '-' { // drop a singleton left behind
			tag = tag[:len(tag)-2]
		}
	}
	return ""
}

// Locale is a resolved locale: the tag Intl reports and its data chain.
type Locale struct {
	tag      string // as resolvedOptions().locale reports it, without extensions
	parsed   Tag
	keywords map[string]string // requested Unicode extension keywords
	chain    []map[string]string
	data     *dataFile
}

// Resolve picks the first of the requested tags that is available, or its
// longest available prefix (de-XX → de), as Intl's lookup and best-fit
// matchers both do in Node; with none it resolves DefaultLocale. A tag
// that is not well formed is an error.
func Resolve(requested ...string) (*Locale, error) {
	d, err := loadData()
	if err != nil {
		return nil, err
	}
	// Every tag is checked before any is matched, as Intl canonicalizes
	// the whole list first.
	tags := make([]Tag, 0, len(requested))
	for _, r := range requested {
		t, err := ParseTag(r)
		if err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	for _, t := range tags {
		if best := d.bestAvailable(t.Base()); best != "" {
			return d.newLocale(best, t.Keywords), nil
		}
	}
	return d.newLocale(DefaultLocale, nil), nil
}

// MustResolve is Resolve for tags known to be valid.
func MustResolve(requested ...string) *Locale {
	l, err := Resolve(requested...)
	if err != nil {
		panic(err)
	}
	return l
}

func (d *dataFile) newLocale(tag string, kw map[string]string) *Locale {
	t, _ := ParseTag(tag)
	return &Locale{tag: tag, parsed: t, keywords: kw, chain: d.chain(d.dataTag(tag)), data: d}
}

// SupportedLocalesOf returns the canonicalized requested tags that have an
// available locale (itself or a prefix), in order, without duplicates.
func SupportedLocalesOf(requested []string) ([]string, error) {
	d, err := loadData()
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range requested {
		t, err := ParseTag(r)
		if err != nil {
			return nil, err
		}
		canon := t.Base()
		if d.bestAvailable(canon) == "" || seen[canon] {
			continue
		}
		seen[canon] = true
		out = append(out, canon)
	}
	return out, nil
}

// String is the locale's tag ("de-AT").
func (l *Locale) String() string { return l.tag }

// tagWith is the locale's tag with the given Unicode extension keywords
// (as resolvedOptions().locale reports the ones that took effect).
func (l *Locale) tagWith(kw map[string]string) string {
	if len(kw) == 0 {
		return l.tag
	}
	t, _ := ParseTag(l.tag)
	t.Keywords = kw
	return t.String()
}

// validNumberingSystem reports whether the -u-nu- keyword names a decimal
// numbering system.
func (l *Locale) validNumberingSystem() bool {
	_, ok := l.data.Digits[l.keywords["nu"]]
	return ok
}

// Language is the language subtag ("de").
func (l *Locale) Language() string { return l.parsed.Language }

// Keyword returns a requested Unicode extension keyword (e.g. "nu").
func (l *Locale) Keyword(key string) string { return l.keywords[key] }

func (l *Locale) get(key string) string {
	v, _ := lookup(l.chain, key)
	return v
}

// region is the locale's region, or its likely region (ja → JP).
func (l *Locale) region() string {
	if l.parsed.Region != "" {
		return l.parsed.Region
	}
	for _, k := range []string{l.parsed.Language + "-" + l.parsed.Script, l.parsed.Language} {
		if full, ok := l.data.LikelySubtags[k]; ok {
			if t, err := ParseTag(full); err == nil {
				return t.Region
			}
		}
	}
	return "001"
}
