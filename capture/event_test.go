package capture

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)

func testMeta() *Meta {
	return &Meta{
		Now:     testNow,
		IP:      "203.0.113.7",
		SiteURL: "http://capture.test",
		Teams:   map[string]int64{"k": 42},
		NewUUID: func() string { return "00000000-0000-7000-8000-000000000000" },
	}
}

func TestParsePayload(t *testing.T) {
	p, err := ParsePayload([]byte(`{"api_key":"k","sent_at":"2024-01-01T00:00:00.000Z","batch":[{"event":"a"},{"event":"b"}]}`))
	require.NoError(t, err)
	assert.Equal(t, "k", p.APIKey)
	assert.JSONEq(t, `"2024-01-01T00:00:00.000Z"`, string(p.SentAt))
	require.Len(t, p.Events, 2)
	assert.JSONEq(t, `{"event":"b"}`, string(p.Events[1]))

	p, err = ParsePayload([]byte(` [{"event":"a"}, 3] `))
	require.NoError(t, err)
	assert.Len(t, p.Events, 2)
	assert.Empty(t, p.APIKey)

	p, err = ParsePayload([]byte(`{"event":"a","token":"t"}`))
	require.NoError(t, err)
	require.Len(t, p.Events, 1)
	assert.Empty(t, p.APIKey, "a single event's key is read by Normalise")

	for name, body := range map[string]string{
		"empty batch":   `{"batch":[]}`,
		"empty array":   `[]`,
		"batch object":  `{"batch":{}}`,
		"string":        `"x"`,
		"invalid":       `{"event":`,
		"trailing data": `{"event":"a"} x`,
		"not json":      `hello`,
	} {
		_, err := ParsePayload([]byte(body))
		assert.ErrorIs(t, err, ErrMalformed, name)
	}
}

func TestNormaliseKeepsOrderAndShape(t *testing.T) {
	raw := `{"event":"$pageview","uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","extra":1,
		"properties":{"zeta":1, "alpha":{"y":2,"x":1}, "10":"ten", "2":"two", "distinct_id":"user-1", "token":"k"},
		"timestamp":"2024-05-06T07:00:00.000Z","$set":{"b":1,"a":2},"sent_at":"2024-05-06T07:08:00.000Z"}`
	ev, err := Normalise(json.RawMessage(raw), testMeta())
	require.NoError(t, err)
	assert.Equal(t, `{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","event":"$pageview","distinct_id":"user-1",`+
		`"properties":{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten","2":"two","distinct_id":"user-1","token":"k"},`+
		`"timestamp":"2024-05-06T07:00:00.000Z","$set":{"b":1,"a":2},"ip":"203.0.113.7","site_url":"http://capture.test",`+
		`"team_id":42,"now":"2024-05-06T07:08:09.123Z","sent_at":"2024-05-06T07:08:00.000Z","api_key":"k"}`, string(ev.JSON))
	assert.Equal(t, "$pageview", ev.Name)
	assert.Equal(t, "user-1", ev.DistinctID)
	assert.Equal(t, "k", ev.APIKey)
	assert.True(t, ev.HasTeamID)
	assert.Equal(t, int64(42), ev.TeamID)
}

func TestNormaliseFallbacks(t *testing.T) {
	meta := testMeta()
	meta.IP = ""
	meta.APIKey = "batch-key"
	meta.SentAt = json.RawMessage(`"2024-05-06T07:08:09.000Z"`)
	meta.DefaultEvent = "$identify"

	ev, err := Normalise(json.RawMessage(`{"$distinct_id":12345,"$set":{"email":"a@b.c"},"offset":150}`), meta)
	require.NoError(t, err)
	assert.Equal(t, `{"uuid":"00000000-0000-7000-8000-000000000000","event":"$identify","distinct_id":"12345",`+
		`"properties":{},"offset":150,"$set":{"email":"a@b.c"},"ip":null,"site_url":"http://capture.test",`+
		`"now":"2024-05-06T07:08:09.123Z","sent_at":"2024-05-06T07:08:09.000Z","api_key":"batch-key"}`, string(ev.JSON))
	assert.False(t, ev.HasTeamID)

	ev, err = Normalise(json.RawMessage(`{"event":"x","token":"tok","properties":{"$distinct_id":"p"}}`), meta)
	require.NoError(t, err)
	assert.Equal(t, "p", ev.DistinctID)
	assert.Equal(t, "tok", ev.APIKey)
	assert.Contains(t, string(ev.JSON), `"api_key":"tok","token":"tok"}`)

	meta.NewUUID = nil
	ev, err = Normalise(json.RawMessage(`{"event":"x","distinct_id":"d"}`), meta)
	require.NoError(t, err)
	assert.True(t, ValidUUID(ev.UUID))
	assert.Equal(t, byte('7'), ev.UUID[14])
}

func TestNormaliseRejects(t *testing.T) {
	for name, tc := range map[string]struct{ raw, msg string }{
		"array":           {`[1]`, "not a JSON object"},
		"number":          {`1`, "not a JSON object"},
		"no name":         {`{"distinct_id":"d","api_key":"k"}`, "missing event name"},
		"name not string": {`{"event":1,"distinct_id":"d","api_key":"k"}`, "event name is not a string"},
		"no distinct id":  {`{"event":"e","api_key":"k"}`, "missing distinct_id"},
		"empty id":        {`{"event":"e","distinct_id":"","api_key":"k"}`, "missing distinct_id"},
		"object id":       {`{"event":"e","distinct_id":{},"api_key":"k"}`, "missing distinct_id"},
		"bad properties":  {`{"event":"e","distinct_id":"d","api_key":"k","properties":[]}`, "properties is not an object"},
		"bad uuid":        {`{"event":"e","distinct_id":"d","api_key":"k","uuid":"nope"}`, "not a valid UUID"},
		"no key":          {`{"event":"e","distinct_id":"d"}`, "missing api_key or token"},
		"bad set":         {`{"event":"e","distinct_id":"d","api_key":"k","$set":1}`, "$set is not an object"},
		"bad timestamp":   {`{"event":"e","distinct_id":"d","api_key":"k","timestamp":{}}`, "timestamp"},
		"bad offset":      {`{"event":"e","distinct_id":"d","api_key":"k","offset":"x"}`, "offset"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Normalise(json.RawMessage(tc.raw), testMeta())
			require.ErrorIs(t, err, ErrInvalidEvent)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	_, err := Normalise(json.RawMessage(`{"event":"e","distinct_id":"d"}`), testMeta())
	assert.ErrorIs(t, err, ErrMissingAPIKey)
}

func TestMillisToTime(t *testing.T) {
	v, ok := MillisToTime("1715000000123")
	require.True(t, ok)
	assert.Equal(t, `"2024-05-06T12:53:20.123Z"`, string(v))
	_, ok = MillisToTime("abc")
	assert.False(t, ok)
}

func TestAppendString(t *testing.T) {
	got := string(appendString(nil, "a\"\\\n\t\x01<>&\u2028é\xff"))
	assert.Equal(t, `"a\"\\\n\t\u0001<>&\u2028é\ufffd"`, got)
	var back string
	require.NoError(t, json.Unmarshal([]byte(got), &back))
	assert.Equal(t, "a\"\\\n\t\x01<>&\u2028é\uFFFD", back)
}

func TestUUIDv7(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 5000; i++ {
		u := NewUUIDv7()
		require.True(t, ValidUUID(u), u)
		assert.Equal(t, byte('7'), u[14])
		assert.Contains(t, "89ab", string(u[19]))
		assert.False(t, seen[u])
		assert.Greater(t, u, prev, "v7 values are time ordered")
		seen[u], prev = true, u
	}
	assert.False(t, ValidUUID("0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0"))
	assert.False(t, ValidUUID("0190f0b2x1c2d-7e3f-8a4b-5c6d7e8f9a0b"))
	assert.True(t, ValidUUID("0190F0B2-1C2D-7E3F-8A4B-5C6D7E8F9A0B"))
}
