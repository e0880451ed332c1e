package cldr

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CanonicalTimeZone returns the name Intl reports for an IANA time zone
// name or alias given in any case (ICU's canonical ID from CLDR, with
// V8's "UTC" for the UTC zones), and whether the zone is known.
func CanonicalTimeZone(name string) (string, bool) {
	d, err := loadData()
	if err != nil {
		return "", false
	}
	c, ok := d.zoneFold[strings.ToUpper(name)]
	if !ok {
		return "", false
	}
	if c == "Etc/UTC" || c == "Etc/GMT" {
		c = "UTC"
	}
	return c, true
}

// LoadTimeZone resolves a time zone name to its canonical name and Go
// location (from Go's zone database; hosts without one need time/tzdata
// linked in).
func LoadTimeZone(name string) (string, *time.Location, error) {
	c, ok := CanonicalTimeZone(name)
	if !ok {
		return "", nil, fmt.Errorf("cldr: invalid time zone %q", name)
	}
	if c == "UTC" {
		return c, time.UTC, nil
	}
	loc, err := time.LoadLocation(c)
	if err != nil {
		return "", nil, fmt.Errorf("cldr: loading time zone %q: %w", c, err)
	}
	return c, loc, nil
}

// numberingSystem is the locale's numbering system (a requested -u-nu-
// one if it is a known decimal system) and its digits (nil for latn).
func (l *Locale) numberingSystem() (string, []string) {
	ns := l.get("num/defaultNumberingSystem")
	if nu := l.keywords["nu"]; nu != "" {
		if _, ok := l.data.Digits[nu]; ok {
			ns = nu
		}
	}
	if ns == "" {
		ns = "latn"
	}
	if ns == "latn" {
		return ns, nil
	}
	d, ok := l.data.Digits[ns]
	if !ok {
		return "latn", nil
	}
	var digits []string
	for _, r := range d {
		digits = append(digits, string(r))
	}
	if len(digits) != 10 {
		return "latn", nil
	}
	return ns, digits
}

// numberSymbols are the symbols of the locale's numbering system, falling
// back to latn's.
func (l *Locale) numberSymbols() map[string]string {
	ns, _ := l.numberingSystem()
	key := l.data.dataTag(l.tag) + "/" + ns
	if m, ok := symbolCache.Load(key); ok {
		return maps.Clone(m.(map[string]string))
	}
	out := map[string]string{}
	for _, sys := range []string{"latn", ns} {
		prefix := "num/symbols-numberSystem-" + sys + "/"
		for _, k := range keysUnder(l.chain, prefix) {
			out[k] = l.get(prefix + k)
		}
	}
	symbolCache.Store(key, maps.Clone(out))
	return out
}

var symbolCache sync.Map // data locale/numbering system → symbols

// zoneName names t's zone for a pattern field: z specific names (short
// or long), O localized GMT, v generic names; names CLDR lacks fall back
// to the localized GMT format as ICU does.
func (f *DateTimeFormat) zoneName(t time.Time, letter rune, width int) string {
	l := f.loc
	_, offset := t.Zone()
	long := width >= 4
	id := f.zone
	if id == "UTC" {
		id = "Etc/UTC"
	}
	length := "short"
	if long {
		length = "long"
	}
	kind := "standard"
	if t.IsDST() {
		kind = "daylight"
	}
	switch letter {
	case 'z':
		if v := l.get("tz/zone/" + id + "/" + length + "/" + kind); v != "" {
			return v
		}
		if mz := l.data.metaZone(id, t); mz != "" {
			if v := l.get("tz/metazone/" + mz + "/" + length + "/" + kind); v != "" {
				return v
			}
		}
	case 'v':
		mz := l.data.metaZone(id, t)
		if mz != "" && !observesDST(t) {
			// ICU: a zone without daylight time around t shows its
			// metazone's standard name ("India Standard Time").
			if v := l.get("tz/metazone/" + mz + "/" + length + "/standard"); v != "" {
				return v
			}
		}
		if v := l.get("tz/zone/" + id + "/" + length + "/generic"); v != "" {
			return v
		}
		if mz != "" {
			if v := l.get("tz/metazone/" + mz + "/" + length + "/generic"); v != "" {
				return v
			}
		}
		if v := f.locationName(id); v != "" {
			return v
		}
	}
	return f.gmtName(offset, long, letter == 'z')
}

// observesDST reports whether t's zone is in daylight time within about
// half a year of t (ICU looks at the transitions 184 days either side).
func observesDST(t time.Time) bool {
	for _, d := range []int{0, -184, -120, -60, 60, 120, 184} {
		if t.AddDate(0, 0, d).IsDST() {
			return true
		}
	}
	return false
}

// metaZone is the zone's metazone at t: CLDR's mappings, which ICU
// starts in 1970 when they give no start.
func (d *dataFile) metaZone(id string, t time.Time) string {
	const layout = "2006-01-02 15:04"
	epoch := time.Unix(0, 0)
	for _, m := range d.MetaZones[id] {
		from, to := epoch, time.Time{}
		if m[1] != "" {
			if v, err := time.Parse(layout, m[1]); err == nil {
				from = v
			}
		}
		if m[2] != "" {
			if v, err := time.Parse(layout, m[2]); err == nil {
				to = v
			}
		}
		if !t.Before(from) && (to.IsZero() || t.Before(to)) {
			return m[0]
		}
	}
	return ""
}

// locationName is CLDR's generic location format: "Germany Time" for a
// region's only or primary zone, "Los Angeles Time" for the others.
func (f *DateTimeFormat) locationName(id string) string {
	l := f.loc
	cc := l.data.ZoneCountry[id]
	format := l.get("tz/regionFormat")
	if cc == "" || format == "" {
		return ""
	}
	name := ""
	if l.data.SingleZone[cc] || l.data.PrimaryZones[cc] == id {
		name = l.get("terr/" + cc)
	}
	if name == "" {
		name = l.get("tz/zone/" + id + "/exemplarCity")
	}
	if name == "" {
		name = strings.ReplaceAll(id[strings.LastIndexByte(id, '/')+1:], "_", " ")
	}
	return strings.Replace(format, "{0}", name, 1)
}

// gmtName is the localized GMT format: "GMT+1", "GMT+5:30" (short) or
// "GMT+01:00" (long), the zero-offset format for UTC itself.
func (f *DateTimeFormat) gmtName(offset int, long, zeroFormat bool) string {
	l := f.loc
	if offset == 0 && zeroFormat {
		return l.get("tz/gmtZeroFormat")
	}
	pos, neg, _ := strings.Cut(l.get("tz/hourFormat"), ";")
	p := pos
	if offset < 0 {
		p, offset = neg, -offset
	}
	h, m, sec := offset/3600, (offset%3600)/60, offset%60
	if sec != 0 {
		// Local mean time: seconds after the minutes, with the same
		// separator.
		if i := strings.Index(p, "mm"); i > 0 {
			p = p[:i+2] + p[i-1:i] + "ss" + p[i+2:]
		}
	}
	if !long && m == 0 && sec == 0 {
		// ICU's hour-only pattern: everything up to the last hour field.
		if i := strings.Index(p, "mm"); i > 0 {
			if j := strings.LastIndex(p[:i], "H"); j >= 0 {
				p = p[:j+1]
			}
		}
	}
	hourWidth := 2
	if !long {
		hourWidth = 1
	}
	var b strings.Builder
	for _, tok := range parsePattern(p) {
		switch tok.letter {
		case 'H':
			s := strconv.Itoa(h)
			for len(s) < hourWidth {
				s = "0" + s
			}
			b.WriteString(s)
		case 'm':
			b.WriteString(fmt.Sprintf("%02d", m))
		case 's':
			b.WriteString(fmt.Sprintf("%02d", sec))
		case 0:
			b.WriteString(tok.lit)
		}
	}
	return strings.Replace(l.get("tz/gmtFormat"), "{0}", f.localDigits(b.String()), 1)
}
