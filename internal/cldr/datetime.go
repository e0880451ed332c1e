package cldr

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DateTimeOptions are Intl.DateTimeFormat's options, already checked for
// allowed values by the caller; "" means not given.
type DateTimeOptions struct {
	Weekday, Era, Year, Month, Day, DayPeriod string
	Hour, Minute, Second                      string
	FractionalSecondDigits                    int // 0: not given
	TimeZoneName                              string
	Hour12                                    *bool
	HourCycle                                 string // h11, h12, h23, h24
	DateStyle, TimeStyle                      string // full, long, medium, short

	// TimeZone is the zone's canonical IANA name as resolvedOptions
	// reports it ("UTC" when empty) and Location the zone itself (UTC when
	// nil).
	TimeZone string
	Location *time.Location

	// Required and Defaults are ECMA-402's ToDateTimeOptions arguments:
	// the constructor uses "any" and "date" (the zero values), the
	// toLocaleString methods ("any", "all"), ("date", "date") and
	// ("time", "time").
	Required, Defaults string
}

// ErrStyleConflict is returned for a dateStyle or timeStyle combined with
// a component option; Intl throws it as a TypeError.
var ErrStyleConflict = errors.New("cldr: dateStyle and timeStyle cannot be combined with date-time component options")

// DateTimeFormat formats instants for one locale and set of options.
type DateTimeFormat struct {
	loc       *Locale
	localeTag string // with the extension keywords in effect
	zone      string
	location  *time.Location
	pattern   []token
	hc        string // hour cycle when the pattern has an hour
	opts      DateTimeOptions
	digits    []string
	numSys    string
}

// Part is one piece of formatToParts.
type Part struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Option is one resolvedOptions() entry, in Node's order.
type Option struct {
	Key   string
	Value any
}

// NewDateTimeFormat resolves options against the locale's CLDR patterns
// as V8 does with ICU's DateTimePatternGenerator.
func NewDateTimeFormat(l *Locale, o DateTimeOptions) (*DateTimeFormat, error) {
	text, num := []string{"narrow", "short", "long"}, []string{"numeric", "2-digit"}
	styles := []string{"full", "long", "medium", "short"}
	if err := checkChoices([]choice{
		{"weekday", o.Weekday, text}, {"era", o.Era, text}, {"year", o.Year, num},
		{"month", o.Month, append(text, num...)}, {"day", o.Day, num}, {"dayPeriod", o.DayPeriod, text},
		{"hour", o.Hour, num}, {"minute", o.Minute, num}, {"second", o.Second, num},
		{"timeZoneName", o.TimeZoneName, []string{"short", "long", "shortOffset", "longOffset", "shortGeneric", "longGeneric"}},
		{"hourCycle", o.HourCycle, []string{"h11", "h12", "h23", "h24"}},
		{"dateStyle", o.DateStyle, styles}, {"timeStyle", o.TimeStyle, styles},
		{"required", o.Required, []string{"any", "date", "time"}}, {"defaults", o.Defaults, []string{"date", "time", "all"}},
	}); err != nil {
		return nil, err
	}
	if o.FractionalSecondDigits < 0 || o.FractionalSecondDigits > 3 {
		return nil, fmt.Errorf("%w: fractionalSecondDigits %d (want 1 to 3)", ErrInvalidOption, o.FractionalSecondDigits)
	}
	f := &DateTimeFormat{loc: l, zone: o.TimeZone, location: o.Location}
	if f.zone == "" {
		f.zone = "UTC"
	}
	if f.location == nil {
		f.location = time.UTC
	}
	f.numSys, f.digits = l.numberingSystem()
	if o.Required == "" {
		o.Required = "any"
	}
	if o.Defaults == "" {
		o.Defaults = "date"
	}
	hasComponent := o.Weekday != "" || o.Era != "" || o.Year != "" || o.Month != "" || o.Day != "" || o.DayPeriod != "" ||
		o.Hour != "" || o.Minute != "" || o.Second != "" || o.FractionalSecondDigits != 0 || o.TimeZoneName != ""
	if o.DateStyle != "" || o.TimeStyle != "" {
		if hasComponent {
			return nil, ErrStyleConflict
		}
		if o.Required == "date" && o.TimeStyle != "" || o.Required == "time" && o.DateStyle != "" {
			return nil, fmt.Errorf("cldr: invalid option for %s formatting: %w", o.Required, ErrStyleConflict)
		}
	} else {
		need := true
		if o.Required == "date" || o.Required == "any" {
			if o.Weekday != "" || o.Year != "" || o.Month != "" || o.Day != "" {
				need = false
			}
		}
		if o.Required == "time" || o.Required == "any" {
			if o.DayPeriod != "" || o.Hour != "" || o.Minute != "" || o.Second != "" || o.FractionalSecondDigits != 0 {
				need = false
			}
		}
		if need && (o.Defaults == "date" || o.Defaults == "all") {
			o.Year, o.Month, o.Day = "numeric", "numeric", "numeric"
		}
		if need && (o.Defaults == "time" || o.Defaults == "all") {
			o.Hour, o.Minute, o.Second = "numeric", "numeric", "numeric"
		}
	}
	f.opts = o

	g := l.generator()
	// Unicode extension keywords that take effect show in the locale.
	kw := map[string]string{}
	if l.keywords["ca"] == "gregory" {
		kw["ca"] = "gregory"
	}
	if l.validNumberingSystem() {
		kw["nu"] = l.keywords["nu"]
	}
	kwHC := l.keywords["hc"]
	if !slices.Contains([]string{"h11", "h12", "h23", "h24"}, kwHC) {
		kwHC = ""
	}
	// The hour cycle V8 asks for: an explicit one, the -u-hc- keyword, or
	// the locale's preference (ICU's 'j'). hour12 maps through the default
	// cycle the way Node 20's V8 does (h12 locales get h24 for false).
	hc := o.HourCycle
	switch {
	case o.Hour12 != nil:
	case hc == "" || hc == kwHC:
		hc = kwHC
		if kwHC != "" {
			kw["hc"] = kwHC
		}
	}
	f.localeTag = l.tagWith(kw)
	if o.Hour12 != nil {
		def := g.defaultHC
		if kwHC != "" {
			def = kwHC
		}
		if *o.Hour12 {
			hc = "h12"
			if def == "h11" || def == "h23" {
				hc = "h11"
			}
		} else {
			hc = "h24"
			if def == "h11" || def == "h23" {
				hc = "h23"
			}
		}
	}

	if o.DateStyle != "" || o.TimeStyle != "" {
		f.pattern = g.stylePattern(o.DateStyle, o.TimeStyle)
		if hc != "" && o.TimeStyle != "" && hc != patternHourCycle(f.pattern) {
			// V8 turns a style with an explicit hour cycle back into a
			// skeleton with that cycle's hour and asks the generator.
			f.pattern = g.bestPattern(styleSkeleton(f.pattern, hc))
		}
	} else {
		var sk skeleton
		textWidth := map[string]int{"short": 3, "long": 4, "narrow": 5}
		numWidth := map[string]int{"numeric": 1, "2-digit": 2}
		if w := textWidth[o.Weekday]; w != 0 {
			sk.set('E', w)
		}
		if w := textWidth[o.Era]; w != 0 {
			sk.set('G', w)
		}
		if w := numWidth[o.Year]; w != 0 {
			sk.set('y', w)
		}
		if w := numWidth[o.Month]; w != 0 {
			sk.set('M', w)
		} else if w := textWidth[o.Month]; w != 0 {
			sk.set('M', w)
		}
		if w := numWidth[o.Day]; w != 0 {
			sk.set('d', w)
		}
		if o.Hour != "" {
			c := map[string]rune{"h11": 'K', "h12": 'h', "h23": 'H', "h24": 'k'}[hc]
			if c == 0 {
				c = g.hourChar
			}
			sk.set(c, numWidth[o.Hour])
		}
		if o.Minute != "" {
			sk.set('m', numWidth[o.Minute])
		}
		if o.Second != "" || o.FractionalSecondDigits != 0 && o.Minute != "" {
			sk.set('s', max(numWidth[o.Second], 1))
		}
		if o.FractionalSecondDigits != 0 {
			sk.set('S', o.FractionalSecondDigits)
		}
		if o.DayPeriod != "" {
			sk.set('B', textWidth[o.DayPeriod])
		}
		switch o.TimeZoneName {
		case "short":
			sk.set('z', 1)
		case "long":
			sk.set('z', 4)
		case "shortOffset":
			sk.set('O', 1)
		case "longOffset":
			sk.set('O', 4)
		case "shortGeneric":
			sk.set('v', 1)
		case "longGeneric":
			sk.set('v', 4)
		}
		sk.normalize()
		f.pattern = g.bestPattern(&sk)
	}
	if hc != "" {
		f.pattern = replaceHourCycle(f.pattern, hc)
	}
	for _, t := range f.pattern {
		switch t.letter {
		case 'h':
			f.hc = "h12"
		case 'H':
			f.hc = "h23"
		case 'K':
			f.hc = "h11"
		case 'k':
			f.hc = "h24"
		}
	}
	return f, nil
}

// patternHourCycle is the hour cycle of a pattern's hour field.
func patternHourCycle(p []token) string {
	for _, t := range p {
		if hc, ok := map[rune]string{'h': "h12", 'H': "h23", 'K': "h11", 'k': "h24"}[t.letter]; ok {
			return hc
		}
	}
	return ""
}

// styleSkeleton is ICU's skeleton of a style pattern with its hour field
// turned into hour cycle hc's letter.
func styleSkeleton(p []token, hc string) *skeleton {
	hour := map[string]rune{"h11": 'K', "h12": 'h', "h23": 'H', "h24": 'k'}[hc]
	var sk skeleton
	for _, t := range p {
		c := t.letter
		switch c {
		case 0:
			continue
		case 'h', 'H', 'k', 'K':
			c = hour
		case 'L':
			c = 'M'
		case 'c':
			c = 'E'
		case 'B', 'b':
			c = 'a'
		}
		sk.set(c, t.width)
	}
	sk.normalize()
	return &sk
}

// replaceHourCycle rewrites the hour fields for an explicit hour cycle.
func replaceHourCycle(p []token, hc string) []token {
	c := map[string]rune{"h11": 'K', "h12": 'h', "h23": 'H', "h24": 'k'}[hc]
	out := make([]token, len(p))
	copy(out, p)
	for i := range out {
		switch out[i].letter {
		case 'h', 'H', 'k', 'K':
			out[i].letter = c
		}
	}
	return out
}

// generator is a locale's DateTimePatternGenerator: its available
// patterns keyed by skeleton, plus the glue and append formats.
type generator struct {
	loc       *Locale
	entries   []genEntry
	hourChar  rune   // the locale's preferred hour ('j')
	defaultHC string // the hour cycle of hourChar
	decimal   string
}

type genEntry struct {
	sk      skeleton
	pattern []token
}

var generators sync.Map // locale/numbering system → *generator

func (l *Locale) generator() *generator {
	ns, _ := l.numberingSystem() // the decimal separator of fractional seconds
	key := l.tag + "/" + ns
	if g, ok := generators.Load(key); ok {
		return g.(*generator)
	}
	g := &generator{loc: l}
	pref := l.preferredHour()
	g.hourChar = rune(pref[0])
	g.defaultHC = map[rune]string{'h': "h12", 'H': "h23", 'K': "h11", 'k': "h24"}[g.hourChar]
	sym := l.numberSymbols()
	g.decimal = sym["decimal"]

	// As ICU: patterns derived from the styles only fill bases not yet
	// seen; availableFormats entries replace an entry of the same skeleton.
	bases := map[string]bool{}
	bySkeleton := map[string]int{}
	add := func(sk skeleton, p []token, available bool) {
		full := patternString(skeletonTokens(&sk))
		if i, ok := bySkeleton[full]; ok {
			if available {
				g.entries[i] = genEntry{sk, p}
			}
			return
		}
		if !available && bases[sk.base()] {
			return
		}
		bases[sk.base()] = true
		bySkeleton[full] = len(g.entries)
		g.entries = append(g.entries, genEntry{sk, p})
	}
	for _, c := range "GyQMwWEDFdaHmsSv" {
		add(skeletonFromString(string(c)), []token{{letter: c, width: 1}}, false)
	}
	for _, kind := range []string{"dateFormats", "timeFormats"} {
		for _, style := range []string{"full", "long", "medium", "short"} {
			p := parsePattern(l.get("ca/" + kind + "/" + style))
			add(skeletonOf(p), p, false)
		}
	}
	// ICU adds the locale's own availableFormats before its parents'.
	const prefix = "ca/dateTimeFormats/availableFormats/"
	for i := range l.chain {
		for _, k := range keysUnder(l.chain[i:i+1], prefix) {
			if strings.Contains(k, "-") {
				continue // alt and count variants
			}
			add(skeletonFromString(k), parsePattern(l.get(prefix+k)), true)
		}
	}
	actual, _ := generators.LoadOrStore(key, g)
	return actual.(*generator)
}

func skeletonTokens(s *skeleton) []token {
	var out []token
	for i := 0; i < fieldCount; i++ {
		if s.char[i] != 0 {
			out = append(out, token{letter: s.char[i], width: s.n[i]})
		}
	}
	return out
}

// preferredHour is CLDR's timeData preference for the locale's region.
func (l *Locale) preferredHour() string {
	region := l.region()
	for _, k := range []string{l.parsed.Language + "-" + region, region, "001"} {
		if td, ok := l.data.TimeData[k]; ok && td[0] != "" {
			return td[0]
		}
	}
	return "H"
}

// stylePattern is the dateStyle/timeStyle pattern, glued with the
// dateTimeFormat of the date style.
func (g *generator) stylePattern(dateStyle, timeStyle string) []token {
	l := g.loc
	switch {
	case timeStyle == "":
		return parsePattern(l.get("ca/dateFormats/" + dateStyle))
	case dateStyle == "":
		return parsePattern(l.get("ca/timeFormats/" + timeStyle))
	}
	return g.glue(dateStyle, parsePattern(l.get("ca/dateFormats/"+dateStyle)), parsePattern(l.get("ca/timeFormats/"+timeStyle)))
}

func (g *generator) glue(style string, date, tm []token) []token {
	l := g.loc
	// ICU 78 glues with the atTime forms wherever CLDR has them.
	glue := l.get("ca/dateTimeFormats-atTime/standard/" + style)
	if glue == "" {
		glue = l.get("ca/dateTimeFormats/" + style)
	}
	return parsePattern(strings.NewReplacer("{1}", patternString(date), "{0}", patternString(tm)).Replace(glue))
}

// bestPattern is ICU's getBestPattern: the closest available pattern with
// its field widths adjusted, or separate date and time patterns glued.
func (g *generator) bestPattern(req *skeleton) []token {
	all := req.mask()
	best, missing, extra := g.bestRaw(req, all)
	if missing == 0 && extra == 0 {
		return g.adjust(best, req, false)
	}
	date := g.bestAppending(req, all&dateMask)
	tm := g.bestAppending(req, all&^dateMask)
	switch {
	case len(date) == 0:
		return tm
	case len(tm) == 0:
		return date
	}
	style := "short"
	switch req.n[fMonth] {
	case 4:
		style = "long"
		if req.char[fWeekday] != 0 {
			style = "full"
		}
	case 3:
		style = "medium"
	}
	if req.typ[fMonth] > 0 {
		style = "short"
	}
	return g.glue(style, date, tm)
}

func (g *generator) bestRaw(req *skeleton, include int) (*genEntry, int, int) {
	bestDist := -1
	var best *genEntry
	var bm, be int
	for i := range g.entries {
		e := &g.entries[i]
		d, m, x := req.distance(&e.sk, include)
		// Ties go to the first added (canonical items, then the
		// styles' patterns, then availableFormats), as in ICU.
		if bestDist < 0 || d < bestDist {
			bestDist, best, bm, be = d, e, m, x
			if d == 0 {
				break
			}
		}
	}
	return best, bm, be
}

func (g *generator) bestAppending(req *skeleton, fields int) []token {
	if fields == 0 {
		return nil
	}
	e, missing, _ := g.bestRaw(req, fields)
	fixFraction := false
	const secMask = 1<<fSecond | 1<<fFractionalSecond
	if missing&secMask == 1<<fFractionalSecond && fields&secMask == secMask {
		fixFraction = true
		missing &^= 1 << fFractionalSecond
	}
	out := g.adjust(e, req, fixFraction)
	for tries := 0; missing != 0 && tries < fieldCount; tries++ {
		e2, m2, _ := g.bestRaw(req, missing)
		found := missing &^ m2
		if found == 0 {
			break
		}
		add := g.adjust(e2, req, false)
		top := 0
		for i := 0; i < fieldCount; i++ {
			if found&(1<<i) != 0 {
				top = i
			}
		}
		out = g.appendItem(top, out, add)
		missing = m2
	}
	return out
}

// Names of the fields in CLDR's appendItems and dateFields.
var (
	appendItemNames = [fieldCount]string{"Era", "Year", "Quarter", "Month", "Week", "", "Day-Of-Week", "", "", "Day",
		"", "Hour", "Minute", "Second", "", "Timezone"}
	fieldNames = [fieldCount]string{"era", "year", "quarter", "month", "week", "weekOfMonth", "weekday", "dayOfYear",
		"weekdayOfMonth", "day", "dayperiod", "hour", "minute", "second", "", "zone"}
)

// appendItem adds a field the matched pattern lacks with the locale's
// appendItems format ("{0} ({2}: {1})" gives "2024 (day: 5)").
func (g *generator) appendItem(field int, have, add []token) []token {
	// Without CLDR data ICU uses its own format and "F" + the field's
	// number ("├F14: 123┤" for fractional seconds it cannot attach).
	format := ""
	if appendItemNames[field] != "" {
		format = g.loc.get("ca/dateTimeFormats/appendItems/" + appendItemNames[field])
	}
	if format == "" {
		format = "{0} \u251c{2}: {1}\u2524"
	}
	name := ""
	if fieldNames[field] != "" {
		name = g.loc.get("field/" + fieldNames[field])
	}
	if name == "" {
		name = "F" + strconv.Itoa(field)
	}
	var out []token
	for format != "" {
		i := strings.IndexByte(format, '{')
		if i < 0 || i+2 >= len(format) {
			out = append(out, parsePattern(format)...)
			break
		}
		out = append(out, parsePattern(format[:i])...)
		switch format[i+1] {
		case '0':
			out = append(out, have...)
		case '1':
			out = append(out, add...)
		case '2':
			out = append(out, token{lit: name})
		}
		format = format[i+3:]
	}
	return mergeTokens(out)
}

func mergeTokens(in []token) []token {
	var out []token
	for _, t := range in {
		if t.letter == 0 && len(out) > 0 && out[len(out)-1].letter == 0 {
			out[len(out)-1].lit += t.lit
			continue
		}
		out = append(out, t)
	}
	return out
}

// adjust is ICU's adjustFieldTypes: the found pattern's fields take the
// requested widths (and, outside hour, month, weekday and year, the
// requested letter).
func (g *generator) adjust(e *genEntry, req *skeleton, fixFraction bool) []token {
	var out []token
	for _, t := range e.pattern {
		if t.letter == 0 {
			out = append(out, t)
			continue
		}
		f := fieldOf(t.letter)
		if f < 0 || req.char[f] == 0 {
			out = append(out, t)
			continue
		}
		reqChar, reqLen := req.char[f], req.n[f]
		if reqChar == 'E' && reqLen < 3 {
			reqLen = 3
		}
		adj := reqLen
		switch {
		case f == fMinute || f == fSecond:
			adj = t.width
		case f == fHour:
			if e.sk.n[f] == reqLen {
				adj = t.width
			}
		default:
			patNumeric := fieldType(t.letter, t.width) > 0
			skelNumeric := e.sk.typ[f] > 0
			if e.sk.n[f] == reqLen || patNumeric != skelNumeric {
				adj = t.width
			}
		}
		c := reqChar
		switch f {
		case fHour, fMonth, fWeekday, fYear:
			c = t.letter
		}
		out = append(out, token{letter: c, width: adj})
		if fixFraction && f == fSecond {
			out = append(out, token{lit: g.decimal}, token{letter: 'S', width: req.n[fFractionalSecond]})
		}
	}
	return out
}

// Format formats t as format() does: like FormatToParts joined, with
// narrow no-break spaces turned into plain spaces as V8 does.
func (f *DateTimeFormat) Format(t time.Time) string {
	var b strings.Builder
	for _, p := range f.FormatToParts(t) {
		b.WriteString(p.Value)
	}
	return strings.ReplaceAll(b.String(), "\u202f", " ")
}

// FormatToParts formats t in the format's time zone.
func (f *DateTimeFormat) FormatToParts(t time.Time) []Part {
	t = t.In(f.location)
	l := f.loc
	var out []Part
	add := func(typ, val string) {
		if typ == "literal" && len(out) > 0 && out[len(out)-1].Type == "literal" {
			out[len(out)-1].Value += val
			return
		}
		out = append(out, Part{typ, val})
	}
	num := func(n, width int) string {
		s := strconv.Itoa(n)
		for len(s) < width {
			s = "0" + s
		}
		return f.localDigits(s)
	}
	year := t.Year()
	eraYear := year
	if year <= 0 {
		eraYear = 1 - year
	}
	widthName := func(w int) string {
		switch {
		case w <= 3:
			return "abbreviated"
		case w == 4:
			return "wide"
		case w == 5:
			return "narrow"
		}
		return "short"
	}
	for _, tok := range f.pattern {
		if tok.letter == 0 {
			add("literal", tok.lit)
			continue
		}
		w := tok.width
		switch tok.letter {
		case 'G':
			kind := map[int]string{4: "eraNames", 5: "eraNarrow"}[w]
			if kind == "" {
				kind = "eraAbbr"
			}
			idx := "1"
			if year <= 0 {
				idx = "0"
			}
			add("era", l.get("ca/eras/"+kind+"/"+idx))
		case 'Y':
			// Week-based year (ISO weeks).
			wy, _ := t.ISOWeek()
			if w == 2 {
				add("year", num(wy%100, 2))
			} else {
				add("year", num(wy, w))
			}
		case 'y':
			if w == 2 {
				add("year", num(eraYear%100, 2))
			} else {
				add("year", num(eraYear, w))
			}
		case 'M', 'L':
			m := int(t.Month())
			if w <= 2 {
				add("month", num(m, w))
				continue
			}
			ctx := "format"
			if tok.letter == 'L' {
				ctx = "stand-alone"
			}
			add("month", l.get("ca/months/"+ctx+"/"+widthName(w)+"/"+strconv.Itoa(m)))
		case 'E', 'c', 'e':
			ctx := "format"
			if tok.letter == 'c' {
				ctx = "stand-alone"
			}
			day := [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[t.Weekday()]
			add("weekday", l.get("ca/days/"+ctx+"/"+widthName(max(w, 3))+"/"+day))
		case 'd':
			add("day", num(t.Day(), w))
		case 'a':
			p := "am"
			if t.Hour() >= 12 {
				p = "pm"
			}
			add("dayPeriod", l.get("ca/dayPeriods/format/"+widthName(w)+"/"+p))
		case 'B', 'b':
			add("dayPeriod", f.flexibleDayPeriod(t, widthName(w)))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			add("hour", num(h, w))
		case 'K':
			add("hour", num(t.Hour()%12, w))
		case 'H':
			add("hour", num(t.Hour(), w))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			add("hour", num(h, w))
		case 'm':
			add("minute", num(t.Minute(), w))
		case 's':
			add("second", num(t.Second(), w))
		case 'S':
			ms := fmt.Sprintf("%09d", t.Nanosecond())
			if w > 9 {
				w = 9
			}
			add("fractionalSecond", f.localDigits(ms[:w]))
		case 'z', 'O', 'v', 'V', 'Z', 'X', 'x':
			add("timeZoneName", f.zoneName(t, tok.letter, w))
		default:
			add("literal", strings.Repeat(string(tok.letter), w))
		}
	}
	return out
}

func (f *DateTimeFormat) localDigits(s string) string {
	if f.digits == nil {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteString(f.digits[r-'0'])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// flexibleDayPeriod names the period of the day for B patterns from
// CLDR's day period rules ("in the morning"); midnight never (as ICU),
// AM/PM when the locale has no rules.
func (f *DateTimeFormat) flexibleDayPeriod(t time.Time, width string) string {
	l := f.loc
	rules := l.data.DayPeriods[l.Language()]
	if l.parsed.Script != "" {
		if r, ok := l.data.DayPeriods[l.Language()+"-"+l.parsed.Script]; ok {
			rules = r
		}
	}
	minutes := t.Hour()*60 + t.Minute()
	period := ""
	// Noon only when the shown fields say so (12:00, or just 12).
	hasMinute, hasSecond := false, false
	for _, tok := range f.pattern {
		hasMinute = hasMinute || tok.letter == 'm'
		hasSecond = hasSecond || tok.letter == 's'
	}
	if _, ok := rules["noon"]; ok && t.Hour() == 12 && (!hasMinute || t.Minute() == 0) && (!hasSecond || t.Second() == 0) {
		period = "noon"
	}
	parse := func(s string) int {
		h, m, _ := strings.Cut(s, ":")
		hh, _ := strconv.Atoi(h)
		mm, _ := strconv.Atoi(m)
		return hh*60 + mm
	}
	if period == "" {
		names := make([]string, 0, len(rules))
		for k := range rules {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, name := range names {
			r := rules[name]
			if r[1] == "" {
				continue
			}
			from, before := parse(r[0]), parse(r[1])
			hour := (minutes / 60) * 60
			if from <= before && hour >= from && hour < before || from > before && (hour >= from || hour < before) {
				period = name
				break
			}
		}
	}
	if period != "" {
		if v := l.get("ca/dayPeriods/format/" + width + "/" + period); v != "" {
			return v
		}
	}
	p := "am"
	if t.Hour() >= 12 {
		p = "pm"
	}
	return l.get("ca/dayPeriods/format/" + width + "/" + p)
}

// ResolvedOptions lists resolvedOptions() entries in Node's order.
func (f *DateTimeFormat) ResolvedOptions() []Option {
	out := []Option{{"locale", f.localeTag}, {"calendar", "gregory"}, {"numberingSystem", f.numSys}, {"timeZone", f.zone}}
	if f.hc != "" {
		out = append(out, Option{"hourCycle", f.hc}, Option{"hour12", f.hc == "h11" || f.hc == "h12"})
	}
	if f.opts.DateStyle != "" || f.opts.TimeStyle != "" {
		if f.opts.DateStyle != "" {
			out = append(out, Option{"dateStyle", f.opts.DateStyle})
		}
		if f.opts.TimeStyle != "" {
			out = append(out, Option{"timeStyle", f.opts.TimeStyle})
		}
		return out
	}
	// V8 reads the components back from the pattern text, quoted
	// literals included (so Spanish "MMMM 'de' y" reports a day), taking
	// the first of each option's forms found.
	raw := patternString(f.pattern)
	found := map[string]string{}
	fsd := 0
	for _, o := range resolvedPatterns {
		if _, done := found[o.option]; done {
			continue
		}
		if strings.Contains(raw, o.pattern) {
			found[o.option] = o.value
		}
	}
	for _, t := range f.pattern {
		if t.letter == 'S' {
			fsd = t.width
		}
	}
	for _, k := range []string{"weekday", "era", "year", "month", "day", "dayPeriod", "hour", "minute", "second"} {
		if v, ok := found[k]; ok {
			out = append(out, Option{k, v})
		}
	}
	if fsd != 0 {
		out = append(out, Option{"fractionalSecondDigits", fsd})
	}
	if v, ok := found["timeZoneName"]; ok {
		out = append(out, Option{"timeZoneName", v})
	}
	return out
}

var resolvedPatterns = []struct{ option, pattern, value string }{
	{"weekday", "EEEEE", "narrow"}, {"weekday", "EEEE", "long"}, {"weekday", "EEE", "short"},
	{"weekday", "ccccc", "narrow"}, {"weekday", "cccc", "long"}, {"weekday", "ccc", "short"},
	{"era", "GGGGG", "narrow"}, {"era", "GGGG", "long"}, {"era", "G", "short"},
	{"year", "yy", "2-digit"}, {"year", "y", "numeric"},
	{"month", "MMMMM", "narrow"}, {"month", "MMMM", "long"}, {"month", "MMM", "short"}, {"month", "MM", "2-digit"}, {"month", "M", "numeric"},
	{"month", "LLLLL", "narrow"}, {"month", "LLLL", "long"}, {"month", "LLL", "short"}, {"month", "LL", "2-digit"}, {"month", "L", "numeric"},
	{"day", "dd", "2-digit"}, {"day", "d", "numeric"},
	{"dayPeriod", "BBBBB", "narrow"}, {"dayPeriod", "bbbbb", "narrow"}, {"dayPeriod", "BBBB", "long"}, {"dayPeriod", "bbbb", "long"},
	{"dayPeriod", "B", "short"}, {"dayPeriod", "b", "short"},
	{"hour", "HH", "2-digit"}, {"hour", "H", "numeric"}, {"hour", "hh", "2-digit"}, {"hour", "h", "numeric"},
	{"hour", "kk", "2-digit"}, {"hour", "k", "numeric"}, {"hour", "KK", "2-digit"}, {"hour", "K", "numeric"},
	{"minute", "mm", "2-digit"}, {"minute", "m", "numeric"}, {"second", "ss", "2-digit"}, {"second", "s", "numeric"},
	{"timeZoneName", "zzzz", "long"}, {"timeZoneName", "z", "short"}, {"timeZoneName", "OOOO", "longOffset"},
	{"timeZoneName", "O", "shortOffset"}, {"timeZoneName", "vvvv", "longGeneric"}, {"timeZoneName", "v", "shortGeneric"},
}

// Pattern is the LDML pattern in use (for debugging and tests).
func (f *DateTimeFormat) Pattern() string { return patternString(f.pattern) }
