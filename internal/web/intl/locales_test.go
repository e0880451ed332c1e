package intl

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/hogpipe/hogpipe/internal/cldr"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestLocalesMatchNode evaluates the expressions of testdata/locales.json
// (formatting in en-GB, de-DE, fr-FR, ja-JP, es-ES, pt-BR, en-IN, nl-NL,
// it-IT, zh-CN and ar-EG, recorded from Node 20 by testdata/record.js) and
// wants Node's values.
func TestLocalesMatchNode(t *testing.T) {
	raw, err := os.ReadFile("testdata/locales.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixtures struct {
		CLDR  string `json:"cldr"`
		Cases []struct{ Expr, Value string }
	}
	if err := json.Unmarshal(raw, &fixtures); err != nil {
		t.Fatalf("decoding testdata/locales.json: %v", err)
	}
	if v := cldr.CLDRVersion(); len(v) < len(fixtures.CLDR) || v[:len(fixtures.CLDR)] != fixtures.CLDR {
		t.Fatalf("testdata/locales.json was recorded with CLDR %s, the data is CLDR %s", fixtures.CLDR, v)
	}
	cases := make([]nodetest.Case, len(fixtures.Cases))
	for i, c := range fixtures.Cases {
		cases[i] = nodetest.Case{c.Expr, c.Expr, c.Value}
	}
	newEnv(t).Run(t, cases)
}
