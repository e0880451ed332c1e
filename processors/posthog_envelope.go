package processors

import (
	"context"
	"fmt"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/capture"
)

const (
	peFieldOperation = "operation"

	peOperationDecode = "decode"
	peOperationEncode = "encode"
)

func envelopeProcessorSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Parsing", "Integration").
		Summary("Turns PostHog's ingestion messages (the Kafka records between capture and the plugin server) into plugin events, and back.").
		Description(`
PostHog's capture writes each event to Kafka (`+"`events_plugin_ingestion`"+`) as `+"`{\"uuid\", \"distinct_id\", \"ip\", \"site_url\", \"data\", \"team_id\", \"now\", \"sent_at\", \"token\"}`"+`, where `+"`data`"+` is the event the client sent, as JSON text. With this processor hogpipe can sit between capture and ingestion: `+"`decode`"+`, run plugins, `+"`encode`"+`.

- `+"`decode`"+`: the message's fields without `+"`data`"+`, then the event's fields over them, as the plugin server forms the event it hands plugins: a field of both keeps the message's position and takes the event's value. `+"`data`"+` may also be an object.
- `+"`encode`"+`: the envelope fields the event has (`+"`uuid`"+` and `+"`distinct_id`"+` are required), in capture's order, with `+"`data`"+` holding the event as JSON text, minus the server's fields (`+"`ip`, `site_url`, `team_id`, `now`, `sent_at`, `token`"+`).

Both work on the bytes, as the `+"`posthog_plugin`"+` processor does: key order and values survive apart from whitespace (never through `+"`mapping`"+`, which sorts keys). A message that is not valid JSON, not an object, or has no usable `+"`data`"+` passes on unchanged, flagged with an error that says why, so `+"`catch`"+` or a dead-letter output can take it. Metadata is kept.`).
		Field(service.NewStringEnumField(peFieldOperation, peOperationDecode, peOperationEncode).
			Description("`decode` an ingestion message into a plugin event, or `encode` a plugin event into an ingestion message.")).
		Example("Between capture and ingestion", "Read PostHog's ingestion topic, run a plugin, and write the events on for ingestion.", `
input:
  kafka:
    seed_brokers: [ localhost:9092 ]
    topics: [ events_plugin_ingestion ]
    consumer_group: hogpipe
pipeline:
  processors:
    - posthog_envelope:
        operation: decode
    - posthog_plugin:
        path: ./testdata/plugins/hello-world
    - posthog_envelope:
        operation: encode
output:
  kafka:
    seed_brokers: [ localhost:9092 ]
    topic: events_plugin_ingestion_processed
    key: ${! @kafka_key }
`)
}

func init() {
	service.MustRegisterProcessor("posthog_envelope", envelopeProcessorSpec(),
		func(conf *service.ParsedConfig, _ *service.Resources) (service.Processor, error) {
			op, err := conf.FieldString(peFieldOperation)
			if err != nil {
				return nil, err
			}
			switch op {
			case peOperationDecode:
				return envelopeProcessor{op: op, convert: capture.DecodeEnvelope}, nil
			case peOperationEncode:
				return envelopeProcessor{op: op, convert: capture.EncodeEnvelope}, nil
			}
			return nil, fmt.Errorf("operation: unknown %q (want decode or encode)", op)
		})
}

type envelopeProcessor struct {
	op      string
	convert func([]byte) ([]byte, error)
}

// Process converts one message; a returned error flags the message, which
// Benthos then passes on unchanged.
func (p envelopeProcessor) Process(_ context.Context, msg *service.Message) (service.MessageBatch, error) {
	raw, err := msg.AsBytes()
	if err != nil {
		return nil, err
	}
	out, err := p.convert(raw)
	if err != nil {
		return nil, fmt.Errorf("posthog_envelope %s: %w", p.op, err)
	}
	msg.SetBytes(out)
	return service.MessageBatch{msg}, nil
}

func (envelopeProcessor) Close(context.Context) error { return nil }
