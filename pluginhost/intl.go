package pluginhost

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones work on hosts without a zoneinfo database

	"github.com/dop251/goja"
)

// goja has no Intl. This file provides Intl.DateTimeFormat and the
// Date.prototype.toLocale*String methods for the en-US locale (every other
// locale falls back to it), backed by Go's time zone database. The output
// matches Node 20 (ICU 78 / CLDR 48): the patterns below are CLDR's en
// availableFormats as ICU's pattern generator combines them.

// intlDatePatterns maps the requested date fields (E weekday, G era, y year,
// M numeric month, L text month, d day) to a pattern; text months are
// written MMMM and narrowed to the requested width later.
var intlDatePatterns = map[string]string{
	"d": "d", "M": "M", "Md": "M/d", "L": "MMMM", "Ld": "MMMM d",
	"y": "y", "yd": "y '(day: 'd')'", "yM": "M/y", "yMd": "M/d/y", "yL": "MMMM y", "yLd": "MMMM d, y",
	"G": "G", "Gd": "G '(day: 'd')'", "GM": "G '(month: 'M')'", "GMd": "M/d G", "GL": "G '(month: 'MMMM')'",
	"GLd": "MMMM d G", "Gy": "y G", "Gyd": "y G '(day: 'd')'", "GyM": "M/y G", "GyMd": "M/d/y G",
	"GyL": "MMMM y G", "GyLd": "MMMM d, y G",
	"E": "E", "Ed": "d E", "EM": "M E", "EMd": "E, M/d", "EL": "MMMM E", "ELd": "E, MMMM d",
	"Ey": "y E", "Eyd": "d E y", "EyM": "M/y E", "EyMd": "E, M/d/y", "EyL": "MMMM y E", "EyLd": "E, MMMM d, y",
	"EG": "G E", "EGd": "d E G", "EGM": "G '(month: 'M')'", "EGMd": "E, M/d G", "EGL": "G '(month: 'MMMM')'",
	"EGLd": "E, MMMM d G", "EGy": "y G E", "EGyd": "y G '(day: 'd E')'", "EGyM": "M/y G E",
	"EGyMd": "E, M/d/y G", "EGyL": "MMMM y G E", "EGyLd": "E, MMMM d, y G",
}

// intlTimePatterns maps the requested time fields (h 12-hour or H 24-hour
// clock, m, s, z time zone name) to a pattern.
var intlTimePatterns = map[string]string{
	"s": "s", "m": "m", "ms": "mm:ss", "h": "h a", "H": "HH", "hs": "h a '(second: 's')'", "Hs": "HH '(second: 's')'",
	"hm": "h:mm a", "Hm": "HH:mm", "hms": "h:mm:ss a", "Hms": "HH:mm:ss",
	"z": "z", "sz": "s z", "mz": "m z", "msz": "mm:ss z", "hz": "h a z", "Hz": "HH'h' z",
	"hsz": "h a z '(second: 's')'", "Hsz": "HH'h' z '(second: 's')'", "hmz": "h:mm a z", "Hmz": "HH:mm z",
	"hmsz": "h:mm:ss a z", "Hmsz": "HH:mm:ss z",
}

var (
	intlDateStyles = map[string]string{"full": "EEEE, MMMM d, y", "long": "MMMM d, y", "medium": "MMM d, y", "short": "M/d/yy"}
	intlTimeStyles = map[string]string{"full": "h:mm:ss a zzzz", "long": "h:mm:ss a z", "medium": "h:mm:ss a", "short": "h:mm a"}
)

// CLDR 48 puts a narrow no-break space before AM/PM; Node's format() and
// toLocaleString turn it into a plain space, formatToParts keeps it.
func init() {
	for _, patterns := range []map[string]string{intlTimePatterns, intlTimeStyles} {
		for k, p := range patterns {
			patterns[k] = strings.ReplaceAll(p, " a", "\u202fa")
		}
	}
}

var (
	intlMonthsLong  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	intlWeekdayLong = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// intlUSZones are the en-US short names ICU shows for zones of the North
// American metazones; every other zone shows a GMT offset.
var intlUSZones = map[string][2]string{ // abbreviation → long name, generic name
	"EST": {"Eastern Standard Time", "Eastern Time"}, "EDT": {"Eastern Daylight Time", "Eastern Time"},
	"CST": {"Central Standard Time", "Central Time"}, "CDT": {"Central Daylight Time", "Central Time"},
	"MST": {"Mountain Standard Time", "Mountain Time"}, "MDT": {"Mountain Daylight Time", "Mountain Time"},
	"PST": {"Pacific Standard Time", "Pacific Time"}, "PDT": {"Pacific Daylight Time", "Pacific Time"},
	"AKST": {"Alaska Standard Time", "Alaska Time"}, "AKDT": {"Alaska Daylight Time", "Alaska Time"},
	"HST": {"Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Time"}, "HDT": {"Hawaii-Aleutian Daylight Time", "Hawaii-Aleutian Time"},
	"AST": {"Atlantic Standard Time", "Atlantic Time"}, "ADT": {"Atlantic Daylight Time", "Atlantic Time"},
}

var intlUSGenericShort = map[string]string{
	"Eastern Time": "ET", "Central Time": "CT", "Mountain Time": "MT", "Pacific Time": "PT",
	"Alaska Time": "AKT", "Hawaii-Aleutian Time": "HAT", "Atlantic Time": "AT",
}

// intlLongNames are long names for common zones outside North America,
// keyed by the region prefix and Go's abbreviation.
var intlLongNames = map[string]string{
	"Europe/GMT": "Greenwich Mean Time", "Europe/BST": "British Summer Time", "Europe/IST": "Irish Standard Time",
	"Europe/CET": "Central European Standard Time", "Europe/CEST": "Central European Summer Time",
	"Europe/EET": "Eastern European Standard Time", "Europe/EEST": "Eastern European Summer Time",
	"Europe/WET": "Western European Standard Time", "Europe/WEST": "Western European Summer Time",
	"Africa/CET": "Central European Standard Time", "Africa/EET": "Eastern European Standard Time",
	"Europe/MSK": "Moscow Standard Time", "Asia/JST": "Japan Standard Time", "Asia/KST": "Korean Standard Time",
	"Asia/HKT": "Hong Kong Standard Time", "Asia/PKT": "Pakistan Standard Time", "Asia/WIB": "Western Indonesia Time",
	"Australia/AEST": "Australian Eastern Standard Time", "Australia/AEDT": "Australian Eastern Daylight Time",
	"Australia/ACST": "Australian Central Standard Time", "Australia/ACDT": "Australian Central Daylight Time",
	"Australia/AWST": "Australian Western Standard Time", "Pacific/NZST": "New Zealand Standard Time",
	"Pacific/NZDT": "New Zealand Daylight Time", "Africa/SAST": "South Africa Standard Time",
	"Africa/WAT": "West Africa Time", "Africa/CAT": "Central Africa Time", "Africa/EAT": "East Africa Time",
}

// intlZoneLongByName covers zones whose abbreviation is ambiguous.
var intlZoneLongByName = map[string][2]string{ // standard, daylight
	"Asia/Calcutta": {"India Standard Time", ""}, "Asia/Shanghai": {"China Standard Time", "China Daylight Time"},
	"Asia/Jerusalem": {"Israel Standard Time", "Israel Daylight Time"}, "Asia/Tel_Aviv": {"Israel Standard Time", "Israel Daylight Time"},
}

// intlZoneAliases are the IANA links ICU reports under another name.
var intlZoneAliases = map[string]string{
	"Etc/UTC": "UTC", "Etc/GMT": "UTC", "GMT": "UTC", "UCT": "UTC", "Etc/UCT": "UTC", "Etc/Universal": "UTC",
	"Universal": "UTC", "Zulu": "UTC", "Etc/Zulu": "UTC", "Etc/Greenwich": "UTC", "Greenwich": "UTC",
	"GMT0": "UTC", "GMT+0": "UTC", "GMT-0": "UTC", "Etc/GMT0": "UTC", "Etc/GMT+0": "UTC", "Etc/GMT-0": "UTC",
	"US/Eastern": "America/New_York", "US/Central": "America/Chicago", "US/Mountain": "America/Denver",
	"US/Pacific": "America/Los_Angeles", "US/Alaska": "America/Anchorage", "US/Hawaii": "Pacific/Honolulu",
	"US/Arizona": "America/Phoenix", "EST5EDT": "America/New_York", "CST6CDT": "America/Chicago",
	"MST7MDT": "America/Denver", "PST8PDT": "America/Los_Angeles", "EST": "America/Panama", "MST": "America/Phoenix",
	"HST": "Pacific/Honolulu", "Asia/Kolkata": "Asia/Calcutta", "Asia/Kathmandu": "Asia/Katmandu",
	"Asia/Ho_Chi_Minh": "Asia/Saigon", "Asia/Yangon": "Asia/Rangoon", "Europe/Kyiv": "Europe/Kiev",
	"America/Indiana/Indianapolis": "America/Indianapolis", "America/Fort_Wayne": "America/Indianapolis",
	"America/Kentucky/Louisville": "America/Louisville", "America/Argentina/Buenos_Aires": "America/Buenos_Aires",
	"America/Nuuk": "America/Godthab", "Atlantic/Faroe": "Atlantic/Faeroe", "Europe/Belfast": "Europe/London",
	"Asia/Istanbul": "Europe/Istanbul", "Africa/Asmara": "Africa/Asmera", "Pacific/Kanton": "Pacific/Enderbury",
	"Asia/Kashgar": "Asia/Urumqi", "Australia/ACT": "Australia/Sydney", "Canada/Eastern": "America/Toronto",
	"Japan": "Asia/Tokyo", "Singapore": "Asia/Singapore", "Asia/Chongqing": "Asia/Shanghai",
	"Asia/Chungking": "Asia/Shanghai", "Asia/Harbin": "Asia/Shanghai", "PRC": "Asia/Shanghai",
}

// intlZones caches loaded locations (immutable, safe to share).
var intlZones sync.Map // canonical name → *time.Location

// intlDefaultZone is the zone used when no timeZone is given: UTC, whatever
// the host's zone, as JavaScript's local time is in hogpipe (the original
// plugin servers ran in UTC).
func intlDefaultZone() (string, *time.Location) { return "UTC", time.UTC }

// intlLoadZone resolves an IANA name (any case) to ICU's canonical name
// and its location.
func intlLoadZone(name string) (string, *time.Location, bool) {
	if name == "" || strings.Contains(name, "..") || strings.EqualFold(name, "local") {
		return "", nil, false
	}
	try := func(n string) (string, *time.Location, bool) {
		if alias, ok := intlZoneAliases[n]; ok {
			n = alias
		}
		if cached, ok := intlZones.Load(n); ok {
			return n, cached.(*time.Location), true
		}
		if n == "UTC" {
			intlZones.Store(n, time.UTC)
			return n, time.UTC, true
		}
		loc, err := time.LoadLocation(n)
		if err != nil {
			return "", nil, false
		}
		intlZones.Store(n, loc)
		return n, loc, true
	}
	if n, loc, ok := try(name); ok {
		return n, loc, true
	}
	for _, candidate := range intlZoneCaseVariants(name) {
		if n, loc, ok := try(candidate); ok {
			return n, loc, true
		}
	}
	return "", nil, false
}

// intlZoneCaseVariants guesses the canonical spelling of a zone name given
// in another case (time zone names are case-insensitive in Intl).
func intlZoneCaseVariants(name string) []string {
	upper := strings.ToUpper(name)
	for k := range intlZoneAliases {
		if strings.ToUpper(k) == upper {
			return []string{k}
		}
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		var b strings.Builder
		capNext := true
		for _, r := range strings.ToLower(p) {
			if capNext {
				b.WriteString(strings.ToUpper(string(r)))
			} else {
				b.WriteRune(r)
			}
			capNext = r == '_' || r == '-' || r == '/'
		}
		parts[i] = b.String()
	}
	titled := strings.Join(parts, "/")
	return []string{titled, upper, strings.ReplaceAll(titled, "-Au-", "-au-")}
}

//------------------------------------------------------------------------------

// intlFormat is one resolved Intl.DateTimeFormat.
type intlFormat struct {
	zoneName string
	loc      *time.Location
	opts     map[string]string // requested components and styles, resolved
	hc       string            // hour cycle when an hour is shown
	fsd      int
	pattern  []intlToken
}

// intlToken is a pattern field (letter repeated width times) or a literal.
type intlToken struct {
	letter rune
	width  int
	lit    string
}

// intlOptionError is a JavaScript error to throw: kind is "TypeError" or
// "RangeError".
type intlOptionError struct{ kind, msg string }

func (e *intlOptionError) Error() string { return e.msg }

var intlComponentValues = map[string][]string{
	"weekday": {"narrow", "short", "long"}, "era": {"narrow", "short", "long"},
	"year": {"2-digit", "numeric"}, "month": {"2-digit", "numeric", "narrow", "short", "long"},
	"day": {"2-digit", "numeric"}, "dayPeriod": {"narrow", "short", "long"},
	"hour": {"2-digit", "numeric"}, "minute": {"2-digit", "numeric"}, "second": {"2-digit", "numeric"},
	"timeZoneName": {"short", "long", "shortOffset", "longOffset", "shortGeneric", "longGeneric"},
}

var intlComponentOrder = []string{"weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second"}

// intlGet reads options[name] as a string restricted to allowed values.
func intlGet(opts map[string]goja.Value, name, context string, allowed []string) (string, error) {
	v, ok := opts[name]
	if !ok || v == nil || goja.IsUndefined(v) {
		return "", nil
	}
	s := v.String()
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", &intlOptionError{"RangeError", fmt.Sprintf("Value %s out of range for %s options property %s", s, context, name)}
}

// intlResolve builds a format from options as ECMA-402 does: required is
// "any", "date" or "time" and defaults "date", "time" or "all" (the
// ToDateTimeOptions step of the Date.prototype methods and the constructor).
func intlResolve(opts map[string]goja.Value, context, required, defaults string) (*intlFormat, error) {
	f := &intlFormat{opts: map[string]string{}}
	var hour12 *bool
	if v, ok := opts["hour12"]; ok && v != nil && !goja.IsUndefined(v) {
		b := v.ToBoolean()
		hour12 = &b
	}
	hourCycle, err := intlGet(opts, "hourCycle", context, []string{"h11", "h12", "h23", "h24"})
	if err != nil {
		return nil, err
	}
	if v, ok := opts["timeZone"]; ok && v != nil && !goja.IsUndefined(v) {
		name, loc, ok := intlLoadZone(v.String())
		if !ok {
			return nil, &intlOptionError{"RangeError", "Invalid time zone specified: " + v.String()}
		}
		f.zoneName, f.loc = name, loc
	} else {
		f.zoneName, f.loc = intlDefaultZone()
	}
	for _, name := range []string{"weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second"} {
		val, err := intlGet(opts, name, context, intlComponentValues[name])
		if err != nil {
			return nil, err
		}
		if val != "" {
			f.opts[name] = val
		}
	}
	if v, ok := opts["fractionalSecondDigits"]; ok && v != nil && !goja.IsUndefined(v) {
		n := v.ToFloat()
		if math.IsNaN(n) || n < 1 || n > 3 {
			return nil, &intlOptionError{"RangeError", "fractionalSecondDigits value is out of range."}
		}
		f.fsd = int(math.Floor(n))
	}
	tzn, err := intlGet(opts, "timeZoneName", context, intlComponentValues["timeZoneName"])
	if err != nil {
		return nil, err
	}
	if tzn != "" {
		f.opts["timeZoneName"] = tzn
	}
	if _, err := intlGet(opts, "formatMatcher", context, []string{"basic", "best fit"}); err != nil {
		return nil, err
	}
	styles := []string{"full", "long", "medium", "short"}
	dateStyle, err := intlGet(opts, "dateStyle", context, styles)
	if err != nil {
		return nil, err
	}
	timeStyle, err := intlGet(opts, "timeStyle", context, styles)
	if err != nil {
		return nil, err
	}

	if dateStyle != "" || timeStyle != "" {
		for _, name := range append(intlComponentOrder, "timeZoneName") {
			if _, ok := f.opts[name]; ok {
				return nil, &intlOptionError{"TypeError", fmt.Sprintf("Can't set option %s when %s is used", name, map[bool]string{true: "dateStyle", false: "timeStyle"}[dateStyle != ""])}
			}
		}
		if f.fsd != 0 {
			return nil, &intlOptionError{"TypeError", fmt.Sprintf("Can't set option fractionalSecondDigits when %s is used", map[bool]string{true: "dateStyle", false: "timeStyle"}[dateStyle != ""])}
		}
		if required == "date" && timeStyle != "" {
			return nil, &intlOptionError{"TypeError", "Invalid option : timeStyle"}
		}
		if required == "time" && dateStyle != "" {
			return nil, &intlOptionError{"TypeError", "Invalid option : dateStyle"}
		}
	} else {
		needDefaults := true
		if required == "date" || required == "any" {
			for _, n := range []string{"weekday", "year", "month", "day"} {
				if _, ok := f.opts[n]; ok {
					needDefaults = false
				}
			}
		}
		if required == "time" || required == "any" {
			for _, n := range []string{"dayPeriod", "hour", "minute", "second"} {
				if _, ok := f.opts[n]; ok {
					needDefaults = false
				}
			}
			if f.fsd != 0 {
				needDefaults = false
			}
		}
		if needDefaults && (defaults == "date" || defaults == "all") {
			f.opts["year"], f.opts["month"], f.opts["day"] = "numeric", "numeric", "numeric"
		}
		if needDefaults && (defaults == "time" || defaults == "all") {
			f.opts["hour"], f.opts["minute"], f.opts["second"] = "numeric", "numeric", "numeric"
		}
	}

	// The hour cycle: en-US uses h12; hour12:false gives h24 in V8 (a
	// long-standing quirk Node 20 keeps).
	hc := "h12"
	switch {
	case hour12 != nil && *hour12:
		hc = "h12"
	case hour12 != nil:
		hc = "h24"
	case hourCycle != "":
		hc = hourCycle
	}
	if _, ok := f.opts["hour"]; ok || timeStyle != "" {
		f.hc = hc
	}

	if dateStyle != "" || timeStyle != "" {
		f.opts["dateStyle"], f.opts["timeStyle"] = dateStyle, timeStyle
		f.pattern = intlStylePattern(dateStyle, timeStyle, f.hc)
		return f, nil
	}
	f.pattern = f.skeletonPattern()
	return f, nil
}

func intlStylePattern(dateStyle, timeStyle, hc string) []intlToken {
	var date, tm []intlToken
	if dateStyle != "" {
		date = intlParsePattern(intlDateStyles[dateStyle])
	}
	if timeStyle != "" {
		tm = intlParsePattern(intlTimeStyles[timeStyle])
		tm = intlApplyHourCycle(tm, hc, false)
	}
	glue := ", "
	if dateStyle == "full" || dateStyle == "long" {
		glue = " at "
	}
	return intlJoin(date, tm, glue)
}

// skeletonPattern picks the pattern for the requested components and
// adjusts each field's width to the request.
func (f *intlFormat) skeletonPattern() []intlToken {
	o := f.opts
	var dk, tk strings.Builder
	if o["weekday"] != "" {
		dk.WriteByte('E')
	}
	if o["era"] != "" {
		dk.WriteByte('G')
	}
	if o["year"] != "" {
		dk.WriteByte('y')
	}
	switch o["month"] {
	case "numeric", "2-digit":
		dk.WriteByte('M')
	case "short", "long", "narrow":
		dk.WriteByte('L')
	}
	if o["day"] != "" {
		dk.WriteByte('d')
	}
	second := o["second"] != ""
	if f.fsd != 0 && o["minute"] != "" {
		second = true
	}
	if o["hour"] != "" {
		if f.hc == "h23" || f.hc == "h24" {
			tk.WriteByte('H')
		} else {
			tk.WriteByte('h')
		}
	}
	if o["minute"] != "" {
		tk.WriteByte('m')
	}
	if second {
		tk.WriteByte('s')
	}
	if o["timeZoneName"] != "" {
		tk.WriteByte('z')
	}
	var date, tm []intlToken
	if dk.Len() > 0 {
		date = intlParsePattern(intlDatePatterns[dk.String()])
	}
	if tk.Len() > 0 {
		tm = intlParsePattern(intlTimePatterns[tk.String()])
	} else if f.fsd != 0 {
		tm = []intlToken{{letter: 'S', width: f.fsd}}
	}
	glue := ", "
	if o["month"] == "long" {
		glue = " at "
	}
	if dk.String() == "E" {
		switch tk.String() {
		case "h", "hm", "hms", "Hm", "Hms":
			glue = " "
		}
	}
	out := intlJoin(date, tm, glue)
	for i := range out {
		t := &out[i]
		switch t.letter {
		case 'E':
			t.width = map[string]int{"short": 3, "long": 4, "narrow": 5}[o["weekday"]]
		case 'G':
			t.width = map[string]int{"short": 1, "long": 4, "narrow": 5}[o["era"]]
		case 'y':
			t.width = map[string]int{"numeric": 1, "2-digit": 2}[o["year"]]
		case 'M':
			t.width = map[string]int{"numeric": 1, "2-digit": 2, "short": 3, "long": 4, "narrow": 5}[o["month"]]
		case 'd':
			t.width = map[string]int{"numeric": 1, "2-digit": 2}[o["day"]]
		case 'h':
			if o["hour"] == "2-digit" {
				t.width = 2
			}
		}
	}
	out = intlApplyHourCycle(out, f.hc, o["hour"] == "2-digit")
	if f.fsd != 0 {
		for i := 0; i < len(out); i++ {
			if out[i].letter == 's' {
				frac := []intlToken{{lit: "."}, {letter: 'S', width: f.fsd}}
				out = append(out[:i+1], append(frac, out[i+1:]...)...)
				break
			}
		}
	}
	return out
}

// intlApplyHourCycle rewrites h fields for h11 (K), h23 (HH) and h24 (kk).
func intlApplyHourCycle(p []intlToken, hc string, twoDigit bool) []intlToken {
	for i := range p {
		t := &p[i]
		if t.letter != 'h' && t.letter != 'H' {
			continue
		}
		switch hc {
		case "h11":
			t.letter = 'K'
			if twoDigit {
				t.width = 2
			}
		case "h23":
			t.letter, t.width = 'H', 2
		case "h24":
			t.letter, t.width = 'k', 2
		}
	}
	if hc == "h23" || hc == "h24" {
		// A 24-hour clock has no AM/PM.
		out := p[:0]
		for i := 0; i < len(p); i++ {
			if p[i].letter == 'a' {
				if len(out) > 0 && out[len(out)-1].letter == 0 {
					out[len(out)-1].lit = strings.TrimRight(out[len(out)-1].lit, " \u202f")
					if out[len(out)-1].lit == "" {
						out = out[:len(out)-1]
					}
				}
				continue
			}
			out = append(out, p[i])
		}
		p = out
	}
	return p
}

func intlJoin(date, tm []intlToken, glue string) []intlToken {
	switch {
	case len(date) == 0:
		return tm
	case len(tm) == 0:
		return date
	}
	out := append([]intlToken{}, date...)
	out = append(out, intlToken{lit: glue})
	return append(out, tm...)
}

// intlParsePattern reads an ICU pattern: letters repeat for width, text in
// single quotes is literal.
func intlParsePattern(p string) []intlToken {
	var out []intlToken
	addLit := func(s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].letter == 0 {
			out[n-1].lit += s
			return
		}
		out = append(out, intlToken{lit: s})
	}
	runes := []rune(p)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == '\'':
			j := i + 1
			for j < len(runes) && runes[j] != '\'' {
				j++
			}
			addLit(string(runes[i+1 : j]))
			i = j
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			j := i
			for j < len(runes) && runes[j] == r {
				j++
			}
			out = append(out, intlToken{letter: r, width: j - i})
			i = j - 1
		default:
			addLit(string(r))
		}
	}
	return out
}

//------------------------------------------------------------------------------

// intlPart is one piece of formatToParts.
type intlPart struct{ Type, Value string }

// parts formats the instant ms (milliseconds since the epoch).
func (f *intlFormat) parts(ms float64) []intlPart {
	sec := math.Floor(ms / 1000)
	nsec := (ms - sec*1000) * 1e6
	t := time.Unix(int64(sec), int64(nsec)).In(f.loc)
	year := t.Year()
	eraYear := year
	if year <= 0 {
		eraYear = 1 - year
	}
	var out []intlPart
	add := func(typ, val string) {
		if typ == "literal" && len(out) > 0 && out[len(out)-1].Type == "literal" {
			out[len(out)-1].Value += val
			return
		}
		out = append(out, intlPart{typ, val})
	}
	pad := func(n, width int) string {
		s := strconv.Itoa(n)
		for len(s) < width {
			s = "0" + s
		}
		return s
	}
	for _, tok := range f.pattern {
		if tok.letter == 0 {
			add("literal", tok.lit)
			continue
		}
		w := tok.width
		switch tok.letter {
		case 'E':
			name := intlWeekdayLong[t.Weekday()]
			switch {
			case w <= 3:
				name = name[:3]
			case w == 5:
				name = name[:1]
			}
			add("weekday", name)
		case 'G':
			ad := year > 0
			name := map[bool][3]string{true: {"AD", "Anno Domini", "A"}, false: {"BC", "Before Christ", "B"}}[ad]
			switch w {
			case 4:
				add("era", name[1])
			case 5:
				add("era", name[2])
			default:
				add("era", name[0])
			}
		case 'y':
			if w == 2 {
				add("year", pad(eraYear%100, 2))
			} else {
				add("year", strconv.Itoa(eraYear))
			}
		case 'M', 'L':
			m := int(t.Month())
			switch w {
			case 1, 2:
				add("month", pad(m, w))
			case 3:
				add("month", intlMonthsLong[m-1][:3])
			case 4:
				add("month", intlMonthsLong[m-1])
			default:
				add("month", intlMonthsLong[m-1][:1])
			}
		case 'd':
			add("day", pad(t.Day(), w))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			add("hour", pad(h, w))
		case 'K':
			add("hour", pad(t.Hour()%12, w))
		case 'H':
			add("hour", pad(t.Hour(), w))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			add("hour", pad(h, w))
		case 'm':
			add("minute", pad(t.Minute(), w))
		case 's':
			add("second", pad(t.Second(), w))
		case 'S':
			msec := int(math.Mod(ms, 1000))
			if msec < 0 {
				msec += 1000
			}
			add("fractionalSecond", pad(msec, 3)[:w])
		case 'a':
			if t.Hour() < 12 {
				add("dayPeriod", "AM")
			} else {
				add("dayPeriod", "PM")
			}
		case 'z':
			style := f.opts["timeZoneName"]
			if w == 4 {
				style = "long"
			} else if style == "" {
				style = "short"
			}
			add("timeZoneName", intlZoneName(f.zoneName, t, style))
		}
	}
	return out
}

// intlZoneName names the zone at t in one of Intl's timeZoneName styles.
func intlZoneName(zone string, t time.Time, style string) string {
	abbr, offset := t.Zone()
	if zone == "UTC" {
		switch style {
		case "short":
			return "UTC"
		case "long":
			return "Coordinated Universal Time"
		case "shortOffset", "shortGeneric":
			return "GMT+0"
		default:
			return "GMT+00:00"
		}
	}
	us, isUS := intlUSZones[abbr]
	if isUS && !intlNorthAmerican(zone) {
		isUS = false
	}
	switch style {
	case "short":
		if isUS {
			return abbr
		}
		return intlOffsetName(offset, false, true)
	case "shortOffset":
		return intlOffsetName(offset, false, false)
	case "long":
		if isUS {
			return us[0]
		}
		if names, ok := intlZoneLongByName[zone]; ok {
			if t.IsDST() && names[1] != "" {
				return names[1]
			}
			return names[0]
		}
		region, _, _ := strings.Cut(zone, "/")
		if name, ok := intlLongNames[region+"/"+abbr]; ok {
			return name
		}
		return intlOffsetName(offset, true, false)
	case "shortGeneric":
		if isUS {
			return intlUSGenericShort[us[1]]
		}
		return intlOffsetName(offset, false, false)
	case "longGeneric":
		if isUS {
			return us[1]
		}
		return intlOffsetName(offset, true, false)
	}
	return intlOffsetName(offset, true, false)
}

// intlNorthAmerican tells zones of ICU's North American metazones, whose
// en-US names are abbreviations, from others sharing an abbreviation.
func intlNorthAmerican(zone string) bool {
	if zone == "America/Havana" {
		return false
	}
	return strings.HasPrefix(zone, "America/") || strings.HasPrefix(zone, "US/") || strings.HasPrefix(zone, "Canada/") ||
		zone == "Pacific/Honolulu" || zone == "Pacific/Johnston" || zone == "Atlantic/Bermuda"
}

// intlOffsetName is "GMT+5:30" (short) or "GMT+05:30" (long); a zero
// offset is "GMT" for the short zone name and "GMT+0"/"GMT+00:00" otherwise.
func intlOffsetName(offset int, long, zeroIsGMT bool) string {
	if offset == 0 && zeroIsGMT {
		return "GMT"
	}
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	h, m := offset/3600, (offset%3600)/60
	if long {
		return fmt.Sprintf("GMT%s%02d:%02d", sign, h, m)
	}
	if m != 0 {
		return fmt.Sprintf("GMT%s%d:%02d", sign, h, m)
	}
	return fmt.Sprintf("GMT%s%d", sign, h)
}

// resolved is resolvedOptions(), in Node's key order.
func (f *intlFormat) resolved() [][2]any {
	out := [][2]any{{"locale", "en-US"}, {"calendar", "gregory"}, {"numberingSystem", "latn"}, {"timeZone", f.zoneName}}
	if f.hc != "" {
		out = append(out, [2]any{"hourCycle", f.hc}, [2]any{"hour12", f.hc == "h11" || f.hc == "h12"})
	}
	if f.opts["dateStyle"] != "" || f.opts["timeStyle"] != "" {
		if f.opts["dateStyle"] != "" {
			out = append(out, [2]any{"dateStyle", f.opts["dateStyle"]})
		}
		if f.opts["timeStyle"] != "" {
			out = append(out, [2]any{"timeStyle", f.opts["timeStyle"]})
		}
		return out
	}
	widths := map[rune]int{}
	for _, t := range f.pattern {
		if t.letter != 0 {
			widths[t.letter] = t.width
		}
	}
	numeric := func(w int) string {
		if w >= 2 {
			return "2-digit"
		}
		return "numeric"
	}
	for _, name := range intlComponentOrder {
		v := f.opts[name]
		if v == "" {
			continue
		}
		switch name {
		case "hour":
			for _, l := range "hHkK" {
				if w, ok := widths[l]; ok {
					v = numeric(w)
				}
			}
		case "minute":
			if w, ok := widths['m']; ok {
				v = numeric(w)
			}
		case "second":
			if w, ok := widths['s']; ok {
				v = numeric(w)
			}
		}
		out = append(out, [2]any{name, v})
	}
	if f.fsd != 0 {
		if _, ok := f.opts["second"]; !ok && f.opts["minute"] != "" {
			// the seconds were added to carry the fraction
			out = append(out, [2]any{"second", "2-digit"})
		}
		out = append(out, [2]any{"fractionalSecondDigits", f.fsd})
	}
	if f.opts["timeZoneName"] != "" {
		out = append(out, [2]any{"timeZoneName", f.opts["timeZoneName"]})
	}
	return out
}

//------------------------------------------------------------------------------

// intlSource defines Intl.DateTimeFormat and the Date.prototype.toLocale*
// methods on top of the Go helpers in host.
const intlSource = `(function (global, host) {
  "use strict";
  const slot = Symbol("DateTimeFormat");
  const localeTag = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
  const receiver = (v) => (v !== null && (typeof v === "object" || typeof v === "function")) ? "#<" + ((v.constructor && v.constructor.name) || "Object") + ">" : String(v);

  function checkLocales(locales) {
    if (locales === undefined) return;
    const list = typeof locales === "string" ? [locales] : Array.isArray(locales) ? locales : Object(locales);
    if (typeof locales !== "string" && !Array.isArray(locales) && (locales === null || typeof locales !== "object")) {
      if (locales === null) throw new TypeError("Cannot convert undefined or null to object");
      return;
    }
    for (const l of Array.from(list)) {
      if (typeof l !== "string" && (typeof l !== "object" || l === null)) throw new TypeError("Language ID should be string or object.");
      if (!localeTag.test(String(l))) throw new RangeError("Incorrect locale information provided");
    }
  }

  function toOptions(options) {
    if (options === undefined) return {};
    if (options === null) throw new TypeError("Cannot convert undefined or null to object");
    return Object(options);
  }

  function DateTimeFormat(locales, options) {
    if (!new.target) return new DateTimeFormat(locales, options);
    checkLocales(locales);
    const handle = host.resolve(toOptions(options), "Intl.DateTimeFormat", "any", "date");
    Object.defineProperty(this, slot, { value: { handle, bound: undefined } });
  }

  function internal(dtf, method) {
    const s = dtf !== null && typeof dtf === "object" ? dtf[slot] : undefined;
    if (s === undefined) throw new TypeError("Method Intl.DateTimeFormat.prototype." + method + " called on incompatible receiver " + receiver(dtf));
    return s;
  }

  function timeValue(date) {
    const ms = date === undefined ? Date.now() : Number(date);
    if (!isFinite(ms) || Math.abs(ms) > 8.64e15) throw new RangeError("Invalid time value");
    return ms;
  }

  Object.defineProperty(DateTimeFormat.prototype, "format", {
    configurable: true,
    get() {
      const s = internal(this, "format");
      if (s.bound === undefined) {
        s.bound = (date) => host.format(s.handle, timeValue(date));
      }
      return s.bound;
    },
  });
  const methods = {
    formatToParts(date) {
      return host.formatToParts(internal(this, "formatToParts").handle, timeValue(date));
    },
    resolvedOptions() {
      return host.resolved(internal(this, "resolvedOptions").handle);
    },
    formatRange(start, end) {
      const s = internal(this, "formatRange");
      const text = (d) => host.formatToParts(s.handle, timeValue(d)).map((p) => p.value).join("");
      return text(start) + "\u2009\u2013\u2009" + text(end);
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(DateTimeFormat.prototype, name, { value: fn, writable: true, configurable: true });
  }
  Object.defineProperty(DateTimeFormat.prototype, Symbol.toStringTag, { value: "Intl.DateTimeFormat", configurable: true });
  Object.defineProperty(DateTimeFormat, "supportedLocalesOf", {
    value: function supportedLocalesOf(locales) {
      checkLocales(locales);
      const list = locales === undefined ? [] : typeof locales === "string" ? [locales] : Array.from(locales);
      return list.map(String).filter((l) => /^en(-|$)/i.test(l));
    },
    writable: true, configurable: true,
  });

  const getTime = Date.prototype.getTime;
  const dateMethods = {
    toLocaleString: ["any", "all"],
    toLocaleDateString: ["date", "date"],
    toLocaleTimeString: ["time", "time"],
  };
  for (const [name, [required, defaults]] of Object.entries(dateMethods)) {
    const fn = {
      [name](locales, options) {
        if (!(this instanceof Date)) throw new TypeError("Method Date.prototype." + name + " called on incompatible receiver " + receiver(this));
        const ms = getTime.call(this);
        checkLocales(locales);
        const handle = host.resolve(toOptions(options), "Date.prototype." + name, required, defaults);
        if (Number.isNaN(ms)) return "Invalid Date";
        return host.format(handle, ms);
      },
    }[name];
    Object.defineProperty(Date.prototype, name, { value: fn, writable: true, configurable: true });
  }

  // Number.prototype.toLocaleString for en-US: grouping, fraction digits
  // (rounded half away from zero on the shortest decimal form, as ICU
  // does) and the percent style. goja's own treats the locale as a radix.
  function decimalParts(x) {
    let s = String(x);
    let exp = 0;
    const e = s.indexOf("e");
    if (e >= 0) { exp = Number(s.slice(e + 1)); s = s.slice(0, e); }
    const [i, f = ""] = s.split(".");
    let digits = i + f;
    let point = i.length + exp;
    if (point < 0) { digits = "0".repeat(-point) + digits; point = 0; }
    if (point > digits.length) digits += "0".repeat(point - digits.length);
    return [digits.slice(0, point) || "0", digits.slice(point)];
  }
  function roundDigits(intPart, frac, maxFD) {
    if (frac.length <= maxFD) return [intPart, frac];
    let all = intPart + frac.slice(0, maxFD);
    if (frac.charCodeAt(maxFD) - 48 >= 5) {
      const d = all.split("");
      let k = d.length - 1;
      for (; k >= 0; k--) {
        if (d[k] === "9") { d[k] = "0"; } else { d[k] = String(Number(d[k]) + 1); break; }
      }
      if (k < 0) d.unshift("1");
      all = d.join("");
    }
    return [all.slice(0, all.length - maxFD) || "0", all.slice(all.length - maxFD)];
  }
  const numberValue = Number.prototype.valueOf;
  Object.defineProperty(Number.prototype, "toLocaleString", {
    value: function toLocaleString(locales, options) {
      let x = numberValue.call(this);
      checkLocales(locales);
      const o = options === undefined ? {} : toOptions(options);
      const percent = o.style === "percent";
      if (percent) x *= 100;
      const digitsOption = (name, def) => {
        if (o[name] === undefined) return def;
        const n = Number(o[name]);
        if (!(n >= 0 && n <= 100)) throw new RangeError(name + " value is out of range.");
        return Math.floor(n);
      };
      const minFD = digitsOption("minimumFractionDigits", 0);
      const maxFD = digitsOption("maximumFractionDigits", Math.max(minFD, percent ? 0 : 3));
      if (minFD > maxFD) throw new RangeError("maximumFractionDigits value is out of range.");
      const negative = x < 0 || Object.is(x, -0);
      let body;
      if (Number.isNaN(x)) body = "NaN";
      else if (!isFinite(x)) body = "\u221e";
      else {
        let [intPart, frac] = roundDigits(...decimalParts(Math.abs(x)), maxFD);
        intPart = intPart.replace(/^0+(?=\d)/, "");
        while (frac.length > minFD && frac.endsWith("0")) frac = frac.slice(0, -1);
        while (frac.length < minFD) frac += "0";
        if (o.useGrouping !== false) intPart = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
        body = intPart + (frac ? "." + frac : "");
      }
      return (negative && !Number.isNaN(x) ? "-" : "") + body + (percent ? "%" : "");
    },
    writable: true, configurable: true,
  });

  const intl = global.Intl || {};
  Object.defineProperty(intl, "DateTimeFormat", { value: DateTimeFormat, writable: true, configurable: true });
  if (!intl.getCanonicalLocales) {
    Object.defineProperty(intl, "getCanonicalLocales", {
      value: (locales) => { checkLocales(locales); return locales === undefined ? [] : (typeof locales === "string" ? [locales] : Array.from(locales)).map(String); },
      writable: true, configurable: true,
    });
  }
  if (!global.Intl) {
    Object.defineProperty(intl, Symbol.toStringTag, { value: "Intl", configurable: true });
    Object.defineProperty(global, "Intl", { value: intl, writable: true, configurable: true });
  }
})`

var intlProgram = goja.MustCompile("hogpipe:intl", intlSource, true)

// installIntl defines Intl.DateTimeFormat and Date's toLocale*String.
func (v *vm) installIntl() error {
	rt := v.rt
	throw := func(err error) {
		if oe, ok := err.(*intlOptionError); ok {
			ctor, _ := rt.Get(oe.kind).(*goja.Object)
			obj, _ := rt.New(ctor, rt.ToValue(oe.msg))
			panic(obj)
		}
		panic(rt.NewGoError(err))
	}
	handle := func(val goja.Value) *intlFormat {
		f, ok := val.Export().(*intlFormat)
		if !ok {
			panic(rt.NewTypeError("not an Intl.DateTimeFormat"))
		}
		return f
	}
	host := rt.NewObject()
	_ = host.Set("resolve", func(call goja.FunctionCall) goja.Value {
		optsObj := call.Argument(0).ToObject(rt)
		opts := make(map[string]goja.Value)
		for _, name := range []string{"hour12", "hourCycle", "timeZone", "weekday", "era", "year", "month", "day",
			"dayPeriod", "hour", "minute", "second", "fractionalSecondDigits", "timeZoneName", "formatMatcher",
			"dateStyle", "timeStyle"} {
			if val := optsObj.Get(name); val != nil && !goja.IsUndefined(val) {
				opts[name] = val
			}
		}
		f, err := intlResolve(opts, call.Argument(1).String(), call.Argument(2).String(), call.Argument(3).String())
		if err != nil {
			throw(err)
		}
		return rt.ToValue(f)
	})
	_ = host.Set("format", func(call goja.FunctionCall) goja.Value {
		var b strings.Builder
		for _, p := range handle(call.Argument(0)).parts(call.Argument(1).ToFloat()) {
			b.WriteString(p.Value)
		}
		return rt.ToValue(strings.ReplaceAll(b.String(), "\u202f", " "))
	})
	_ = host.Set("formatToParts", func(call goja.FunctionCall) goja.Value {
		parts := handle(call.Argument(0)).parts(call.Argument(1).ToFloat())
		out := make([]any, len(parts))
		for i, p := range parts {
			obj := rt.NewObject()
			_ = obj.Set("type", p.Type)
			_ = obj.Set("value", p.Value)
			out[i] = obj
		}
		return rt.ToValue(rt.NewArray(out...))
	})
	_ = host.Set("resolved", func(call goja.FunctionCall) goja.Value {
		obj := rt.NewObject()
		for _, kv := range handle(call.Argument(0)).resolved() {
			_ = obj.Set(kv[0].(string), kv[1])
		}
		return obj
	})
	fnVal, err := rt.RunProgram(intlProgram)
	if err != nil {
		return fmt.Errorf("intl: %w", err)
	}
	fn, _ := goja.AssertFunction(fnVal)
	if _, err := fn(goja.Undefined(), rt.GlobalObject(), host); err != nil {
		return fmt.Errorf("intl: %w", err)
	}
	return nil
}
