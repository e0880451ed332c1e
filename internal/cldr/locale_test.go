package cldr

import (
	"errors"
	"testing"
	"time"
)

func TestLocaleFixtures(t *testing.T) {
	type localeCase struct {
		Tag             string
		Supported       []string
		DateLocale      string
		NumberLocale    string
		NumberingSystem string
		HourCycle       string
	}
	ty := &tally{t: t, name: "locale"}
	for _, c := range loadFixtures[localeCase](t, "locales.json") {
		sup, err := SupportedLocalesOf([]string{c.Tag})
		if err != nil {
			t.Fatal(err)
		}
		if sup == nil {
			sup = []string{}
		}
		ty.check(c.Tag+" supportedLocalesOf", sup, c.Supported, "")
		l := MustResolve(c.Tag)
		ty.check(c.Tag+" locale", l.String(), c.DateLocale, "")
		ns, _ := l.numberingSystem()
		ty.check(c.Tag+" numberingSystem", ns, c.NumberingSystem, "")
		f, err := NewDateTimeFormat(l, DateTimeOptions{Hour: "numeric"})
		if err != nil {
			t.Fatal(err)
		}
		ty.check(c.Tag+" hourCycle", f.hc, c.HourCycle, "")
	}
	ty.report()
}

func TestParseTag(t *testing.T) {
	tests := []struct{ in, base, nu string }{
		{"en-us", "en-US", ""},
		{"ZH-hant-tw", "zh-Hant-TW", ""},
		{"iw-IL", "he-IL", ""},
		{"ar-EG-u-nu-latn", "ar-EG", "latn"},
		{"de-DE-x-private", "de-DE", ""},
		{"es-419", "es-419", ""},
	}
	for _, tt := range tests {
		tag, err := ParseTag(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if tag.Base() != tt.base || tag.Keywords["nu"] != tt.nu || tt.nu != "" && tag.String() != tt.base+"-u-nu-"+tt.nu {
			t.Errorf("%s: got %s nu=%q, want %s nu=%q", tt.in, tag.Base(), tag.Keywords["nu"], tt.base, tt.nu)
		}
	}
	for _, bad := range []string{"", "e", "en_US", "en--US", "toolongtag1", "en-u"} {
		if _, err := ParseTag(bad); !errors.Is(err, ErrInvalidLocale) {
			t.Errorf("%q: got %v, want ErrInvalidLocale", bad, err)
		}
	}
}

func TestFallbackChain(t *testing.T) {
	// de-AT has its own January name and takes the rest from de.
	l := MustResolve("de-AT")
	if got := l.get("ca/months/format/wide/1"); got != "Jänner" {
		t.Errorf("de-AT January = %q", got)
	}
	if got := l.get("ca/months/format/wide/2"); got != "Februar" {
		t.Errorf("de-AT February = %q", got)
	}
	if got := MustResolve("xx-YY").String(); got != DefaultLocale {
		t.Errorf("unknown language resolved to %s", got)
	}
	if got := MustResolve("de-XX").String(); got != "de" {
		t.Errorf("de-XX resolved to %s", got)
	}
}

func TestTimeZoneFixtures(t *testing.T) {
	type zoneCase struct {
		Name      string
		Canonical *string
	}
	ty := &tally{t: t, name: "time zone"}
	for _, c := range loadFixtures[zoneCase](t, "zones.json") {
		got, ok := CanonicalTimeZone(c.Name)
		var g *string
		if ok {
			g = &got
		}
		ty.check(c.Name, g, c.Canonical, "")
		if ok {
			if _, _, err := LoadTimeZone(c.Name); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		}
	}
	ty.report()
}

// Formats and the lazily decoded data are shared between VMs.
func TestConcurrentUse(t *testing.T) {
	df, err := NewDateTimeFormat(MustResolve("de-AT"), DateTimeOptions{DateStyle: "long"})
	if err != nil {
		t.Fatal(err)
	}
	nf, err := NewNumberFormat(MustResolve("fr-FR"), NumberOptions{Notation: "compact"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func() {
			l := MustResolve([]string{"pt-BR", "ko-KR", "hi-IN", "sv-SE"}[i%4])
			f, err := NewDateTimeFormat(l, DateTimeOptions{Hour: "numeric", Minute: "numeric"})
			if err != nil {
				done <- err.Error()
				return
			}
			_ = f.Format(time.Unix(0, 0))
			done <- df.Format(time.Unix(0, 0)) + " " + nf.Format(1234567)
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != "1. Jänner 1970 1,2\u00a0M" {
			t.Errorf("got %q", got)
		}
	}
}

func TestWithNumberingSystem(t *testing.T) {
	// Recorded from Node 20 (numberingSystem option, format(123)).
	for _, c := range []struct{ tag, nu, locale, system, digits string }{
		{"en", "arab", "en", "arab", "١٢٣"},
		{"en-u-nu-thai", "arab", "en", "arab", "١٢٣"},
		{"en-u-nu-arab", "arab", "en-u-nu-arab", "arab", "١٢٣"},
		{"ar-EG", "latn", "ar-EG", "latn", "123"},
		{"en", "xyzw", "en", "latn", "123"},
	} {
		f, err := NewNumberFormat(MustResolve(c.tag).WithNumberingSystem(c.nu), NumberOptions{})
		if err != nil {
			t.Fatal(err)
		}
		opts := f.ResolvedOptions()
		if got := []any{opts[0].Value, opts[1].Value, f.Format(123)}; got[0] != c.locale || got[1] != c.system || got[2] != c.digits {
			t.Errorf("%s %s: got %v, want %s %s %s", c.tag, c.nu, got, c.locale, c.system, c.digits)
		}
	}
}
