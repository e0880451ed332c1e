package cldr_test

import (
	"fmt"
	"time"

	"github.com/hogpipe/hogpipe/internal/cldr"
)

// toLocaleDateString('en-GB') puts the day first (timestamp-parser splits
// it on "/").
func ExampleNewDateTimeFormat() {
	at := time.Date(2024, 1, 5, 9, 3, 7, 0, time.UTC)
	for _, tag := range []string{"en-GB", "en-US", "de-AT", "ja-JP"} {
		f, err := cldr.NewDateTimeFormat(cldr.MustResolve(tag), cldr.DateTimeOptions{Required: "date", Defaults: "date"})
		if err != nil {
			panic(err)
		}
		fmt.Println(tag, f.Format(at))
	}
	_, zone, _ := cldr.LoadTimeZone("Europe/Berlin")
	f, _ := cldr.NewDateTimeFormat(cldr.MustResolve("de-DE"), cldr.DateTimeOptions{DateStyle: "full", TimeStyle: "short", TimeZone: "Europe/Berlin", Location: zone})
	fmt.Println(f.Format(at))
	// Output:
	// en-GB 05/01/2024
	// en-US 1/5/2024
	// de-AT 5.1.2024
	// ja-JP 2024/1/5
	// Freitag, 5. Januar 2024 um 10:03
}

func ExampleNewNumberFormat() {
	two := 2
	for _, c := range []struct {
		tag string
		o   cldr.NumberOptions
	}{
		{"de-DE", cldr.NumberOptions{Style: "currency", Currency: "EUR"}},
		{"en-IN", cldr.NumberOptions{MaximumFractionDigits: &two}},
		{"ar-EG", cldr.NumberOptions{}},
		{"fr-FR", cldr.NumberOptions{Notation: "compact", CompactDisplay: "long"}},
	} {
		f, err := cldr.NewNumberFormat(cldr.MustResolve(c.tag), c.o)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %+q\n", c.tag, f.Format(1234567.891))
	}
	// Output:
	// de-DE "1.234.567,89\u00a0\u20ac"
	// en-IN "12,34,567.89"
	// ar-EG "\u0661\u066c\u0662\u0663\u0664\u066c\u0665\u0666\u0667\u066b\u0668\u0669\u0661"
	// fr-FR "1,2 million"
}

func ExamplePluralRules_SelectString() {
	p, _ := cldr.NewPluralRules(cldr.MustResolve("ru"), false)
	for _, n := range []string{"1", "3", "5", "1.5"} {
		fmt.Println(n, p.SelectString(n))
	}
	// Output:
	// 1 one
	// 3 few
	// 5 many
	// 1.5 other
}
