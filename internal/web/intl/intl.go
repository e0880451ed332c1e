// Package intl is the Intl global for the en-US locale (every other locale
// falls back to it): Intl.DateTimeFormat and Intl.NumberFormat, with Date's
// and Number's toLocale*String built on them, matching Node 20.
package intl

import (
	_ "embed"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones work on hosts without a zoneinfo database
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/node"
)

// goja has no Intl. This file provides Intl.DateTimeFormat and the
// Date.prototype.toLocale*String methods for the en-US locale (every other
// locale falls back to it), backed by Go's time zone database, and
// Intl.NumberFormat with Number's and BigInt's toLocaleString (further
// below). The output matches Node 20 (ICU 78 / CLDR 48): the patterns below
// are CLDR's en availableFormats as ICU's pattern generator combines them.
// It also gives Date.prototype.toString and toTimeString V8's zone name.

// datePatterns maps the requested date fields (E weekday, G era, y year,
// M numeric month, L text month, d day) to a pattern; text months are
// written MMMM and narrowed to the requested width later.
var datePatterns = map[string]string{
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

// timePatterns maps the requested time fields (h 12-hour or H 24-hour
// clock, m, s, z time zone name) to a pattern.
var timePatterns = map[string]string{
	"s": "s", "m": "m", "ms": "mm:ss", "h": "h a", "H": "HH", "hs": "h a '(second: 's')'", "Hs": "HH '(second: 's')'",
	"hm": "h:mm a", "Hm": "HH:mm", "hms": "h:mm:ss a", "Hms": "HH:mm:ss",
	"z": "z", "sz": "s z", "mz": "m z", "msz": "mm:ss z", "hz": "h a z", "Hz": "HH'h' z",
	"hsz": "h a z '(second: 's')'", "Hsz": "HH'h' z '(second: 's')'", "hmz": "h:mm a z", "Hmz": "HH:mm z",
	"hmsz": "h:mm:ss a z", "Hmsz": "HH:mm:ss z",
}

var (
	dateStyles = map[string]string{"full": "EEEE, MMMM d, y", "long": "MMMM d, y", "medium": "MMM d, y", "short": "M/d/yy"}
	timeStyles = map[string]string{"full": "h:mm:ss a zzzz", "long": "h:mm:ss a z", "medium": "h:mm:ss a", "short": "h:mm a"}
)

// CLDR 48 puts a narrow no-break space before AM/PM; Node's format() and
// toLocaleString turn it into a plain space, formatToParts keeps it.
func init() {
	for _, patterns := range []map[string]string{timePatterns, timeStyles} {
		for k, p := range patterns {
			patterns[k] = strings.ReplaceAll(p, " a", "\u202fa")
		}
	}
}

var (
	monthsLong  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	weekdayLong = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// usZones are the en-US short names ICU shows for zones of the North
// American metazones; every other zone shows a GMT offset.
var usZones = map[string][2]string{ // abbreviation → long name, generic name
	"EST": {"Eastern Standard Time", "Eastern Time"}, "EDT": {"Eastern Daylight Time", "Eastern Time"},
	"CST": {"Central Standard Time", "Central Time"}, "CDT": {"Central Daylight Time", "Central Time"},
	"MST": {"Mountain Standard Time", "Mountain Time"}, "MDT": {"Mountain Daylight Time", "Mountain Time"},
	"PST": {"Pacific Standard Time", "Pacific Time"}, "PDT": {"Pacific Daylight Time", "Pacific Time"},
	"AKST": {"Alaska Standard Time", "Alaska Time"}, "AKDT": {"Alaska Daylight Time", "Alaska Time"},
	"HST": {"Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Time"}, "HDT": {"Hawaii-Aleutian Daylight Time", "Hawaii-Aleutian Time"},
	"AST": {"Atlantic Standard Time", "Atlantic Time"}, "ADT": {"Atlantic Daylight Time", "Atlantic Time"},
}

var usGenericShort = map[string]string{
	"Eastern Time": "ET", "Central Time": "CT", "Mountain Time": "MT", "Pacific Time": "PT",
	"Alaska Time": "AKT", "Hawaii-Aleutian Time": "HAT", "Atlantic Time": "AT",
}

// longNames are long names for common zones outside North America,
// keyed by the region prefix and Go's abbreviation.
var longNames = map[string]string{
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

// zoneLongByName covers zones whose abbreviation is ambiguous.
var zoneLongByName = map[string][2]string{ // standard, daylight
	"Asia/Calcutta": {"India Standard Time", ""}, "Asia/Shanghai": {"China Standard Time", "China Daylight Time"},
	"Asia/Jerusalem": {"Israel Standard Time", "Israel Daylight Time"}, "Asia/Tel_Aviv": {"Israel Standard Time", "Israel Daylight Time"},
}

// zoneAliases are the IANA links ICU reports under another name.
var zoneAliases = map[string]string{
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

// loadedZones caches loaded locations (immutable, safe to share).
var loadedZones sync.Map // canonical name → *time.Location

// defaultZone is the zone used when no timeZone is given: UTC, whatever
// the host's zone, as JavaScript's local time is in hogpipe (the original
// plugin servers ran in UTC).
func defaultZone() (string, *time.Location) { return "UTC", time.UTC }

// loadZone resolves an IANA name (any case) to ICU's canonical name
// and its location.
func loadZone(name string) (string, *time.Location, bool) {
	if name == "" || strings.Contains(name, "..") || strings.EqualFold(name, "local") {
		return "", nil, false
	}
	try := func(n string) (string, *time.Location, bool) {
		if alias, ok := zoneAliases[n]; ok {
			n = alias
		}
		if cached, ok := loadedZones.Load(n); ok {
			return n, cached.(*time.Location), true
		}
		if n == "UTC" {
			loadedZones.Store(n, time.UTC)
			return n, time.UTC, true
		}
		loc, err := time.LoadLocation(n)
		if err != nil {
			return "", nil, false
		}
		loadedZones.Store(n, loc)
		return n, loc, true
	}
	if n, loc, ok := try(name); ok {
		return n, loc, true
	}
	for _, candidate := range zoneCaseVariants(name) {
		if n, loc, ok := try(candidate); ok {
			return n, loc, true
		}
	}
	return "", nil, false
}

// zoneCaseVariants guesses the canonical spelling of a zone name given
// in another case (time zone names are case-insensitive in Intl).
func zoneCaseVariants(name string) []string {
	upper := strings.ToUpper(name)
	for k := range zoneAliases {
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

// dateTimeFormat is one resolved Intl.DateTimeFormat.
type dateTimeFormat struct {
	zoneName string
	loc      *time.Location
	opts     map[string]string // requested components and styles, resolved
	hc       string            // hour cycle when an hour is shown
	fsd      int
	pattern  []token
}

// token is a pattern field (letter repeated width times) or a literal.
type token struct {
	letter rune
	width  int
	lit    string
}

// optionError is a JavaScript error to throw: kind is "TypeError" or
// "RangeError".
type optionError struct{ kind, msg string }

func (e *optionError) Error() string { return e.msg }

var componentValues = map[string][]string{
	"weekday": {"narrow", "short", "long"}, "era": {"narrow", "short", "long"},
	"year": {"2-digit", "numeric"}, "month": {"2-digit", "numeric", "narrow", "short", "long"},
	"day": {"2-digit", "numeric"}, "dayPeriod": {"narrow", "short", "long"},
	"hour": {"2-digit", "numeric"}, "minute": {"2-digit", "numeric"}, "second": {"2-digit", "numeric"},
	"timeZoneName": {"short", "long", "shortOffset", "longOffset", "shortGeneric", "longGeneric"},
}

var componentOrder = []string{"weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second"}

// getOption reads options[name] as a string restricted to allowed values.
func getOption(opts map[string]goja.Value, name, context string, allowed []string) (string, error) {
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
	return "", &optionError{"RangeError", fmt.Sprintf("Value %s out of range for %s options property %s", s, context, name)}
}

// resolveDateTime builds a format from options as ECMA-402 does: required is
// "any", "date" or "time" and defaults "date", "time" or "all" (the
// ToDateTimeOptions step of the Date.prototype methods and the constructor).
func resolveDateTime(opts map[string]goja.Value, context, required, defaults string) (*dateTimeFormat, error) {
	f := &dateTimeFormat{opts: map[string]string{}}
	var hour12 *bool
	if v, ok := opts["hour12"]; ok && v != nil && !goja.IsUndefined(v) {
		b := v.ToBoolean()
		hour12 = &b
	}
	hourCycle, err := getOption(opts, "hourCycle", context, []string{"h11", "h12", "h23", "h24"})
	if err != nil {
		return nil, err
	}
	if v, ok := opts["timeZone"]; ok && v != nil && !goja.IsUndefined(v) {
		name, loc, ok := loadZone(v.String())
		if !ok {
			return nil, &optionError{"RangeError", "Invalid time zone specified: " + v.String()}
		}
		f.zoneName, f.loc = name, loc
	} else {
		f.zoneName, f.loc = defaultZone()
	}
	for _, name := range []string{"weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second"} {
		val, err := getOption(opts, name, context, componentValues[name])
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
			return nil, &optionError{"RangeError", "fractionalSecondDigits value is out of range."}
		}
		f.fsd = int(math.Floor(n))
	}
	tzn, err := getOption(opts, "timeZoneName", context, componentValues["timeZoneName"])
	if err != nil {
		return nil, err
	}
	if tzn != "" {
		f.opts["timeZoneName"] = tzn
	}
	if _, err := getOption(opts, "formatMatcher", context, []string{"basic", "best fit"}); err != nil {
		return nil, err
	}
	styles := []string{"full", "long", "medium", "short"}
	dateStyle, err := getOption(opts, "dateStyle", context, styles)
	if err != nil {
		return nil, err
	}
	timeStyle, err := getOption(opts, "timeStyle", context, styles)
	if err != nil {
		return nil, err
	}

	if dateStyle != "" || timeStyle != "" {
		for _, name := range append(componentOrder, "timeZoneName") {
			if _, ok := f.opts[name]; ok {
				return nil, &optionError{"TypeError", fmt.Sprintf("Can't set option %s when %s is used", name, map[bool]string{true: "dateStyle", false: "timeStyle"}[dateStyle != ""])}
			}
		}
		if f.fsd != 0 {
			return nil, &optionError{"TypeError", fmt.Sprintf("Can't set option fractionalSecondDigits when %s is used", map[bool]string{true: "dateStyle", false: "timeStyle"}[dateStyle != ""])}
		}
		if required == "date" && timeStyle != "" {
			return nil, &optionError{"TypeError", "Invalid option : timeStyle"}
		}
		if required == "time" && dateStyle != "" {
			return nil, &optionError{"TypeError", "Invalid option : dateStyle"}
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
		f.pattern = stylePattern(dateStyle, timeStyle, f.hc)
		return f, nil
	}
	f.pattern = f.skeletonPattern()
	return f, nil
}

func stylePattern(dateStyle, timeStyle, hc string) []token {
	var date, tm []token
	if dateStyle != "" {
		date = parsePattern(dateStyles[dateStyle])
	}
	if timeStyle != "" {
		tm = parsePattern(timeStyles[timeStyle])
		tm = applyHourCycle(tm, hc, false)
	}
	glue := ", "
	if dateStyle == "full" || dateStyle == "long" {
		glue = " at "
	}
	return joinPatterns(date, tm, glue)
}

// skeletonPattern picks the pattern for the requested components and
// adjusts each field's width to the request.
func (f *dateTimeFormat) skeletonPattern() []token {
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
	var date, tm []token
	if dk.Len() > 0 {
		date = parsePattern(datePatterns[dk.String()])
	}
	if tk.Len() > 0 {
		tm = parsePattern(timePatterns[tk.String()])
	} else if f.fsd != 0 {
		tm = []token{{letter: 'S', width: f.fsd}}
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
	out := joinPatterns(date, tm, glue)
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
	out = applyHourCycle(out, f.hc, o["hour"] == "2-digit")
	if f.fsd != 0 {
		for i := 0; i < len(out); i++ {
			if out[i].letter == 's' {
				frac := []token{{lit: "."}, {letter: 'S', width: f.fsd}}
				out = append(out[:i+1], append(frac, out[i+1:]...)...)
				break
			}
		}
	}
	return out
}

// applyHourCycle rewrites h fields for h11 (K), h23 (HH) and h24 (kk).
func applyHourCycle(p []token, hc string, twoDigit bool) []token {
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

func joinPatterns(date, tm []token, glue string) []token {
	switch {
	case len(date) == 0:
		return tm
	case len(tm) == 0:
		return date
	}
	out := append([]token{}, date...)
	out = append(out, token{lit: glue})
	return append(out, tm...)
}

// parsePattern reads an ICU pattern: letters repeat for width, text in
// single quotes is literal.
func parsePattern(p string) []token {
	var out []token
	addLit := func(s string) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].letter == 0 {
			out[n-1].lit += s
			return
		}
		out = append(out, token{lit: s})
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
			out = append(out, token{letter: r, width: j - i})
			i = j - 1
		default:
			addLit(string(r))
		}
	}
	return out
}

//------------------------------------------------------------------------------

// formatPart is one piece of formatToParts.
type formatPart struct{ Type, Value string }

// parts formats the instant ms (milliseconds since the epoch).
func (f *dateTimeFormat) parts(ms float64) []formatPart {
	sec := math.Floor(ms / 1000)
	nsec := (ms - sec*1000) * 1e6
	t := time.Unix(int64(sec), int64(nsec)).In(f.loc)
	year := t.Year()
	eraYear := year
	if year <= 0 {
		eraYear = 1 - year
	}
	var out []formatPart
	add := func(typ, val string) {
		if typ == "literal" && len(out) > 0 && out[len(out)-1].Type == "literal" {
			out[len(out)-1].Value += val
			return
		}
		out = append(out, formatPart{typ, val})
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
			name := weekdayLong[t.Weekday()]
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
				add("month", monthsLong[m-1][:3])
			case 4:
				add("month", monthsLong[m-1])
			default:
				add("month", monthsLong[m-1][:1])
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
			add("timeZoneName", zoneDisplayName(f.zoneName, t, style))
		}
	}
	return out
}

// zoneDisplayName names the zone at t in one of Intl's timeZoneName styles.
func zoneDisplayName(zone string, t time.Time, style string) string {
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
	us, isUS := usZones[abbr]
	if isUS && !northAmerican(zone) {
		isUS = false
	}
	switch style {
	case "short":
		if isUS {
			return abbr
		}
		return offsetName(offset, false, true)
	case "shortOffset":
		return offsetName(offset, false, false)
	case "long":
		if isUS {
			return us[0]
		}
		if names, ok := zoneLongByName[zone]; ok {
			if t.IsDST() && names[1] != "" {
				return names[1]
			}
			return names[0]
		}
		region, _, _ := strings.Cut(zone, "/")
		if name, ok := longNames[region+"/"+abbr]; ok {
			return name
		}
		return offsetName(offset, true, false)
	case "shortGeneric":
		if isUS {
			return usGenericShort[us[1]]
		}
		return offsetName(offset, false, false)
	case "longGeneric":
		if isUS {
			return us[1]
		}
		return offsetName(offset, true, false)
	}
	return offsetName(offset, true, false)
}

// northAmerican tells zones of ICU's North American metazones, whose
// en-US names are abbreviations, from others sharing an abbreviation.
func northAmerican(zone string) bool {
	if zone == "America/Havana" {
		return false
	}
	return strings.HasPrefix(zone, "America/") || strings.HasPrefix(zone, "US/") || strings.HasPrefix(zone, "Canada/") ||
		zone == "Pacific/Honolulu" || zone == "Pacific/Johnston" || zone == "Atlantic/Bermuda"
}

// offsetName is "GMT+5:30" (short) or "GMT+05:30" (long); a zero
// offset is "GMT" for the short zone name and "GMT+0"/"GMT+00:00" otherwise.
func offsetName(offset int, long, zeroIsGMT bool) string {
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
func (f *dateTimeFormat) resolved() [][2]any {
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
	for _, name := range componentOrder {
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

// Intl.NumberFormat for en-US (every locale formats as en-US, as dates do):
// the decimal, percent and currency styles with every digit, rounding, sign
// and grouping option of ECMA-402 as Node 20's V8 implements it, and the
// standard, scientific, engineering and compact notations. The unit style is
// not supported. Numbers are formatted from their shortest decimal form (as
// ICU does), strings and BigInts from their exact digits.

// The currency data below is CLDR 48's, as Node 20 (ICU 78) reports it.

// currencySymbols are the en symbols that are not the ISO code itself.
var currencySymbols = map[string]string{
	"AUD": "A$", "BRL": "R$", "CAD": "CA$", "CNY": "CN¥", "EUR": "€", "GBP": "£", "HKD": "HK$", "ILS": "₪",
	"INR": "₹", "JPY": "¥", "KRW": "₩", "MXN": "MX$", "NZD": "NZ$", "PHP": "₱", "TWD": "NT$", "USD": "$",
	"VND": "₫", "XAF": "FCFA", "XCD": "EC$", "XCG": "Cg.", "XOF": "F\u202fCFA", "XPF": "CFPF",
}

// currencyNarrowSymbols are the narrow symbols that differ from the
// symbol.
var currencyNarrowSymbols = map[string]string{
	"AFN": "؋", "AMD": "֏", "AOA": "Kz", "ARS": "$", "AUD": "$", "AZN": "₼", "BAM": "KM", "BBD": "$", "BDT": "৳",
	"BMD": "$", "BND": "$", "BOB": "Bs", "BSD": "$", "BWP": "P", "BZD": "$", "CAD": "$", "CLP": "$", "CNY": "¥",
	"COP": "$", "CRC": "₡", "CUC": "$", "CUP": "$", "CZK": "Kč", "DKK": "kr", "DOP": "$", "EGP": "E£", "FJD": "$",
	"FKP": "£", "GEL": "₾", "GHS": "GH₵", "GIP": "£", "GNF": "FG", "GTQ": "Q", "GYD": "$", "HKD": "$", "HNL": "L",
	"HRK": "kn", "HUF": "Ft", "IDR": "Rp", "ISK": "kr", "JMD": "$", "KGS": "⃀", "KHR": "៛", "KMF": "CF",
	"KPW": "₩", "KYD": "$", "KZT": "₸", "LAK": "₭", "LBP": "L£", "LKR": "Rs", "LRD": "$", "MGA": "Ar", "MMK": "K",
	"MNT": "₮", "MUR": "Rs", "MXN": "$", "MYR": "RM", "NAD": "$", "NGN": "₦", "NIO": "C$", "NOK": "kr",
	"NPR": "Rs", "NZD": "$", "PKR": "Rs", "PLN": "zł", "PYG": "₲", "RON": "lei", "RUB": "₽", "RWF": "RF",
	"SBD": "$", "SEK": "kr", "SGD": "$", "SHP": "£", "SRD": "$", "SSP": "£", "STN": "Db", "SYP": "£", "THB": "฿",
	"TOP": "T$", "TRY": "₺", "TTD": "$", "TWD": "$", "UAH": "₴", "UYU": "$", "XCD": "$", "ZAR": "R", "ZMW": "ZK",
}

// currencyDigits are the minor-unit digits of the currencies that have
// other than two.
var currencyDigits = map[string]int{
	"AFN": 0, "ALL": 0, "BIF": 0, "CLP": 0, "COP": 0, "DJF": 0, "GNF": 0, "HUF": 0, "IDR": 0, "IQD": 0, "IRR": 0,
	"ISK": 0, "JPY": 0, "KMF": 0, "KPW": 0, "KRW": 0, "LAK": 0, "LBP": 0, "MGA": 0, "MMK": 0, "PKR": 0, "PYG": 0,
	"RWF": 0, "SLL": 0, "SOS": 0, "SYP": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0, "YER": 0,
	"BHD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// currencyNameList holds the en currency names (currencyDisplay
// "name"): CODE:singular, with the plural the singular plus "s", or
// CODE:singular:plural.
const currencyNameList = `AED:UAE dirham|AFN:Afghan Afghani|ALL:Albanian lek:Albanian lekë|AMD:Armenian dram|
ANG:Netherlands Antillean guilder|AOA:Angolan kwanza|ARS:Argentine peso|AUD:Australian dollar|
AWG:Aruban florin:Aruban florin|AZN:Azerbaijani manat|BAM:Bosnia-Herzegovina convertible mark|
BBD:Barbadian dollar|BDT:Bangladeshi taka|BGN:Bulgarian lev:Bulgarian leva|BHD:Bahraini dinar|
BIF:Burundian franc|BMD:Bermudan dollar|BND:Brunei dollar|BOB:Bolivian boliviano|BRL:Brazilian real|
BSD:Bahamian dollar|BTN:Bhutanese ngultrum|BWP:Botswanan pula|BYN:Belarusian ruble|BZD:Belize dollar|
CAD:Canadian dollar|CDF:Congolese franc|CHF:Swiss franc|CLP:Chilean peso|CNY:Chinese yuan:Chinese yuan|
COP:Colombian peso|CRC:Costa Rican colón|CUC:Cuban convertible peso|CUP:Cuban peso|CVE:Cape Verdean escudo|
CZK:Czech koruna|DJF:Djiboutian franc|DKK:Danish krone:Danish kroner|DOP:Dominican peso|DZD:Algerian dinar|
EGP:Egyptian pound|ERN:Eritrean nakfa|ETB:Ethiopian birr|EUR:euro|FJD:Fijian dollar|FKP:Falkland Islands pound|
GBP:British pound|GEL:Georgian lari|GHS:Ghanaian cedi|GIP:Gibraltar pound|GMD:Gambian dalasi|GNF:Guinean franc|
GTQ:Guatemalan quetzal|GYD:Guyanaese dollar|HKD:Hong Kong dollar|HNL:Honduran lempira|HRK:Croatian kuna|
HTG:Haitian gourde|HUF:Hungarian forint|IDR:Indonesian rupiah|ILS:Israeli new shekel|INR:Indian rupee|
IQD:Iraqi dinar|IRR:Iranian rial|ISK:Icelandic króna:Icelandic krónur|JMD:Jamaican dollar|JOD:Jordanian dinar|
JPY:Japanese yen:Japanese yen|KES:Kenyan shilling|KGS:Kyrgyz som|KHR:Cambodian riel|KMF:Comorian franc|
KPW:North Korean won:North Korean won|KRW:South Korean won:South Korean won|KWD:Kuwaiti dinar|
KYD:Cayman Islands dollar|KZT:Kazakhstani tenge|LAK:Laotian kip|LBP:Lebanese pound|LKR:Sri Lankan rupee|
LRD:Liberian dollar|LSL:Lesotho loti|LYD:Libyan dinar|MAD:Moroccan dirham|MDL:Moldovan leu:Moldovan lei|
MGA:Malagasy ariary:Malagasy ariaries|MKD:Macedonian denar:Macedonian denari|MMK:Myanmar kyat|
MNT:Mongolian tugrik|MOP:Macanese pataca|MRU:Mauritanian ouguiya|MUR:Mauritian rupee|MVR:Maldivian rufiyaa|
MWK:Malawian kwacha|MXN:Mexican peso|MYR:Malaysian ringgit|MZN:Mozambican metical|NAD:Namibian dollar|
NGN:Nigerian naira|NIO:Nicaraguan córdoba|NOK:Norwegian krone:Norwegian kroner|NPR:Nepalese rupee|
NZD:New Zealand dollar|OMR:Omani rial|PAB:Panamanian balboa|PEN:Peruvian sol:Peruvian soles|
PGK:Papua New Guinean kina:Papua New Guinean kina|PHP:Philippine peso|PKR:Pakistani rupee|PLN:Polish zloty|
PYG:Paraguayan guarani|QAR:Qatari riyal|RON:Romanian leu:Romanian lei|RSD:Serbian dinar|RUB:Russian ruble|
RWF:Rwandan franc|SAR:Saudi riyal|SBD:Solomon Islands dollar|SCR:Seychellois rupee|SDG:Sudanese pound|
SEK:Swedish krona:Swedish kronor|SGD:Singapore dollar|SHP:St. Helena pound|SLE:Sierra Leonean leone|
SLL:Sierra Leonean leone (1964—2022):Sierra Leonean leones (1964—2022)|SOS:Somali shilling|
SRD:Surinamese dollar|SSP:South Sudanese pound|STN:São Tomé & Príncipe dobra|
SVC:Salvadoran colón:Salvadoran colones|SYP:Syrian pound|SZL:Swazi lilangeni:Swazi emalangeni|
THB:Thai baht:Thai baht|TJS:Tajikistani somoni|TMT:Turkmenistani manat:Turkmenistani manat|TND:Tunisian dinar|
TOP:Tongan paʻanga:Tongan paʻanga|TRY:Turkish lira:Turkish Lira|TTD:Trinidad & Tobago dollar|
TWD:New Taiwan dollar|TZS:Tanzanian shilling|UAH:Ukrainian hryvnia|UGX:Ugandan shilling|USD:US dollar|
UYU:Uruguayan peso|UZS:Uzbekistani som:Uzbekistani som|VES:Venezuelan bolívar|
VND:Vietnamese dong:Vietnamese dong|VUV:Vanuatu vatu|WST:Samoan tala:Samoan tala|XAF:Central African CFA franc|
XCD:East Caribbean dollar|XCG:Caribbean guilder|XDR:special drawing rights:special drawing rights|
XOF:West African CFA franc|XPF:CFP franc|XSU:Sucre|YER:Yemeni rial|ZAR:South African rand:South African rand|
ZMW:Zambian kwacha|ZWG:Zimbabwean gold:Zimbabwean gold|
ZWL:Zimbabwean dollar (2009–2024):Zimbabwean dollars (2009–2024)`

var currencyNames = func() map[string][2]string {
	out := map[string][2]string{}
	for _, entry := range strings.Split(strings.ReplaceAll(currencyNameList, "\n", ""), "|") {
		f := strings.Split(entry, ":")
		if len(f) == 2 {
			f = append(f, f[1]+"s")
		}
		out[f[0]] = [2]string{f[1], f[2]}
	}
	return out
}()

// numberFormatter is one resolved Intl.NumberFormat.
type numberFormatter struct {
	style, currency, currencyDisplay, currencySign string
	notation, compactDisplay                       string
	minInt, minFrac, maxFrac, minSig, maxSig       int
	roundingType                                   string // fractionDigits, significantDigits, morePrecision or lessPrecision
	roundingPriority                               string // as resolvedOptions reports it
	roundingIncrement                              int
	roundingMode, trailingZeroDisplay, signDisplay string
	useGrouping                                    string // "" when false
}

var roundingIncrements = []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000}

// resolveNumber builds a number format from options read by get, in
// the order of ECMA-402's InitializeNumberFormat; context names the caller
// in error messages.
func resolveNumber(get func(string) goja.Value, context string) (*numberFormatter, error) {
	defined := func(v goja.Value) bool { return v != nil && !goja.IsUndefined(v) }
	str := func(name string, allowed []string, fallback string) (string, error) {
		v := get(name)
		if !defined(v) {
			return fallback, nil
		}
		s := v.String()
		for _, a := range allowed {
			if s == a {
				return s, nil
			}
		}
		ctx := context
		if name == "roundingPriority" {
			ctx = "SetNumberFormatDigitOptions" // V8's wording
		}
		return "", &optionError{"RangeError", fmt.Sprintf("Value %s out of range for %s options property %s", s, ctx, name)}
	}
	outOfRange := func(name string) error {
		return &optionError{"RangeError", name + " value is out of range."}
	}
	// number is DefaultNumberOption: -1 stands for undefined.
	number := func(v goja.Value, name string, lo, hi, fallback int) (int, error) {
		if !defined(v) {
			return fallback, nil
		}
		n := v.ToFloat()
		if math.IsNaN(n) || n < float64(lo) || n > float64(hi) {
			return 0, outOfRange(name)
		}
		return int(math.Floor(n)), nil
	}

	f := &numberFormatter{}
	var err error
	if _, err = str("localeMatcher", []string{"lookup", "best fit"}, ""); err != nil {
		return nil, err
	}
	if v := get("numberingSystem"); defined(v) && !typeSequence(v.String()) {
		return nil, &optionError{"RangeError", "Invalid numberingSystem : " + v.String()}
	}
	if f.style, err = str("style", []string{"decimal", "percent", "currency", "unit"}, "decimal"); err != nil {
		return nil, err
	}
	if v := get("currency"); defined(v) {
		code := v.String()
		if !wellFormedCurrency(code) {
			return nil, &optionError{"RangeError", "Invalid currency code : " + code}
		}
		f.currency = strings.ToUpper(code)
	}
	if f.currencyDisplay, err = str("currencyDisplay", []string{"code", "symbol", "narrowSymbol", "name"}, "symbol"); err != nil {
		return nil, err
	}
	if f.currencySign, err = str("currencySign", []string{"standard", "accounting"}, "standard"); err != nil {
		return nil, err
	}
	unit := get("unit")
	if _, err = str("unitDisplay", []string{"short", "narrow", "long"}, "short"); err != nil {
		return nil, err
	}
	switch f.style {
	case "currency":
		if f.currency == "" {
			return nil, &optionError{"TypeError", "Currency code is required with currency style."}
		}
	case "unit":
		if !defined(unit) {
			return nil, &optionError{"TypeError", "Invalid unit argument for Intl.NumberFormat() ''"}
		}
		return nil, &optionError{"RangeError", "hogpipe does not support the unit style of Intl.NumberFormat"}
	}
	mnfdDefault, mxfdDefault := 0, 3
	switch f.style {
	case "currency":
		d, ok := currencyDigits[f.currency]
		if !ok {
			d = 2
		}
		mnfdDefault, mxfdDefault = d, d
	case "percent":
		mxfdDefault = 0
	}
	if f.notation, err = str("notation", []string{"standard", "scientific", "engineering", "compact"}, "standard"); err != nil {
		return nil, err
	}

	// SetNumberFormatDigitOptions
	if f.minInt, err = number(get("minimumIntegerDigits"), "minimumIntegerDigits", 1, 21, 1); err != nil {
		return nil, err
	}
	mnfd, mxfd := get("minimumFractionDigits"), get("maximumFractionDigits")
	mnsd, mxsd := get("minimumSignificantDigits"), get("maximumSignificantDigits")
	if f.roundingIncrement, err = number(get("roundingIncrement"), "roundingIncrement", 1, 5000, 1); err != nil {
		return nil, err
	}
	if !slices.Contains(roundingIncrements, f.roundingIncrement) {
		return nil, outOfRange("roundingIncrement")
	}
	if f.roundingMode, err = str("roundingMode", []string{"ceil", "floor", "expand", "trunc", "halfCeil", "halfFloor", "halfExpand", "halfTrunc", "halfEven"}, "halfExpand"); err != nil {
		return nil, err
	}
	if f.roundingPriority, err = str("roundingPriority", []string{"auto", "morePrecision", "lessPrecision"}, "auto"); err != nil {
		return nil, err
	}
	if f.trailingZeroDisplay, err = str("trailingZeroDisplay", []string{"auto", "stripIfInteger"}, "auto"); err != nil {
		return nil, err
	}
	if f.roundingIncrement != 1 {
		mxfdDefault = mnfdDefault
	}
	hasSd, hasFd := defined(mnsd) || defined(mxsd), defined(mnfd) || defined(mxfd)
	needSd, needFd := true, true
	if f.roundingPriority == "auto" {
		needSd = hasSd
		if needSd || (!hasFd && f.notation == "compact") {
			needFd = false
		}
	}
	if needSd {
		f.minSig, f.maxSig = 1, 21
		if hasSd {
			if f.minSig, err = number(mnsd, "minimumSignificantDigits", 1, 21, 1); err != nil {
				return nil, err
			}
			if f.maxSig, err = number(mxsd, "maximumSignificantDigits", f.minSig, 21, 21); err != nil {
				return nil, err
			}
		}
	}
	if needFd {
		f.minFrac, f.maxFrac = mnfdDefault, mxfdDefault
		if hasFd {
			// Node 20's V8 allows 20 fraction digits at most (ECMA-402 now 100).
			lo, err := number(mnfd, "minimumFractionDigits", 0, 20, -1)
			if err != nil {
				return nil, err
			}
			hi, err := number(mxfd, "maximumFractionDigits", 0, 20, -1)
			if err != nil {
				return nil, err
			}
			switch {
			case lo < 0:
				lo = min(mnfdDefault, hi)
			case hi < 0:
				hi = max(mxfdDefault, lo)
			case lo > hi:
				return nil, outOfRange("maximumFractionDigits")
			}
			f.minFrac, f.maxFrac = lo, hi
		}
	}
	switch {
	case !needSd && !needFd:
		f.minFrac, f.maxFrac, f.minSig, f.maxSig = 0, 0, 1, 2
		f.roundingType, f.roundingPriority = "morePrecision", "morePrecision"
	case f.roundingPriority == "auto" && needSd:
		f.roundingType = "significantDigits"
	case f.roundingPriority == "auto":
		f.roundingType = "fractionDigits"
	default:
		f.roundingType = f.roundingPriority
	}
	if f.roundingIncrement != 1 {
		if f.roundingType != "fractionDigits" {
			return nil, &optionError{"TypeError", "RoundingType is not fractionDigits"}
		}
		if f.maxFrac != f.minFrac {
			return nil, &optionError{"RangeError", "maximumFractionDigits not equal to minimumFractionDigits"}
		}
	}

	if f.compactDisplay, err = str("compactDisplay", []string{"short", "long"}, "short"); err != nil {
		return nil, err
	}
	f.useGrouping = "auto"
	if f.notation == "compact" {
		f.useGrouping = "min2"
	}
	if v := get("useGrouping"); defined(v) {
		switch {
		case v.Export() == true:
			f.useGrouping = "always"
		case !v.ToBoolean():
			f.useGrouping = ""
		default:
			switch s := v.String(); s {
			case "true", "false":
			case "min2", "auto", "always":
				f.useGrouping = s
			default:
				return nil, &optionError{"RangeError", fmt.Sprintf("Value %s out of range for %s options property useGrouping", s, context)}
			}
		}
	}
	if f.signDisplay, err = str("signDisplay", []string{"auto", "never", "always", "exceptZero", "negative"}, "auto"); err != nil {
		return nil, err
	}
	return f, nil
}

// typeSequence tells a Unicode locale type like "latn" or "arab".
func typeSequence(s string) bool {
	for _, part := range strings.Split(s, "-") {
		if len(part) < 3 || len(part) > 8 {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

func wellFormedCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// resolved is resolvedOptions(), in Node's key order.
func (f *numberFormatter) resolved() [][2]any {
	out := [][2]any{{"locale", "en-US"}, {"numberingSystem", "latn"}, {"style", f.style}}
	if f.style == "currency" {
		out = append(out, [2]any{"currency", f.currency}, [2]any{"currencyDisplay", f.currencyDisplay}, [2]any{"currencySign", f.currencySign})
	}
	out = append(out, [2]any{"minimumIntegerDigits", f.minInt})
	if f.roundingType != "fractionDigits" {
		out = append(out, [2]any{"minimumSignificantDigits", f.minSig}, [2]any{"maximumSignificantDigits", f.maxSig})
	}
	if f.roundingType != "significantDigits" {
		out = append(out, [2]any{"minimumFractionDigits", f.minFrac}, [2]any{"maximumFractionDigits", f.maxFrac})
	}
	var grouping any = f.useGrouping
	if f.useGrouping == "" {
		grouping = false
	}
	out = append(out, [2]any{"useGrouping", grouping}, [2]any{"notation", f.notation})
	if f.notation == "compact" {
		out = append(out, [2]any{"compactDisplay", f.compactDisplay})
	}
	return append(out, [2]any{"signDisplay", f.signDisplay}, [2]any{"roundingMode", f.roundingMode},
		[2]any{"roundingIncrement", f.roundingIncrement}, [2]any{"trailingZeroDisplay", f.trailingZeroDisplay},
		[2]any{"roundingPriority", f.roundingPriority})
}

//------------------------------------------------------------------------------

// decimalNumber is a number to format: 0.digits × 10^exp, digits without
// leading or trailing zeros ("" is zero), or NaN or an infinity.
type decimalNumber struct {
	neg, nan, inf bool
	digits        string
	exp           int
}

// decimalFromFloat takes x's shortest round-tripping decimal form, the
// digits JavaScript prints and ICU formats.
func decimalFromFloat(x float64) decimalNumber {
	switch {
	case math.IsNaN(x):
		return decimalNumber{nan: true}
	case math.IsInf(x, 0):
		return decimalNumber{neg: x < 0, inf: true}
	case x == 0:
		return decimalNumber{neg: math.Signbit(x)}
	}
	s := strconv.FormatFloat(math.Abs(x), 'e', -1, 64) // d.ddde±xx
	mant, e, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(e)
	return decimalNumber{neg: x < 0, digits: strings.TrimRight(strings.Replace(mant, ".", "", 1), "0"), exp: exp + 1}
}

// decimalFromString reads a decimal literal ([+-]digits[.digits][e±n])
// exactly, as Intl.NumberFormat does strings and BigInts.
func decimalFromString(s string) (decimalNumber, bool) {
	var d decimalNumber
	if s != "" && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	mant, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		n, err := strconv.Atoi(strings.TrimPrefix(e, "+"))
		if err != nil || n > 100000 || n < -100000 {
			return d, false
		}
		exp = n
	}
	ip, fp, _ := strings.Cut(mant, ".")
	if ip+fp == "" || strings.Trim(ip+fp, "0123456789") != "" {
		return d, false
	}
	digits := strings.TrimLeft(ip+fp, "0")
	d.exp = exp + len(ip) - (len(ip+fp) - len(digits))
	d.digits = strings.TrimRight(digits, "0")
	if d.digits == "" {
		d.exp = 0
	}
	return d, true
}

// magnitude is the power of ten of the leading digit (0 for zero).
func (d decimalNumber) magnitude() int {
	if d.digits == "" {
		return 0
	}
	return d.exp - 1
}

func (d decimalNumber) scaled(pow int) decimalNumber {
	if d.digits != "" {
		d.exp += pow
	}
	return d
}

// roundAt rounds d to a multiple of inc × 10^mag in one of Intl's rounding
// modes, keeping its sign (ICU shows a negative number rounded to zero as
// -0).
func (d decimalNumber) roundAt(mag, inc int, mode string) decimalNumber {
	if d.nan || d.inf || d.digits == "" {
		return d
	}
	n := d.exp - mag // digits at or above 10^mag
	var kept, rest string
	switch {
	case n <= 0:
		rest = strings.Repeat("0", -n) + d.digits
	case n >= len(d.digits):
		kept = d.digits + strings.Repeat("0", n-len(d.digits))
	default:
		kept, rest = d.digits[:n], d.digits[n:]
	}
	q, ok := new(big.Int).SetString("0"+kept, 10)
	if !ok {
		return d
	}
	m := big.NewInt(int64(inc))
	rem := new(big.Int)
	q.DivMod(q, m, rem)
	if rem.Sign() != 0 || rest != "" {
		// Compare the discarded part, (rem + 0.rest) / inc, with one half.
		twice := new(big.Int).Lsh(rem, 1)
		half := twice.Cmp(m)
		if rest != "" {
			switch next := new(big.Int).Add(twice, big.NewInt(1)); {
			case half >= 0:
				half = 1
			case next.Cmp(m) < 0:
				half = -1
			case rest[0] < '5':
				half = -1
			case rest[0] > '5' || len(rest) > 1:
				half = 1
			default:
				half = 0
			}
		}
		var up bool
		switch unsignedRounding(mode, d.neg) {
		case "infinity":
			up = true
		case "half-infinity":
			up = half >= 0
		case "half-zero":
			up = half > 0
		case "half-even":
			up = half > 0 || half == 0 && q.Bit(0) == 1
		}
		if up {
			q.Add(q, big.NewInt(1))
		}
	}
	q.Mul(q, m)
	out := decimalNumber{neg: d.neg}
	if q.Sign() != 0 {
		s := q.String()
		out.exp = len(s) + mag
		out.digits = strings.TrimRight(s, "0")
	}
	return out
}

// unsignedRounding maps a rounding mode to the direction it takes for
// a number of this sign (ECMA-402 GetUnsignedRoundingMode).
func unsignedRounding(mode string, neg bool) string {
	switch mode {
	case "ceil":
		if neg {
			return "zero"
		}
		return "infinity"
	case "floor":
		if neg {
			return "infinity"
		}
		return "zero"
	case "expand":
		return "infinity"
	case "trunc":
		return "zero"
	case "halfCeil":
		if neg {
			return "half-zero"
		}
		return "half-infinity"
	case "halfFloor":
		if neg {
			return "half-infinity"
		}
		return "half-zero"
	case "halfTrunc":
		return "half-zero"
	case "halfEven":
		return "half-even"
	}
	return "half-infinity"
}

// round applies the format's rounding to d and says how many fraction
// digits to show at least.
func (f *numberFormatter) round(d decimalNumber) (decimalNumber, int) {
	if d.nan || d.inf {
		return d, 0
	}
	sigMag := d.magnitude() + 1 - f.maxSig
	fracMag := -f.maxFrac
	useSig := false
	switch f.roundingType {
	case "significantDigits":
		useSig = true
	case "morePrecision":
		useSig = sigMag <= fracMag
	case "lessPrecision":
		useSig = sigMag > fracMag
	}
	var r decimalNumber
	var minFrac int
	if useSig {
		r = d.roundAt(sigMag, 1, f.roundingMode)
		minFrac = max(0, f.minSig-1-r.magnitude())
	} else {
		r = d.roundAt(fracMag, f.roundingIncrement, f.roundingMode)
		minFrac = f.minFrac
	}
	if f.trailingZeroDisplay == "stripIfInteger" && r.exp >= len(r.digits) {
		minFrac = 0
	}
	return r, minFrac
}

// compactUnits are en's compact suffixes by thousands (short, long).
var compactUnitNames = [][2]string{{"K", "thousand"}, {"M", "million"}, {"B", "billion"}, {"T", "trillion"}}

// parts formats x: a float64, a decimal string, or a BigInt's digits
// followed by "n".
func (f *numberFormatter) parts(x goja.Value) []formatPart {
	var d decimalNumber
	if s, ok := x.Export().(string); ok {
		bigint := strings.HasSuffix(s, "n")
		s = strings.TrimSuffix(s, "n")
		var valid bool
		d, valid = decimalFromString(s)
		v, _ := strconv.ParseFloat(s, 64)
		// A string beyond the range of doubles is an infinity or a zero
		// (ECMA-402's RoundMVResult); a BigInt is exact.
		if !valid || !bigint && (math.IsInf(v, 0) || v == 0) {
			d = decimalFromFloat(v)
		}
	} else {
		d = decimalFromFloat(x.ToFloat())
	}
	if f.style == "percent" {
		d = d.scaled(2)
	}

	// The notation: the power of ten taken out of the number.
	var r decimalNumber
	var minFrac, exponent int
	compact := ""
	switch {
	case d.nan || d.inf || d.digits == "" || f.notation == "standard":
		r, minFrac = f.round(d)
	case f.notation == "compact":
		// ICU's CompactHandler: the unit is chosen for the magnitude before
		// rounding, and again if rounding reaches the next magnitude.
		unit := func(mag int) int {
			if mag < 3 {
				return 0
			}
			return min(mag, 14) / 3
		}
		mag := d.magnitude()
		u := unit(mag)
		r, minFrac = f.round(d.scaled(-3 * u))
		if r.digits != "" && r.magnitude() != mag-3*u {
			if u2 := unit(mag + 1); u2 != u {
				r, minFrac = f.round(r.scaled(-3 * (u2 - u)))
				u = u2
			}
		}
		if u > 0 {
			compact = compactUnitNames[u-1][0]
			if f.compactDisplay == "long" && f.style != "currency" {
				compact = compactUnitNames[u-1][1]
			}
		}
	default: // scientific, engineering
		step := 1
		if f.notation == "engineering" {
			step = 3
		}
		exponent = int(math.Floor(float64(d.magnitude())/float64(step))) * step
		r, minFrac = f.round(d.scaled(-exponent))
		if r.magnitude() >= step {
			exponent += step
			r, minFrac = f.round(r.scaled(-step))
		}
	}

	// The number itself.
	var num []formatPart
	switch {
	case r.nan:
		num = []formatPart{{"nan", "NaN"}}
	case r.inf:
		num = []formatPart{{"infinity", "∞"}}
	default:
		var ip, fp string
		switch {
		case r.digits == "":
			ip = "0"
		case r.exp <= 0:
			ip, fp = "0", strings.Repeat("0", -r.exp)+r.digits
		case r.exp >= len(r.digits):
			ip = r.digits + strings.Repeat("0", r.exp-len(r.digits))
		default:
			ip, fp = r.digits[:r.exp], r.digits[r.exp:]
		}
		for len(fp) < minFrac {
			fp += "0"
		}
		for len(ip) < f.minInt {
			ip = "0" + ip
		}
		if f.useGrouping == "" || f.useGrouping == "min2" && len(ip) < 5 || len(ip) <= 3 {
			num = append(num, formatPart{"integer", ip})
		} else {
			first := len(ip) % 3
			if first == 0 {
				first = 3
			}
			num = append(num, formatPart{"integer", ip[:first]})
			for i := first; i < len(ip); i += 3 {
				num = append(num, formatPart{"group", ","}, formatPart{"integer", ip[i : i+3]})
			}
		}
		if fp != "" {
			num = append(num, formatPart{"decimal", "."}, formatPart{"fraction", fp})
		}
		if f.notation == "scientific" || f.notation == "engineering" {
			num = append(num, formatPart{"exponentSeparator", "E"})
			if exponent < 0 {
				num = append(num, formatPart{"exponentMinusSign", "-"})
			}
			num = append(num, formatPart{"exponentInteger", strconv.Itoa(max(exponent, -exponent))})
		}
		if compact != "" {
			if len(compact) > 1 {
				num = append(num, formatPart{"literal", " "})
			}
			num = append(num, formatPart{"compact", compact})
		}
	}

	// The sign: NaN has none, and a number rounded to zero counts as zero
	// for exceptZero and negative.
	zero := r.nan || r.digits == "" && !r.inf
	var sign string
	switch f.signDisplay {
	case "auto":
		if r.neg {
			sign = "-"
		}
	case "always":
		sign = "+"
		if r.neg {
			sign = "-"
		}
	case "exceptZero":
		switch {
		case zero:
		case r.neg:
			sign = "-"
		default:
			sign = "+"
		}
	case "negative":
		if r.neg && !zero {
			sign = "-"
		}
	}
	var out []formatPart
	parens := false
	switch sign {
	case "-":
		if f.style == "currency" && f.currencySign == "accounting" && f.currencyDisplay != "name" {
			parens = true
			out = append(out, formatPart{"literal", "("})
		} else {
			out = append(out, formatPart{"minusSign", "-"})
		}
	case "+":
		out = append(out, formatPart{"plusSign", "+"})
	}
	switch {
	case f.style == "currency" && f.currencyDisplay == "name":
		names, ok := currencyNames[f.currency]
		if !ok {
			names = [2]string{f.currency, f.currency}
		}
		name := names[1]
		// en's plural "one": the integer 1 with no fraction digits shown.
		if len(num) == 1 && num[0].Type == "integer" && strings.TrimLeft(num[0].Value, "0") == "1" {
			name = names[0]
		}
		out = append(out, num...)
		out = append(out, formatPart{"literal", " "}, formatPart{"currency", name})
	case f.style == "currency":
		symbol := f.currency
		if f.currencyDisplay != "code" {
			if s, ok := currencySymbols[f.currency]; ok {
				symbol = s
			}
			if s, ok := currencyNarrowSymbols[f.currency]; ok && f.currencyDisplay == "narrowSymbol" {
				symbol = s
			}
		}
		out = append(out, formatPart{"currency", symbol})
		// CLDR's currency spacing: a no-break space between a symbol that
		// does not end in a symbol character and a digit.
		last, _ := utf8.DecodeLastRuneInString(symbol)
		if num[0].Type == "integer" && !unicode.In(last, unicode.S, unicode.Z) {
			out = append(out, formatPart{"literal", "\u00a0"})
		}
		out = append(out, num...)
	default:
		out = append(out, num...)
		if f.style == "percent" {
			out = append(out, formatPart{"percentSign", "%"})
		}
	}
	if parens {
		out = append(out, formatPart{"literal", ")"})
	}
	return out
}

//------------------------------------------------------------------------------

// source defines Intl.DateTimeFormat, Intl.NumberFormat, the
// Date.prototype.toLocale* methods, Number's and BigInt's toLocaleString
// and Date.prototype.toString and toTimeString on top of the Go helpers in
// host.
//
//go:embed intl.js
var source string

var program = goja.MustCompile("web:intl", source, true)

// Global defines Intl.DateTimeFormat, Intl.NumberFormat and the methods
// built on them (see source).
func Global() node.Global { return node.Global{Name: "Intl", Install: install} }

func install(rt *goja.Runtime, _ node.Host) error {
	throw := func(err error) {
		if oe, ok := err.(*optionError); ok {
			ctor, _ := rt.Get(oe.kind).(*goja.Object)
			obj, _ := rt.New(ctor, rt.ToValue(oe.msg))
			panic(obj)
		}
		panic(rt.NewGoError(err))
	}
	handle := func(val goja.Value) *dateTimeFormat {
		f, ok := val.Export().(*dateTimeFormat)
		if !ok {
			panic(rt.NewTypeError("not an Intl.DateTimeFormat"))
		}
		return f
	}
	partsArray := func(parts []formatPart) goja.Value {
		out := make([]any, len(parts))
		for i, p := range parts {
			obj := rt.NewObject()
			_ = obj.Set("type", p.Type)
			_ = obj.Set("value", p.Value)
			out[i] = obj
		}
		return rt.NewArray(out...)
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
		f, err := resolveDateTime(opts, call.Argument(1).String(), call.Argument(2).String(), call.Argument(3).String())
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
		return partsArray(handle(call.Argument(0)).parts(call.Argument(1).ToFloat()))
	})
	_ = host.Set("resolved", func(call goja.FunctionCall) goja.Value {
		obj := rt.NewObject()
		for _, kv := range handle(call.Argument(0)).resolved() {
			_ = obj.Set(kv[0].(string), kv[1])
		}
		return obj
	})
	numberHandle := func(val goja.Value) *numberFormatter {
		f, ok := val.Export().(*numberFormatter)
		if !ok {
			panic(rt.NewTypeError("not an Intl.NumberFormat"))
		}
		return f
	}
	_ = host.Set("numberResolve", func(call goja.FunctionCall) goja.Value {
		optsObj := call.Argument(0).ToObject(rt)
		f, err := resolveNumber(optsObj.Get, call.Argument(1).String())
		if err != nil {
			throw(err)
		}
		return rt.ToValue(f)
	})
	_ = host.Set("numberFormat", func(call goja.FunctionCall) goja.Value {
		var b strings.Builder
		for _, p := range numberHandle(call.Argument(0)).parts(call.Argument(1)) {
			b.WriteString(p.Value)
		}
		return rt.ToValue(b.String())
	})
	_ = host.Set("numberFormatToParts", func(call goja.FunctionCall) goja.Value {
		return partsArray(numberHandle(call.Argument(0)).parts(call.Argument(1)))
	})
	_ = host.Set("numberResolved", func(call goja.FunctionCall) goja.Value {
		obj := rt.NewObject()
		for _, kv := range numberHandle(call.Argument(0)).resolved() {
			_ = obj.Set(kv[0].(string), kv[1])
		}
		return obj
	})
	fnVal, err := rt.RunProgram(program)
	if err != nil {
		return fmt.Errorf("intl: %w", err)
	}
	fn, _ := goja.AssertFunction(fnVal)
	if _, err := fn(goja.Undefined(), rt.GlobalObject(), host); err != nil {
		return fmt.Errorf("intl: %w", err)
	}
	return nil
}
