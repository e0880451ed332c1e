package capture

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestToCaptureEvent(t *testing.T) {
	plugin := `{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","event":"$pageview","distinct_id":"user-1",` +
		`"properties":{ "zeta":1, "alpha":{"y":2,"x":1}, "10":"ten" },"timestamp":"2024-05-06T07:00:00.000Z",` +
		`"$set":{"b":1,"a":2},"$set_once":{"first":true},"ip":"203.0.113.7","site_url":"http://capture.test",` +
		`"team_id":42,"now":"2024-05-06T07:08:09.123Z","sent_at":"2024-05-06T07:08:00.000Z","api_key":"k","token":"t","person":{}}`
	ev, key, err := ToCaptureEvent([]byte(plugin))
	require.NoError(t, err)
	assert.Equal(t, "k", key)
	assert.Equal(t, `{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","event":"$pageview","distinct_id":"user-1",`+
		`"properties":{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten","$ip":"203.0.113.7"},"timestamp":"2024-05-06T07:00:00.000Z",`+
		`"$set":{"b":1,"a":2},"$set_once":{"first":true}}`, string(ev))
}

func TestToCaptureEventIPAndTimestamp(t *testing.T) {
	// $ip already there: left alone.
	ev, key, err := ToCaptureEvent([]byte(`{"event":"e","distinct_id":7,"ip":"1.1.1.1","properties":{"$ip":"2.2.2.2","token":"pt"},"timestamp":"x"}`))
	require.NoError(t, err)
	assert.Equal(t, "pt", key)
	assert.Equal(t, `{"event":"e","distinct_id":7,"properties":{"$ip":"2.2.2.2","token":"pt"},"timestamp":"x"}`, string(ev))

	// No properties: created for $ip. No timestamp: now minus offset.
	ev, key, err = ToCaptureEvent([]byte(`{"event":"e","distinct_id":"d","ip":"1.1.1.1","now":"2024-05-06T07:08:09.123Z","offset":1000}`))
	require.NoError(t, err)
	assert.Empty(t, key)
	assert.Equal(t, `{"event":"e","distinct_id":"d","properties":{"$ip":"1.1.1.1"},"timestamp":"2024-05-06T07:08:08.123Z"}`, string(ev))

	// Empty properties, null ip, null timestamp and no now.
	ev, _, err = ToCaptureEvent([]byte(`{"properties":{},"event":"e","distinct_id":"d","ip":null,"timestamp":null}`))
	require.NoError(t, err)
	assert.Equal(t, `{"properties":{},"event":"e","distinct_id":"d"}`, string(ev))

	ev, _, err = ToCaptureEvent([]byte(`{"properties":{ },"event":"e","distinct_id":"d","ip":"::1"}`))
	require.NoError(t, err)
	assert.Equal(t, `{"properties":{"$ip":"::1"},"event":"e","distinct_id":"d"}`, string(ev))
}

func TestToCaptureEventRejects(t *testing.T) {
	for name, raw := range map[string]string{
		"not json":       `nope`,
		"array":          `[]`,
		"no event":       `{"distinct_id":"d"}`,
		"empty event":    `{"event":"","distinct_id":"d"}`,
		"no distinct id": `{"event":"e"}`,
		"bad properties": `{"event":"e","distinct_id":"d","properties":"x"}`,
	} {
		_, _, err := ToCaptureEvent([]byte(raw))
		assert.ErrorIs(t, err, ErrNotCapturable, name)
	}
}

func TestEncodeBatchAndGzip(t *testing.T) {
	body := EncodeBatch("k\"ey", [][]byte{[]byte(`{"event":"a"}`), []byte(`{"event":"b"}`)})
	assert.Equal(t, `{"api_key":"k\"ey","batch":[{"event":"a"},{"event":"b"}]}`, string(body))

	z, err := Gzip(body)
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(z))
	require.NoError(t, err)
	back, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, body, back)

	// What the output sends decodes on the capture side.
	d, err := DecodeRequest(Request{Method: "POST", ContentEncoding: "gzip", Body: z})
	require.NoError(t, err)
	p, err := ParsePayload(d.JSON)
	require.NoError(t, err)
	assert.Equal(t, `k"ey`, p.APIKey)
	assert.Len(t, p.Events, 2)
}
