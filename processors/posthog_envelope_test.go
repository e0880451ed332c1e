package processors

import (
	"context"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runEnvelope(t *testing.T, op string, in []byte) *service.Message {
	t.Helper()
	builder := service.NewStreamBuilder()
	produce, err := builder.AddProducerFunc()
	require.NoError(t, err)
	require.NoError(t, builder.AddProcessorYAML("posthog_envelope:\n  operation: "+op))
	out := make(chan *service.Message, 1)
	require.NoError(t, builder.AddConsumerFunc(func(_ context.Context, m *service.Message) error {
		out <- m
		return nil
	}))
	stream, err := builder.Build()
	require.NoError(t, err)
	go func() { _ = stream.Run(t.Context()) }()
	t.Cleanup(func() { _ = stream.Stop(context.Background()) })
	msg := service.NewMessage(in)
	msg.MetaSetMut("kafka_key", "k")
	require.NoError(t, produce(t.Context(), msg))
	return <-out
}

func TestEnvelopeProcessor(t *testing.T) {
	message := `{"uuid":"a","distinct_id":"u1","ip":null,"site_url":"s","data":"{\"event\":\"e\",\"properties\":{\"z\":1,\"a\":2}}","team_id":2,"now":"n","sent_at":null,"token":"phc_x"}`
	event := `{"uuid":"a","distinct_id":"u1","ip":null,"site_url":"s","team_id":2,"now":"n","sent_at":null,"token":"phc_x","event":"e","properties":{"z":1,"a":2}}`
	for _, tc := range []struct {
		name, op, in, want, err string
	}{
		{name: "decode", op: "decode", in: message, want: event},
		{name: "encode", op: "encode", in: event, want: `{"uuid":"a","distinct_id":"u1","ip":null,"site_url":"s","data":"{\"uuid\":\"a\",\"distinct_id\":\"u1\",\"event\":\"e\",\"properties\":{\"z\":1,\"a\":2}}","team_id":2,"now":"n","sent_at":null,"token":"phc_x"}`},
		{name: "decode not json", op: "decode", in: "plain text", want: "plain text", err: "posthog_envelope decode: invalid ingestion message: invalid JSON"},
		{name: "decode without data", op: "decode", in: `{"uuid":"a"}`, want: `{"uuid":"a"}`, err: "no data field"},
		{name: "encode not json", op: "encode", in: "[1,2]", want: "[1,2]", err: "posthog_envelope encode: invalid ingestion message: not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runEnvelope(t, tc.op, []byte(tc.in))
			body, err := got.AsBytes()
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(body), "a flagged message passes on unchanged")
			key, _ := got.MetaGet("kafka_key")
			assert.Equal(t, "k", key, "metadata is kept")
			if tc.err == "" {
				assert.NoError(t, got.GetError())
				return
			}
			require.Error(t, got.GetError())
			assert.Contains(t, got.GetError().Error(), tc.err)
		})
	}
}
