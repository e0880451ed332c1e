package cldr

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type dateCase struct {
	Locale   string
	Options  map[string]any
	Method   string
	Time     *int64
	Format   string
	Parts    []Part
	Resolved map[string]any
}

func dateOptions(t *testing.T, m map[string]any) DateTimeOptions {
	var o DateTimeOptions
	str := func(k string) string {
		s, _ := m[k].(string)
		return s
	}
	o.Weekday, o.Era, o.Year, o.Month, o.Day = str("weekday"), str("era"), str("year"), str("month"), str("day")
	o.DayPeriod, o.Hour, o.Minute, o.Second = str("dayPeriod"), str("hour"), str("minute"), str("second")
	o.TimeZoneName, o.HourCycle, o.DateStyle, o.TimeStyle = str("timeZoneName"), str("hourCycle"), str("dateStyle"), str("timeStyle")
	if v, ok := m["fractionalSecondDigits"].(float64); ok {
		o.FractionalSecondDigits = int(v)
	}
	if v, ok := m["hour12"].(bool); ok {
		o.Hour12 = &v
	}
	if z := str("timeZone"); z != "" {
		name, loc, err := LoadTimeZone(z)
		if err != nil {
			t.Fatal(err)
		}
		o.TimeZone, o.Location = name, loc
	}
	return o
}

const glueGap = "zh-Hant date-time glue"

// dateGap names why a fixture case is known to differ from Node.
// unexplainedDates are rare option combinations (from the random cases)
// where ICU's pattern generator picks a different hour width or zone glue
// and the rule behind it has not been found.
var unexplainedDates = map[string]string{
	"cs-CZ map[day:2-digit hour:2-digit hour12:true minute:2-digit month:narrow timeZoneName:longOffset year:2-digit]":                                      "zone glue after a 12-hour time",
	"en-GB map[dayPeriod:narrow hour:numeric minute:2-digit second:2-digit timeZone:Europe/Paris timeZoneName:longOffset]":                                  "one-digit hour with dayPeriod on a 24-hour clock",
	"sw-KE map[era:short hour:numeric hour12:false minute:2-digit month:2-digit second:2-digit timeZone:Asia/Kolkata timeZoneName:longOffset year:2-digit]": "one-digit hour with hour12:false",
}

func dateGap(c dateCase) string {
	if why, ok := unexplainedDates[c.Locale+" "+fmt.Sprint(c.Options)]; ok {
		return why
	}
	// CLDR 48's JSON gives zh-Hant (parent: root) the glue "{1}{0}"
	// between date and time; ICU 78's data has root's "{1} {0}".
	// Thai and Persian default to the Buddhist and Persian calendars;
	// only the Gregorian calendar is implemented.
	if c.Locale == "th-TH" || c.Locale == "fa-IR" {
		return "non-Gregorian default calendar"
	}
	if c.Locale == "zh-TW" || c.Locale == "zh-HK" || c.Locale == "zh-Hant-TW" {
		o := c.Options
		has := func(keys ...string) bool {
			for _, k := range keys {
				if _, ok := o[k]; ok {
					return true
				}
			}
			return false
		}
		styles := has("dateStyle") && has("timeStyle")
		timeish := has("hour", "minute", "second", "timeZoneName")
		dateish := has("weekday", "year", "month", "day") || !has("dateStyle", "timeStyle", "hour", "minute", "second")
		if styles || c.Method == "toLocaleString" || !has("dateStyle", "timeStyle") && dateish && timeish {
			return glueGap
		}
	}
	return ""
}

func TestDateTimeFixtures(t *testing.T) {
	ty := &tally{t: t, name: "date-time"}
	for _, c := range loadFixtures[dateCase](t, "dates.json") {
		l := MustResolve(c.Locale)
		o := dateOptions(t, c.Options)
		switch c.Method {
		case "toLocaleString":
			o.Required, o.Defaults = "any", "all"
		case "toLocaleDateString":
			o.Required, o.Defaults = "date", "date"
		case "toLocaleTimeString":
			o.Required, o.Defaults = "time", "time"
		}
		f, err := NewDateTimeFormat(l, o)
		if err != nil {
			t.Fatalf("%s %v: %v", c.Locale, c.Options, err)
		}
		id := fmt.Sprintf("%s %s%v", c.Locale, c.Method, c.Options)
		gap := dateGap(c)
		check := ty.check
		if gap == glueGap {
			// Only the glue may differ: compare without it.
			check = func(id string, got, want any, gap string) {
				ty.checkNear(id, got, want, gap, func(s string) string {
					s = strings.ReplaceAll(s, `{"type":"literal","value":" "},`, "")
					s = strings.ReplaceAll(s, "{\"type\":\"literal\",\"value\":\"\u2009\"},", "")
					return strings.NewReplacer(" ", "", "\u2009", "").Replace(s)
				})
			}
		}
		if c.Resolved != nil {
			got := map[string]any{}
			for _, kv := range f.ResolvedOptions() {
				got[kv.Key] = kv.Value
			}
			check(id+" resolved", got, c.Resolved, gap)
			continue
		}
		at := time.UnixMilli(*c.Time)
		id += fmt.Sprintf(" @%s [%s]", at.UTC().Format(time.RFC3339), f.Pattern())
		check(id, f.Format(at), c.Format, gap)
		if c.Parts != nil {
			check(id+" parts", f.FormatToParts(at), c.Parts, gap)
		}
	}
	ty.report()
}
