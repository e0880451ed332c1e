// Command custom-build is a Benthos binary of your own that carries
// hogpipe's components: the blank imports of hogpipe's inputs, outputs and
// processors packages register them (posthog_plugin, posthog_capture, …)
// beside Benthos' bundles and a processor this binary defines itself
// (stamp). Build it with `go build ./examples/custom-build`.
package main

import (
	"context"

	"github.com/redpanda-data/benthos/v4/public/service"

	// Benthos' own components: pick the bundles your binary needs.
	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	// hogpipe's components.
	_ "github.com/hogpipe/hogpipe/inputs"
	_ "github.com/hogpipe/hogpipe/outputs"
	_ "github.com/hogpipe/hogpipe/processors"
)

const stampFieldValue = "value"

func stampSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Sets the metadata key stamp on every message.").
		Description("The processor this example binary brings next to hogpipe's components.").
		Field(service.NewStringField(stampFieldValue).Description("The value of the stamp metadata key.").Default("custom-build"))
}

func init() {
	service.MustRegisterProcessor("stamp", stampSpec(), func(conf *service.ParsedConfig, _ *service.Resources) (service.Processor, error) {
		value, err := conf.FieldString(stampFieldValue)
		if err != nil {
			return nil, err
		}
		return &stamp{value: value}, nil
	})
}

// stamp marks each message it sees.
type stamp struct{ value string }

func (s *stamp) Process(_ context.Context, msg *service.Message) (service.MessageBatch, error) {
	msg.MetaSetMut("stamp", s.value)
	return service.MessageBatch{msg}, nil
}

func (s *stamp) Close(context.Context) error { return nil }

func main() {
	service.RunCLI(context.Background())
}
