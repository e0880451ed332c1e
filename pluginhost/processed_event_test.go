package pluginhost

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exportShapePlugin records what each function is given, as JSON text, so the
// tests see key order.
const exportShapePlugin = `
export async function onEvent(event, { cache }) { await cache.lpush('onevent', JSON.stringify(event)) }
export async function exportEvents(events, { cache }) { await cache.lpush('batches', JSON.stringify(events)) }
export function composeWebhook(event) {
  return { url: 'http://x/', body: JSON.stringify({ event, isDate: event.timestamp instanceof Date }) }
}
`

func TestExportProcessedEventShape(t *testing.T) {
	dir := exportTestDir(t, map[string]string{"plugin.json": `{"name": "shape"}`, "index.js": exportShapePlugin})
	team := int64(9)
	p, mem, _ := exportTestPlugin(t, dir, nil, func(o *Options) { o.TeamID = &team })
	pool := exportTestPool(t, p)

	events := exportTestEvents(
		// autocapture with $elements, top-level $set, a numeric distinct_id and ip
		`{"event":"$autocapture","distinct_id":42,"ip":"1.2.3.4","team_id":2,"now":"2024-01-01T00:00:01.000Z",`+
			`"$set":{"b":2},"site_url":"http://x","person":{"id":"p"},"uuid":"u-1",`+
			`"properties":{"z":1,"a":2,"$set":{"a":1},"$elements":[{"tag_name":"a","$el_text":"Click","attr__href":"/x","attr__class":"btn big","nth_child":1,"nth_of_type":2,"attr__id":"link"}]}}`,
		// an elements chain, no timestamp/now/uuid/team/properties
		`{"event":"$autocapture","elements_chain":"a.btn.big:attr__href=\"/x\"href=\"/x\"nth-child=\"1\"nth-of-type=\"2\"text=\"Click\";div:nth-child=\"1\"nth-of-type=\"1\""}`,
		// a timestamp in milliseconds and $ip in properties
		`{"event":"e","timestamp":1700000000123,"properties":{"$ip":"5.6.7.8","$groups":{"company":"c1"}},"$set_once":{"first":true}}`,
	)
	res, err := pool.OnEvents(t.Context(), events)
	require.NoError(t, err)
	for _, ev := range res.Events {
		require.NoError(t, ev.Err)
	}
	got := exportTestList(t, p, mem, "onevent")
	require.Len(t, got, 3)
	assert.Equal(t, `{"distinct_id":"42","ip":"1.2.3.4","team_id":2,"event":"$autocapture",`+
		`"properties":{"z":1,"a":2,"$set":{"a":1,"b":2},"$ip":"1.2.3.4"},"timestamp":"2024-01-01T00:00:01.000Z",`+
		`"$set":{"a":1,"b":2},"uuid":"u-1","person":{"id":"p"},`+
		`"elements":[{"text":"Click","$el_text":"Click","tag_name":"a","href":"/x","attr_class":["btn","big"],"attr_id":"link","nth_child":1,"nth_of_type":2,`+
		`"attributes":{"attr__href":"/x","attr__class":"btn big","attr__id":"link"},"order":0}]}`, got[0])
	assert.Equal(t, `{"ip":null,"team_id":9,"event":"$autocapture","properties":{},"timestamp":"2024-05-06T07:08:09.010Z","uuid":"generated-b",`+
		`"elements":[{"attributes":{"attr__href":"/x"},"order":0,"tag_name":"a","attr_class":["btn","big"],"href":"/x","nth_child":1,"nth_of_type":2,"text":"Click","$el_text":"Click"},`+
		`{"attributes":{},"order":1,"tag_name":"div","nth_child":1,"nth_of_type":1}]}`, got[1])
	assert.Equal(t, `{"ip":"5.6.7.8","team_id":9,"event":"e","properties":{"$ip":"5.6.7.8","$groups":{"company":"c1"},"$set_once":{"first":true}},`+
		`"timestamp":"2023-11-14T22:13:20.123Z","$set_once":{"first":true},"uuid":"generated-c"}`, got[2])

	// exportEvents sees the same shape.
	_, err = pool.ExportEvents(t.Context(), events[2:])
	require.NoError(t, err)
	assert.Equal(t, []string{"[" + got[2] + "]"}, exportTestList(t, p, mem, "batches"))

	// composeWebhook gets a PostHogEvent.
	res, err = pool.ComposeWebhooks(t.Context(), events)
	require.NoError(t, err)
	assert.Equal(t, `{"event":{"uuid":"u-1","event":"$autocapture","team_id":2,"distinct_id":"42",`+
		`"properties":{"z":1,"a":2,"$set":{"a":1,"b":2},"$ip":"1.2.3.4",`+
		`"$elements_chain":"a.big.btn:attr__class=\"btn big\"attr__href=\"/x\"attr__id=\"link\"attr_id=\"link\"href=\"/x\"nth-child=\"1\"nth-of-type=\"2\"text=\"Click\""},`+
		`"timestamp":"2024-01-01T00:00:01.000Z","groups":{}},"isDate":true}`, string(res.Events[0].Webhook.Body))
	assert.Contains(t, string(res.Events[1].Webhook.Body), `"properties":{"$elements_chain":"a.btn.big:attr__href=\"/x\"`)
	assert.Contains(t, string(res.Events[2].Webhook.Body), `"groups":{"company":"c1"}`)
}

func TestExportElementsChainGrammar(t *testing.T) {
	got := parseElementsChain(`button.btn.btn-primary:attr__class="btn btn-primary"attr__data-x="a;b"nth-child="2"nth-of-type="1"text="Say \"hi\"";\ndiv.:nth-child="1"attr_id="root";span`)
	assert.Equal(t, []chainElement{
		{tag: "button", classes: []string{"btn", "btn-primary"}, hasClasses: true, attrs: [][2]string{
			{"attr__class", "btn btn-primary"}, {"attr__data-x", "a;b"}, {"nth-child", "2"}, {"nth-of-type", "1"}, {"text", `Say \"hi\"`},
		}},
		{tag: "div", hasClasses: true, attrs: [][2]string{{"nth-child", "1"}, {"attr_id", "root"}}},
		{tag: "span"},
	}, got)
	assert.Empty(t, parseElementsChain(""))
	assert.True(t, parseIntJS("x") != parseIntJS("x"), "NaN")
	assert.Equal(t, 12.0, parseIntJS(" 12px"))
	assert.Equal(t, "ab", sliceUTF16("abc", 2))
	assert.Equal(t, "2024-05-06T07:08:09.010Z", time.Date(2024, 5, 6, 7, 8, 9, 10e6, time.UTC).Format(timestampLayout))
}
