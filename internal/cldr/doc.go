// Package cldr formats dates, times and numbers and selects plural
// categories the way Node's full-ICU Intl does, from CLDR data. It has no
// JavaScript engine in it: the Intl glue of the plugin runtime calls it
// (see WIRING.md).
//
// The data in data/ (one file per language, plus supplemental.json.gz) is
// generated from CLDR's published JSON, the npm packages pinned in
// gen/package.json (CLDR 48, the version of ICU 78 in Node 20), for the
// languages listed in gen/main.go with all their CLDR regional and script
// variants. Regenerate it with
//
//	go generate ./internal/cldr
//
// which runs npm ci in gen/ (network) and then the generator. The data is
// committed, so building and testing need neither npm nor the network.
//
// The tests compare the package's output with fixtures recorded from Node
// (testdata/*.json). Re-record them by hand after changing the cases or the
// data:
//
//	TZ=UTC node internal/cldr/testdata/record.js
//
// Known differences from Node, each listed with its reason in the tests
// (which count them): only the Gregorian calendar (Node formats th-TH in
// the Buddhist and fa-IR in the Persian calendar by default); zh-Hant
// locales glue date and time with CLDR JSON's "{1}{0}" where ICU's data
// has a space (the 48.2.0 packages fix that but move other patterns, such
// as en's "Hv", away from ICU 78, so 48.0.0 stays pinned); ICU's Turkish currency patterns differ from CLDR's JSON;
// root's symbols for numbering systems other than latn are missing from
// the JSON (en-u-nu-arab); three rare option combinations where ICU's
// pattern generator picks another hour width or zone glue.
//
// The data is decoded on first use, a language's file when one of its
// locales is first used (about 10 ms and 1 MB of heap for one language).
package cldr

//go:generate sh -c "cd gen && npm ci --no-audit --no-fund --loglevel=error"
//go:generate go run ./gen -src gen/node_modules -out data
