package cldr

import (
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

//go:embed data/*.json.gz
var dataFS embed.FS

// dataFile is gen's output (see gen/main.go).
type dataFile struct {
	CLDRVersion    string                          `json:"cldrVersion"`
	DataLocales    []string                        `json:"dataLocales"`
	Parents        map[string]string               `json:"parents"`
	DefaultContent []string                        `json:"defaultContent"`
	LikelySubtags  map[string]string               `json:"likelySubtags"`
	Plurals        map[string]map[string]string    `json:"plurals"`
	Ordinals       map[string]map[string]string    `json:"ordinals"`
	Digits         map[string]string               `json:"digits"`
	CurrencyDigits map[string]int                  `json:"currencyDigits"`
	TimeData       map[string][2]string            `json:"timeData"`
	MetaZones      map[string][][3]string          `json:"metaZones"`
	DayPeriods     map[string]map[string][2]string `json:"dayPeriods"`
	ZoneAliases    map[string]string               `json:"zoneAliases"`
	ZoneCountry    map[string]string               `json:"zoneCountry"`
	SingleZone     map[string]bool                 `json:"singleZone"`
	PrimaryZones   map[string]string               `json:"primaryZones"`
	Units          []string                        `json:"units"`

	zoneFold       map[string]string // upper-cased name → canonical
	defaultContent map[string]bool
	hasData        map[string]bool
	// languages holds the decoded language files, filled on first use.
	languages sync.Map // language → map[string]map[string]string
}

// The data is decoded once, on first use; it is read-only afterwards.
var loadData = sync.OnceValues(func() (*dataFile, error) {
	d := &dataFile{}
	if err := readGzipJSON("data/supplemental.json.gz", d); err != nil {
		return nil, err
	}
	d.zoneFold = map[string]string{}
	for k, v := range d.ZoneAliases {
		d.zoneFold[strings.ToUpper(k)] = v
	}
	d.defaultContent = map[string]bool{}
	for _, t := range d.DefaultContent {
		d.defaultContent[t] = true
	}
	d.hasData = map[string]bool{}
	for _, t := range d.DataLocales {
		d.hasData[t] = true
	}
	return d, nil
})

func readGzipJSON(name string, v any) error {
	f, err := dataFS.Open(name)
	if err != nil {
		return fmt.Errorf("cldr: opening embedded %s: %w", name, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("cldr: reading embedded %s: %w", name, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("cldr: reading embedded %s: %w", name, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("cldr: decoding embedded %s: %w", name, err)
	}
	return nil
}

func mustData() *dataFile {
	d, err := loadData()
	if err != nil {
		// The data is embedded at build time; failing to decode it is a
		// build defect, not an input error.
		panic(err)
	}
	return d
}

// localeMap returns the values stored for one data locale (nil if none),
// decoding its language's file on first use.
func (d *dataFile) localeMap(tag string) map[string]string {
	if !d.hasData[tag] {
		return nil
	}
	lang, _, _ := strings.Cut(tag, "-")
	if m, ok := d.languages.Load(lang); ok {
		return m.(map[string]map[string]string)[tag]
	}
	m := map[string]map[string]string{}
	if err := readGzipJSON("data/"+lang+".json.gz", &m); err != nil {
		// The files are embedded at build time: a missing or broken one
		// is a build defect, not an input error.
		panic(err)
	}
	actual, _ := d.languages.LoadOrStore(lang, m)
	return actual.(map[string]map[string]string)[tag]
}

// parent is the CLDR parent of a locale ("" for und).
func (d *dataFile) parent(tag string) string {
	if p, ok := d.Parents[tag]; ok {
		return p
	}
	if tag == "und" {
		return ""
	}
	if i := strings.LastIndexByte(tag, '-'); i > 0 {
		return tag[:i]
	}
	return "und"
}

// chain lists the data maps from the locale itself to und.
func (d *dataFile) chain(tag string) []map[string]string {
	var out []map[string]string
	for t := tag; t != ""; t = d.parent(t) {
		if m := d.localeMap(t); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// lookup walks a locale chain for key.
func lookup(chain []map[string]string, key string) (string, bool) {
	for _, m := range chain {
		if v, ok := m[key]; ok {
			if v == "\x00" {
				return "", false
			}
			return v, true
		}
	}
	return "", false
}

// keysUnder lists the distinct keys under prefix (the rest after it)
// present anywhere in the chain and not deleted, sorted.
func keysUnder(chain []map[string]string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range chain {
		for k, v := range m {
			if !strings.HasPrefix(k, prefix) {
				continue
			}
			rest := k[len(prefix):]
			if seen[rest] {
				continue
			}
			seen[rest] = true
			if v != "\x00" {
				out = append(out, rest)
			}
		}
	}
	sort.Strings(out)
	return out
}

// CLDRVersion is the version of the CLDR data the package was generated from.
func CLDRVersion() string { return mustData().CLDRVersion }
