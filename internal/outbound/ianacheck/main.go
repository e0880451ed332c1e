// Command ianacheck compares fetch_deny_private's table (internal/outbound)
// with IANA's current IPv4 and IPv6 special-purpose address registries: it
// downloads them and lists every entry IANA marks not globally reachable
// that the table does not refuse whole, and every globally reachable entry
// the table refuses. Run it when the registries change:
//
//	go run ./internal/outbound/ianacheck
//
// It exits 1 when an entry is missing from the table.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hogpipe/hogpipe/internal/outbound"
)

// registries are the CSV forms of the registries the table cites.
var registries = []string{
	"https://www.iana.org/assignments/iana-ipv4-special-registry/iana-ipv4-special-registry-1.csv",
	"https://www.iana.org/assignments/iana-ipv6-special-registry/iana-ipv6-special-registry-1.csv",
}

// judgedByEmbeddedIPv4 are blocks the guard does not refuse whole: it
// judges each address by the IPv4 address inside.
var judgedByEmbeddedIPv4 = []netip.Prefix{netip.MustParsePrefix("::ffff:0:0/96"), netip.MustParsePrefix("64:ff9b::/96")}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	missing := 0
	for _, url := range registries {
		entries, err := download(ctx, url)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ianacheck: %s: %v\n", url, err)
			os.Exit(2)
		}
		report := check(entries)
		for _, line := range report.missing {
			fmt.Println("MISSING ", line)
		}
		for _, line := range report.extra {
			fmt.Println("refused ", line)
		}
		missing += len(report.missing)
		fmt.Printf("%s: %d entries, %d missing\n", url, len(entries), len(report.missing))
	}
	if missing > 0 {
		os.Exit(1)
	}
}

func download(ctx context.Context, url string) ([]entry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", res.Status)
	}
	return parse(io.LimitReader(res.Body, 1<<20))
}

// entry is one row of a registry, one per address block of the row.
type entry struct {
	prefix     netip.Prefix
	name       string
	terminated bool
	reachable  string // "True", "False", "N/A" or ""
}

// footnote matches the "[1]" marks IANA puts after values.
var footnote = regexp.MustCompile(`\s*\[\d+\]`)

// parse reads a registry CSV: a header naming the columns, then rows whose
// "Address Block" may hold several blocks ("a/32, b/32") and whose values
// may carry footnote marks.
func parse(r io.Reader) ([]entry, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("empty registry")
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[strings.TrimSpace(name)] = i
	}
	for _, want := range []string{"Address Block", "Name", "Termination Date", "Globally Reachable"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("no %q column in %q", want, rows[0])
		}
	}
	get := func(row []string, name string) string {
		if i := col[name]; i < len(row) {
			return strings.TrimSpace(footnote.ReplaceAllString(row[i], ""))
		}
		return ""
	}
	var out []entry
	for line, row := range rows[1:] {
		term := get(row, "Termination Date")
		for _, block := range strings.Split(get(row, "Address Block"), ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(block))
			if err != nil {
				return nil, fmt.Errorf("row %d: %w", line+2, err)
			}
			out = append(out, entry{prefix: p, name: get(row, "Name"), terminated: term != "" && term != "N/A", reachable: get(row, "Globally Reachable")})
		}
	}
	return out, nil
}

type report struct{ missing, extra []string }

// check lists the entries not globally reachable that the guard does not
// refuse whole (missing), and the globally reachable ones it refuses
// (extra: deliberate, see the table's comment, but worth a look).
func check(entries []entry) report {
	var r report
	for _, e := range entries {
		if slices.Contains(judgedByEmbeddedIPv4, e.prefix.Masked()) {
			continue
		}
		covered := outbound.Covers(e.prefix)
		line := fmt.Sprintf("%s (%s, globally reachable: %s)", e.prefix, e.name, e.reachable)
		switch {
		case e.reachable != "True" && !covered:
			r.missing = append(r.missing, line)
		case e.reachable == "True" && covered:
			r.extra = append(r.extra, line)
		}
	}
	return r
}
