package cldr

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fixtureFile is what testdata/record.js writes.
type fixtureFile[C any] struct {
	Node, ICU, CLDR string
	Cases           []C
}

func loadFixtures[C any](t *testing.T, name string) []C {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading fixtures: %v", err)
	}
	var f fixtureFile[C]
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	if f.CLDR != CLDRVersion()[:len(f.CLDR)] {
		t.Fatalf("%s was recorded with CLDR %s, the data is CLDR %s", name, f.CLDR, CLDRVersion())
	}
	return f.Cases
}

// tally counts fixture results; cases listed as known gaps may fail (and
// are reported when they start passing), every other case must match.
type tally struct {
	t                   *testing.T
	name                string
	pass, fail, gapFail int
	shown               int
	reasons             map[string]int
}

func (ty *tally) check(id string, got, want any, gap string) {
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) == string(w) {
		ty.pass++
		return
	}
	if gap != "" {
		ty.gap(gap)
		return
	}
	ty.fail++
	if ty.shown < 60 || os.Getenv("CLDR_SHOW_ALL") != "" {
		ty.shown++
		ty.t.Errorf("%s:\n got %s\nwant %s", id, g, w)
	}
}

// checkNear is check for a known gap that must explain the whole
// difference: got and want must be equal once both are normalized.
func (ty *tally) checkNear(id string, got, want any, gap string, normalize func(string) string) {
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	switch {
	case string(g) == string(w):
		ty.pass++
	case normalize(string(g)) == normalize(string(w)):
		ty.gap(gap)
	default:
		ty.check(id+" ("+gap+" does not explain it)", got, want, "")
	}
}

func (ty *tally) gap(reason string) {
	ty.gapFail++
	if ty.reasons == nil {
		ty.reasons = map[string]int{}
	}
	ty.reasons[reason]++
}

func (ty *tally) report() {
	total := ty.pass + ty.fail + ty.gapFail
	msg := fmt.Sprintf("%s fixtures: %d/%d match Node (%d known gaps, %d failures)", ty.name, ty.pass, total, ty.gapFail, ty.fail)
	for reason, n := range ty.reasons {
		msg += fmt.Sprintf("\n  known gap %q: %d", reason, n)
	}
	ty.t.Log(msg)
	fmt.Println(msg)
}
