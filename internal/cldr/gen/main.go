// Command gen builds internal/cldr's data/ from CLDR's published JSON
// (the npm packages pinned in package.json next to this file, installed with
// npm ci). It keeps only what Intl needs for the languages listed below and
// stores each locale as a flat map of the values that differ from its
// parent's, so the fallback chain (de-AT → de → root) is walked at run time.
//
// Run it through go generate in internal/cldr.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// languages are the languages whose locales (every region and script
// variant CLDR has) are shipped: the ~50 most used on the web.
var languages = []string{
	"af", "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fil", "fr", "he",
	"hi", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "mr", "ms", "nb", "nl", "no", "pl", "pt", "ro",
	"ru", "sk", "sl", "sr", "sv", "sw", "ta", "te", "th", "tr", "uk", "ur", "vi", "zh",
}

// sanctionedUnits are the simple units ECMA-402 allows in
// Intl.NumberFormat's unit style.
var sanctionedUnits = []string{
	"acre", "bit", "byte", "celsius", "centimeter", "day", "degree", "fahrenheit", "fluid-ounce", "foot", "gallon",
	"gigabit", "gigabyte", "gram", "hectare", "hour", "inch", "kilobit", "kilobyte", "kilogram", "kilometer", "liter",
	"megabit", "megabyte", "meter", "microsecond", "mile", "mile-scandinavian", "milliliter", "millimeter",
	"millisecond", "minute", "month", "nanosecond", "ounce", "percent", "petabyte", "pound", "second", "stone",
	"terabit", "terabyte", "week", "yard", "year",
	// Compound units CLDR names directly.
	"kilometer-per-hour", "mile-per-hour", "meter-per-second", "liter-per-kilometer", "mile-per-gallon",
}

// Data is the file's layout; internal/cldr decodes the same shape.
type Data struct {
	CLDRVersion    string                          `json:"cldrVersion"`
	Locales        map[string]map[string]string    `json:"locales,omitempty"` // locale → flat key → value ("\x00" deletes an inherited key); written to the language files
	DataLocales    []string                        `json:"dataLocales"`       // the locales that have data
	Parents        map[string]string               `json:"parents"`           // explicit parents (parentLocales)
	DefaultContent []string                        `json:"defaultContent"`    // locales served by their parent's data
	LikelySubtags  map[string]string               `json:"likelySubtags"`
	Plurals        map[string]map[string]string    `json:"plurals"`  // language → category → rule
	Ordinals       map[string]map[string]string    `json:"ordinals"` // language → category → rule
	Digits         map[string]string               `json:"digits"`   // numbering system → ten digits
	CurrencyDigits map[string]int                  `json:"currencyDigits"`
	TimeData       map[string][2]string            `json:"timeData"`    // region or locale → preferred, allowed
	MetaZones      map[string][][3]string          `json:"metaZones"`   // IANA zone → metazone, from, to (UTC "2006-01-02 15:04"; "" open)
	DayPeriods     map[string]map[string][2]string `json:"dayPeriods"`  // language → period → from (or at), before ("" for at)
	ZoneAliases    map[string]string               `json:"zoneAliases"` // IANA name or alias → canonical (CLDR's first alias, as ICU)
	ZoneCountry    map[string]string               `json:"zoneCountry"` // canonical zone → region, for generic location names
	SingleZone     map[string]bool                 `json:"singleZone"`  // regions with one zone
	PrimaryZones   map[string]string               `json:"primaryZones"`
	Units          []string                        `json:"units"` // the units ECMA-402 sanctions that CLDR names
}

func main() {
	src := flag.String("src", "gen/node_modules", "folder holding the cldr-* npm packages")
	out := flag.String("out", "data", "folder to write (replaced)")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	g := &gen{src: src}
	d, err := g.build()
	if err != nil {
		return err
	}
	// One file per language, so a process decodes only the languages it
	// formats; the rest (parents, plural rules, zones) in one file.
	byLang := map[string]map[string]map[string]string{}
	for tag, m := range d.Locales {
		lang, _, _ := strings.Cut(tag, "-")
		if byLang[lang] == nil {
			byLang[lang] = map[string]map[string]string{}
		}
		byLang[lang][tag] = m
		d.DataLocales = append(d.DataLocales, tag)
	}
	sort.Strings(d.DataLocales)
	d.Locales = nil
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("clearing %s: %w", out, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	total, err := writeGzipJSON(filepath.Join(out, "supplemental.json.gz"), d)
	if err != nil {
		return err
	}
	for lang, locales := range byLang {
		n, err := writeGzipJSON(filepath.Join(out, lang+".json.gz"), locales)
		if err != nil {
			return err
		}
		total += n
	}
	fmt.Printf("gen: %d locales in %d language files, %d bytes gzipped\n", len(d.DataLocales), len(byLang), total)
	return nil
}

func writeGzipJSON(path string, v any) (int, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("encoding %s: %w", path, err)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(raw); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	return buf.Len(), nil
}

type gen struct{ src string }

func (g *gen) read(path string, v any) error {
	b, err := os.ReadFile(filepath.Join(g.src, path))
	if err != nil {
		return fmt.Errorf("reading CLDR source (run npm ci in internal/cldr/gen): %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding %s: %w", path, err)
	}
	return nil
}

func wanted(tag string) bool {
	if tag == "und" {
		return true
	}
	lang, _, _ := strings.Cut(tag, "-")
	for _, l := range languages {
		if l == lang {
			return true
		}
	}
	return false
}

func (g *gen) build() (*Data, error) {
	d := &Data{Locales: map[string]map[string]string{}, Parents: map[string]string{}, LikelySubtags: map[string]string{},
		Plurals: map[string]map[string]string{}, Ordinals: map[string]map[string]string{}, Digits: map[string]string{},
		CurrencyDigits: map[string]int{}, TimeData: map[string][2]string{}, MetaZones: map[string][][3]string{},
		DayPeriods: map[string]map[string][2]string{}, ZoneAliases: map[string]string{},
		ZoneCountry: map[string]string{}, SingleZone: map[string]bool{}, PrimaryZones: map[string]string{}}

	var pkg struct {
		Version string `json:"version"`
	}
	if err := g.read("cldr-core/package.json", &pkg); err != nil {
		return nil, err
	}
	d.CLDRVersion = pkg.Version

	entries, err := os.ReadDir(filepath.Join(g.src, "cldr-dates-full/main"))
	if err != nil {
		return nil, fmt.Errorf("listing locales: %w", err)
	}
	flat := map[string]map[string]string{}
	for _, e := range entries {
		tag := e.Name()
		if !wanted(tag) {
			continue
		}
		m, err := g.locale(tag)
		if err != nil {
			return nil, err
		}
		flat[tag] = m
	}

	var parents struct {
		Supplemental struct {
			ParentLocales struct {
				ParentLocale map[string]string `json:"parentLocale"`
			} `json:"parentLocales"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/parentLocales.json", &parents); err != nil {
		return nil, err
	}
	for k, v := range parents.Supplemental.ParentLocales.ParentLocale {
		if wanted(k) {
			d.Parents[k] = v
		}
	}
	parentOf := func(tag string) string {
		if p, ok := d.Parents[tag]; ok {
			return p
		}
		if i := strings.LastIndexByte(tag, '-'); i > 0 {
			return tag[:i]
		}
		if tag == "und" {
			return ""
		}
		return "und"
	}
	// Keep only what differs from the parent, which CLDR's JSON has
	// already resolved.
	for tag, m := range flat {
		p := parentOf(tag)
		for p != "" && flat[p] == nil {
			p = parentOf(p)
		}
		if p == "" {
			d.Locales[tag] = m
			continue
		}
		pm := flat[p]
		own := map[string]string{}
		for k, v := range m {
			if pv, ok := pm[k]; !ok || pv != v {
				own[k] = v
			}
		}
		// CLDR marks names a child must not inherit (∅∅∅); the JSON drops
		// them, so a key the parent has and the child lacks is deleted
		// here. availableFormats are the exception: ICU unions them along
		// the chain.
		for k := range pm {
			if _, ok := m[k]; !ok && !strings.HasPrefix(k, "ca/dateTimeFormats/availableFormats/") {
				own[k] = "\x00"
			}
		}
		d.Locales[tag] = own
	}

	var dc struct {
		DefaultContent []string `json:"defaultContent"`
	}
	if err := g.read("cldr-core/defaultContent.json", &dc); err != nil {
		return nil, err
	}
	for _, t := range dc.DefaultContent {
		if wanted(t) {
			d.DefaultContent = append(d.DefaultContent, t)
		}
	}
	sort.Strings(d.DefaultContent)

	var likely struct {
		Supplemental struct {
			LikelySubtags map[string]string `json:"likelySubtags"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/likelySubtags.json", &likely); err != nil {
		return nil, err
	}
	for k, v := range likely.Supplemental.LikelySubtags {
		if wanted(k) {
			d.LikelySubtags[k] = v
		}
	}

	for file, dst := range map[string]map[string]map[string]string{"plurals.json": d.Plurals, "ordinals.json": d.Ordinals} {
		var raw struct {
			Supplemental map[string]json.RawMessage `json:"supplemental"`
		}
		if err := g.read("cldr-core/supplemental/"+file, &raw); err != nil {
			return nil, err
		}
		for k, v := range raw.Supplemental {
			if !strings.HasPrefix(k, "plurals-type-") {
				continue
			}
			var rules map[string]map[string]string
			if err := json.Unmarshal(v, &rules); err != nil {
				return nil, fmt.Errorf("decoding %s: %w", file, err)
			}
			for lang, r := range rules {
				if !wanted(lang) {
					continue
				}
				cats := map[string]string{}
				for rk, rv := range r {
					cat := strings.TrimPrefix(rk, "pluralRule-count-")
					// The samples after @ are documentation.
					rule, _, _ := strings.Cut(rv, "@")
					cats[cat] = strings.TrimSpace(rule)
				}
				dst[lang] = cats
			}
		}
	}

	var ns struct {
		Supplemental struct {
			NumberingSystems map[string]struct {
				Type   string `json:"_type"`
				Digits string `json:"_digits"`
			} `json:"numberingSystems"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/numberingSystems.json", &ns); err != nil {
		return nil, err
	}
	for k, v := range ns.Supplemental.NumberingSystems {
		if v.Type == "numeric" {
			d.Digits[k] = v.Digits
		}
	}

	var cur struct {
		Supplemental struct {
			CurrencyData struct {
				Fractions map[string]struct {
					Digits string `json:"_digits"`
				} `json:"fractions"`
			} `json:"currencyData"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/currencyData.json", &cur); err != nil {
		return nil, err
	}
	for k, v := range cur.Supplemental.CurrencyData.Fractions {
		var n int
		fmt.Sscan(v.Digits, &n)
		d.CurrencyDigits[k] = n
	}

	var td struct {
		Supplemental struct {
			TimeData map[string]struct {
				Allowed   string `json:"_allowed"`
				Preferred string `json:"_preferred"`
			} `json:"timeData"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/timeData.json", &td); err != nil {
		return nil, err
	}
	for k, v := range td.Supplemental.TimeData {
		d.TimeData[strings.ReplaceAll(k, "_", "-")] = [2]string{v.Preferred, v.Allowed}
	}

	var dp struct {
		Supplemental struct {
			DayPeriodRuleSet map[string]map[string]map[string]string `json:"dayPeriodRuleSet"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/dayPeriods.json", &dp); err != nil {
		return nil, err
	}
	for lang, rules := range dp.Supplemental.DayPeriodRuleSet {
		if !wanted(lang) {
			continue
		}
		m := map[string][2]string{}
		for period, r := range rules {
			if at, ok := r["_at"]; ok {
				m[period] = [2]string{at, ""}
			} else {
				m[period] = [2]string{r["_from"], r["_before"]}
			}
		}
		d.DayPeriods[lang] = m
	}

	var tzs struct {
		Keyword struct {
			U struct {
				TZ map[string]json.RawMessage `json:"tz"`
			} `json:"u"`
		} `json:"keyword"`
	}
	if err := g.read("cldr-bcp47/bcp47/timezone.json", &tzs); err != nil {
		return nil, err
	}
	zonesPerCountry := map[string]int{}
	for id, raw := range tzs.Keyword.U.TZ {
		var e struct {
			Alias      string `json:"_alias"`
			Deprecated any    `json:"_deprecated"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Alias == "" || e.Deprecated != nil {
			continue
		}
		names := strings.Fields(e.Alias)
		if len(names) == 0 || !strings.Contains(names[0], "/") && names[0] != "UTC" {
			continue
		}
		for _, n := range names {
			d.ZoneAliases[n] = names[0]
		}
		// BCP 47 zone ids start with the zone's region ("deber").
		if len(id) == 5 && !strings.HasPrefix(names[0], "Etc/") {
			cc := strings.ToUpper(id[:2])
			d.ZoneCountry[names[0]] = cc
			zonesPerCountry[cc]++
		}
	}
	for cc, n := range zonesPerCountry {
		if n == 1 {
			d.SingleZone[cc] = true
		}
	}
	var pz struct {
		Supplemental struct {
			PrimaryZones map[string]string `json:"primaryZones"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/primaryZones.json", &pz); err != nil {
		return nil, err
	}
	d.PrimaryZones = pz.Supplemental.PrimaryZones
	var mz struct {
		Supplemental struct {
			MetaZones struct {
				MetazoneInfo struct {
					Timezone map[string]json.RawMessage `json:"timezone"`
				} `json:"metazoneInfo"`
			} `json:"metaZones"`
		} `json:"supplemental"`
	}
	if err := g.read("cldr-core/supplemental/metaZones.json", &mz); err != nil {
		return nil, err
	}
	type use struct {
		UsesMetazone struct {
			Zone string `json:"_mzone"`
			From string `json:"_from"`
			To   string `json:"_to"`
		} `json:"usesMetazone"`
	}
	var walk func(prefix string, raw json.RawMessage) error
	walk = func(prefix string, raw json.RawMessage) error {
		var uses []use
		if err := json.Unmarshal(raw, &uses); err == nil {
			for _, u := range uses {
				m := u.UsesMetazone
				d.MetaZones[prefix] = append(d.MetaZones[prefix], [3]string{m.Zone, m.From, m.To})
			}
			return nil
		}
		var sub map[string]json.RawMessage
		if err := json.Unmarshal(raw, &sub); err != nil {
			return fmt.Errorf("decoding metaZones at %s: %w", prefix, err)
		}
		for k, v := range sub {
			p := k
			if prefix != "" {
				p = prefix + "/" + k
			}
			if err := walk(p, v); err != nil {
				return err
			}
		}
		return nil
	}
	for k, v := range mz.Supplemental.MetaZones.MetazoneInfo.Timezone {
		if err := walk(k, v); err != nil {
			return nil, err
		}
	}
	d.Units = sanctionedUnits
	return d, nil
}

// locale flattens the parts of one locale's data that Intl uses into keys
// such as "ca/months/format/wide/1".
func (g *gen) locale(tag string) (map[string]string, error) {
	out := map[string]string{}
	load := func(path string, dig ...string) (any, error) {
		var v any
		if err := g.read(path, &v); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, err
		}
		for _, k := range dig {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: no %q", path, k)
			}
			v = m[k]
		}
		return v, nil
	}
	greg, err := load("cldr-dates-full/main/"+tag+"/ca-gregorian.json", "main", tag, "dates", "calendars", "gregorian")
	if err != nil {
		return nil, err
	}
	if gm, ok := greg.(map[string]any); ok {
		for _, k := range []string{"months", "days", "dayPeriods", "eras", "dateFormats", "timeFormats", "dateTimeFormats", "dateTimeFormats-atTime"} {
			v := gm[k]
			if k == "dateTimeFormats" {
				if m, ok := v.(map[string]any); ok {
					delete(m, "intervalFormats")
				}
			}
			flatten(out, "ca/"+k, v)
		}
	}
	fields, err := load("cldr-dates-full/main/"+tag+"/dateFields.json", "main", tag, "dates", "fields")
	if err != nil {
		return nil, err
	}
	if fm, ok := fields.(map[string]any); ok {
		// Field names fill appendItems ("2024 (day: 5)").
		for _, k := range []string{"era", "year", "quarter", "month", "week", "weekOfMonth", "weekday", "dayOfYear", "weekdayOfMonth", "day", "dayperiod", "hour", "minute", "second", "zone"} {
			if f, ok := fm[k].(map[string]any); ok {
				flatten(out, "field/"+k, f["displayName"])
			}
		}
	}
	tz, err := load("cldr-dates-full/main/"+tag+"/timeZoneNames.json", "main", tag, "dates", "timeZoneNames")
	if err != nil {
		return nil, err
	}
	if tm, ok := tz.(map[string]any); ok {
		for _, k := range []string{"hourFormat", "gmtFormat", "gmtZeroFormat", "regionFormat"} {
			flatten(out, "tz/"+k, tm[k])
		}
		flatten(out, "tz/metazone", dropKey(tm["metazone"], "_type"))
		flatten(out, "tz/zone", dropKey(tm["zone"], "_type"))
	}
	nums, err := load("cldr-numbers-full/main/"+tag+"/numbers.json", "main", tag, "numbers")
	if err != nil {
		return nil, err
	}
	if nm, ok := nums.(map[string]any); ok {
		for k, v := range nm {
			switch {
			case k == "defaultNumberingSystem", k == "minimumGroupingDigits", k == "otherNumberingSystems",
				strings.HasPrefix(k, "symbols-numberSystem-"), strings.HasPrefix(k, "decimalFormats-numberSystem-"),
				strings.HasPrefix(k, "percentFormats-numberSystem-"), strings.HasPrefix(k, "currencyFormats-numberSystem-"):
				flatten(out, "num/"+k, v)
			}
		}
	}
	curs, err := load("cldr-numbers-full/main/"+tag+"/currencies.json", "main", tag, "numbers", "currencies")
	if err != nil {
		return nil, err
	}
	flatten(out, "cur", curs)
	terr, err := load("cldr-localenames-full/main/"+tag+"/territories.json", "main", tag, "localeDisplayNames", "territories")
	if err != nil {
		return nil, err
	}
	if tm, ok := terr.(map[string]any); ok {
		for k, v := range tm {
			if len(k) == 2 {
				flatten(out, "terr/"+k, v)
			}
		}
	}
	units, err := load("cldr-units-full/main/"+tag+"/units.json", "main", tag, "units")
	if err != nil {
		return nil, err
	}
	if um, ok := units.(map[string]any); ok {
		for _, width := range []string{"long", "short", "narrow"} {
			wm, _ := um[width].(map[string]any)
			if per, ok := wm["per"].(map[string]any); ok {
				flatten(out, "unit/"+width+"/per", per["compoundUnitPattern"])
			}
			for key, v := range wm {
				category, name, ok := strings.Cut(key, "-")
				if !ok || strings.Contains(category, "-") || !slices.Contains(sanctionedUnits, name) {
					continue
				}
				entry, _ := v.(map[string]any)
				for k, pat := range entry {
					switch {
					case strings.HasPrefix(k, "unitPattern-count-"):
						flatten(out, "unit/"+width+"/"+name+"/"+strings.TrimPrefix(k, "unitPattern-count-"), pat)
					case k == "perUnitPattern", k == "displayName":
						flatten(out, "unit/"+width+"/"+name+"/"+k, pat)
					}
				}
			}
		}
	}
	return out, nil
}

// dropKey removes key k from every map nested in v.
func dropKey(v any, k string) any {
	if m, ok := v.(map[string]any); ok {
		delete(m, k)
		for _, sub := range m {
			dropKey(sub, k)
		}
	}
	return v
}

func flatten(out map[string]string, prefix string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, sub := range t {
			flatten(out, prefix+"/"+k, sub)
		}
	case string:
		out[prefix] = t
	case nil:
	default:
		out[prefix] = fmt.Sprint(t)
	}
}
