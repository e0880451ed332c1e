package capture

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, err string
	}{
		{
			name: "posthog message",
			in:   `{"uuid":"0190b6a4-0000-7000-8000-000000000001","distinct_id":"u1","ip":"1.2.3.4","site_url":"https://app.example.com","data":"{\"event\":\"$pageview\",\"properties\":{\"z\":1,\"a\":2},\"timestamp\":\"2024-07-01T00:00:00Z\"}","team_id":2,"now":"2024-07-01T00:00:01Z","sent_at":"2024-07-01T00:00:00.5Z","token":"phc_x"}`,
			want: `{"uuid":"0190b6a4-0000-7000-8000-000000000001","distinct_id":"u1","ip":"1.2.3.4","site_url":"https://app.example.com","team_id":2,"now":"2024-07-01T00:00:01Z","sent_at":"2024-07-01T00:00:00.5Z","token":"phc_x","event":"$pageview","properties":{"z":1,"a":2},"timestamp":"2024-07-01T00:00:00Z"}`,
		},
		{
			name: "data fields win in place",
			in:   `{"uuid":"a","distinct_id":"from-message","data":"{\"distinct_id\":\"from-event\",\"event\":\"e\"}","ip":null}`,
			want: `{"uuid":"a","distinct_id":"from-event","ip":null,"event":"e"}`,
		},
		{
			name: "data as an object",
			in:   `{"uuid":"a", "distinct_id":"d", "data": {"event": "e", "properties": {"b": [1, 2], "a": {}}}}`,
			want: `{"uuid":"a","distinct_id":"d","event":"e","properties":{"b":[1,2],"a":{}}}`,
		},
		{
			name: "unicode and escapes survive",
			in:   `{"uuid":"a","distinct_id":"d","data":"{\"event\":\"caf\\u00e9 \\\"q\\\"\",\"properties\":{\"s\":\"<b>\"}}"}`,
			want: `{"uuid":"a","distinct_id":"d","event":"caf\u00e9 \"q\"","properties":{"s":"<b>"}}`,
		},
		{name: "not json", in: `hello`, err: "invalid JSON"},
		{name: "not an object", in: `[1]`, err: "not a JSON object"},
		{name: "no data", in: `{"uuid":"a"}`, err: "no data field"},
		{name: "data a number", in: `{"data":1}`, err: "data is neither"},
		{name: "data not json", in: `{"data":"{oops"}`, err: "data: invalid JSON"},
		{name: "data not an object", in: `{"data":"[1]"}`, err: "data: not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeEnvelope([]byte(tc.in))
			if tc.err != "" {
				require.Error(t, err)
				assert.True(t, errors.Is(err, ErrInvalidEnvelope))
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

func TestEncodeEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, err string
	}{
		{
			name: "plugin event",
			in:   `{"uuid":"a","distinct_id":"u1","ip":"1.2.3.4","site_url":"s","team_id":2,"now":"n","sent_at":null,"token":"phc_x","event":"$pageview","properties":{"z":1,"a":2,"$plugins_succeeded":["p (1)"]},"timestamp":"t"}`,
			want: `{"uuid":"a","distinct_id":"u1","ip":"1.2.3.4","site_url":"s","data":"{\"uuid\":\"a\",\"distinct_id\":\"u1\",\"event\":\"$pageview\",\"properties\":{\"z\":1,\"a\":2,\"$plugins_succeeded\":[\"p (1)\"]},\"timestamp\":\"t\"}","team_id":2,"now":"n","sent_at":null,"token":"phc_x"}`,
		},
		{
			name: "missing server fields are left out",
			in:   `{"event":"e","distinct_id":"d","uuid":"a"}`,
			want: `{"uuid":"a","distinct_id":"d","data":"{\"event\":\"e\",\"distinct_id\":\"d\",\"uuid\":\"a\"}"}`,
		},
		{name: "no uuid", in: `{"distinct_id":"d"}`, err: "no uuid"},
		{name: "no distinct id", in: `{"uuid":"a"}`, err: "no distinct_id"},
		{name: "not json", in: `{"uuid":`, err: "invalid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeEnvelope([]byte(tc.in))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// Decoding what encoding wrote gives the decoded event back, key for key.
func TestEnvelopeRoundTrip(t *testing.T) {
	msg := `{"uuid":"a","distinct_id":"u1","ip":null,"site_url":"s","data":"{\"event\":\"e\",\"properties\":{\"z\":1,\"a\":2},\"uuid\":\"a\",\"distinct_id\":\"u1\"}","team_id":2,"now":"n","sent_at":"t","token":"phc_x"}`
	event, err := DecodeEnvelope([]byte(msg))
	require.NoError(t, err)
	encoded, err := EncodeEnvelope(event)
	require.NoError(t, err)
	again, err := DecodeEnvelope(encoded)
	require.NoError(t, err)
	assert.Equal(t, string(event), string(again))
}
