package pluginhost

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestElementsChainOf(t *testing.T) {
	for _, tc := range []struct {
		name, elements, want string
	}{
		{"empty", `[]`, ``},
		{"bare element: positions default to 0", `[{"tag_name":"div"}]`, `div:nth-child="0"nth-of-type="0"`},
		{
			"autocapture link",
			`[{"tag_name":"a","$el_text":"Click","attr__href":"/x","attr__class":"btn big","nth_child":1,"nth_of_type":2,"attr__id":"link"},{"tag_name":"body","nth_child":2,"nth_of_type":1}]`,
			`a.big.btn:attr__class="btn big"attr__href="/x"attr__id="link"attr_id="link"href="/x"nth-child="1"nth-of-type="2"text="Click";body:nth-child="2"nth-of-type="1"`,
		},
		{
			"quotes escaped in values, dropped in classes",
			`[{"tag_name":"button","attr__class":["b\"x","a"],"$el_text":"Say \"hi\"","attr__data-x":"a;b"}]`,
			`button.a.bx:attr__class="b\"x,a"attr__data-x="a;b"nth-child="0"nth-of-type="0"text="Say \"hi\""`,
		},
		{
			"empty text, href and id are left out",
			`[{"tag_name":"span","$el_text":"","attr__href":"","attr__id":"","attr__class":""}]`,
			`span:attr__class=""attr__href=""attr__id=""nth-child="0"nth-of-type="0"`,
		},
		{
			"long text and href are cut as ingestion cut them",
			`[{"$el_text":"` + strings.Repeat("é", 500) + `","attr__href":"/` + strings.Repeat("h", 3000) + `"}]`,
			`:attr__href="/` + strings.Repeat("h", 3000) + `"href="/` + strings.Repeat("h", 2047) + `"nth-child="0"nth-of-type="0"text="` + strings.Repeat("é", 400) + `"`,
		},
		{
			"attribute keys in locale order",
			`[{"tag_name":"i","attr__data_b":"1","attr__data-a":"2","attr__Zeta":"3","attr__alpha":"4","attr__9":"5"}]`,
			`i:attr__9="5"attr__alpha="4"attr__data_b="1"attr__data-a="2"attr__Zeta="3"nth-child="0"nth-of-type="0"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := goja.New()
			v, err := rt.RunString("(" + tc.elements + ")")
			require.NoError(t, err)
			assert.Equal(t, tc.want, elementsChainOf(v.(*goja.Object)))
			// The chain reads back into the same elements.
			parsed := parseElementsChain(elementsChainOf(v.(*goja.Object)))
			assert.Len(t, parsed, int(v.(*goja.Object).Get("length").ToInteger()))
		})
	}
}

// localeCompare must order chain keys as JavaScript's localeCompare does:
// checked against Node (its full ICU) when node is installed.
func TestLocaleCompareMatchesNode(t *testing.T) {
	keys := []string{
		"text", "nth-child", "nth-of-type", "href", "attr_id", "attr__id", "attr__class", "attr__href",
		"attr__data-attr", "attr__data_attr", "attr__dataattr", "attr__aria-label", "attr__Zeta", "attr__zeta",
		"attr__alpha", "attr__9", "attr__10", "attr__a.b", "attr__a:b", "attr__A", "attr__a", "attr__",
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is missing; install it with: apt-get install -y nodejs")
		}
		t.Skip("node is missing; install it with: apt-get install -y nodejs")
	}
	out, err := exec.Command(node, "-e",
		`const keys = JSON.parse(process.argv[1]); keys.sort((a, b) => a.localeCompare(b)); console.log(keys.join("\n"))`,
		`["`+strings.Join(keys, `","`)+`"]`).Output()
	require.NoError(t, err)
	want := strings.Split(strings.TrimSpace(string(out)), "\n")
	got := slices.Clone(keys)
	slices.SortStableFunc(got, localeCompare)
	assert.Equal(t, want, got)
}
