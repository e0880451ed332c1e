// Package processors holds hogpipe's Benthos processors.
package processors

import (
	"context"
	"errors"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/internal/pluginconf"
	"github.com/hogpipe/hogpipe/pluginhost"
)

const ppFieldRecordRuns = "record_plugin_runs"

func pluginProcessorSpec() *service.ConfigSpec {
	spec := service.NewConfigSpec().
		Stable().
		Categories("Mapping", "Integration").
		Summary("Runs a PostHog plugin's `processEvent` (or `processEventBatch`) on each message.").
		Description(`
Each message must be a JSON object shaped like a PostHog event (`+"`event`, `distinct_id`, `properties`, `team_id`, …"+`). The plugin sees it with its keys in the order they arrived, and its result is written back in JavaScript's key order: this processor never re-encodes through Benthos' structured form. Note that Benthos processors that use structured messages (`+"`mapping`, `mutation`, `jq`"+`) re-encode JSON with sorted keys, which changes what a plugin hashing `+"`JSON.stringify(properties)`"+` sees; keep them after the plugins when the order matters.

### Results

- A falsy return value (`+"`null`, `undefined`"+`) drops the message (it is acked, not an error).
- A returned event (the same object or a new one) replaces the message; metadata is kept.
- When the plugin throws (an Error or any other value), rejects or times out, the event continues in its last good state (mutations made before the failure stay) and the message is flagged as errored with the plugin's message, so `+"`catch`, `try`, `switch` with `errored()`"+` and dead-letter outputs work.
- `+"`team_id`"+` cannot be changed by a plugin: the original value is restored and the message flagged.
- `+"`$snapshot`"+` events pass untouched; a message that is not a JSON object passes unchanged with the error flag.
- After its call each processor appends `+"`\"<plugin name> (<plugin_config_id>)\"`"+` to `+"`properties.$plugins_succeeded` or `properties.$plugins_failed`"+` (when the event has a properties object).
- Events emitted with `+"`posthog.capture`"+` become new messages right after their source event (even when it is dropped), with the source's metadata.

### Batches

`+"`processEventBatch`"+` receives the whole batch this processor is given; batching comes from the input side (`+"`generate.batch_size`, a `broker` with `batching`, …"+`). It may drop, reorder, duplicate or add events. A returned input object keeps its message; a new object derives from the input with the same `+"`uuid`"+`, else the first. When a plugin exports both functions, `+"`processEvent`"+` is used. With `+"`processEvent`"+`, the events of a batch run on one VM, up to `+"`event_concurrency`"+` at a time.

### Plugin instances

A plugin instance is (plugin, `+"`plugin_config_id`"+`). Two configurations of the same plugin in one deployment must set different `+"`plugin_config_id`"+`s, or they share storage. Two different plugins may not take one `+"`plugin_config_id`"+` in a process: plugins whose `+"`plugin.json`"+` names are equal get the same id derived from the name, and loading the second stops with an error saying to set `+"`plugin_config_id`"+` on each.`).
		Fields(pluginconf.Fields()...).
		Field(service.NewBoolField(ppFieldRecordRuns).
			Description("Append this plugin's entry to `properties.$plugins_succeeded` / `$plugins_failed` after each call.").
			Default(true).
			Advanced()).
		Example("Hello World", "Runs the seed's Hello World plugin on generated events.", `
input:
  generate:
    count: 3
    interval: ""
    mapping: |
      root = {"event": "signed up", "distinct_id": uuid_v4(), "properties": {"plan": "free"}}
pipeline:
  processors:
    - posthog_plugin:
        path: ./testdata/plugins/hello-world
        config:
          bar: baz
output:
  stdout:
    codec: lines
`).
		Example("A chain with a dead-letter output", "Two plugins in a row; events a plugin failed on are routed to a file for inspection.", `
input:
  stdin:
    scanner:
      lines: {}
pipeline:
  processors:
    - posthog_plugin:
        path: ./plugins/geoip
        geoip_database: ./GeoLite2-City.mmdb
    - posthog_plugin:
        path: ./plugins/taxonomy
        config:
          defaultNamingConvention: snake_case
output:
  switch:
    cases:
      - check: errored()
        output:
          file:
            path: ./dead-letter.jsonl
            codec: lines
      - output:
          stdout:
            codec: lines
`)
	return spec
}

func init() {
	service.MustRegisterBatchProcessor("posthog_plugin", pluginProcessorSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
			return newPluginProcessorFromParsed(conf, mgr)
		})
}

type pluginProcessor struct {
	instance *pluginconf.Instance
	pool     *pluginhost.Pool
	log      *service.Logger

	processed *service.MetricCounter
	dropped   *service.MetricCounter
	failed    *service.MetricCounter
	captured  *service.MetricCounter
	duration  *service.MetricTimer
	name      string
}

func newPluginProcessorFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (*pluginProcessor, error) {
	recordRuns, err := conf.FieldBool(ppFieldRecordRuns)
	if err != nil {
		return nil, err
	}
	instance, err := pluginconf.Load(conf, mgr, recordRuns)
	if err != nil {
		return nil, err
	}
	// The VMs start here, not lazily: a plugin whose setupPlugin fails stops
	// the pipeline at start-up with the plugin's own message.
	pool, err := instance.StartPool(context.Background())
	if err != nil {
		_ = instance.Close()
		return nil, err
	}
	m := mgr.Metrics()
	return &pluginProcessor{
		instance:  instance,
		pool:      pool,
		log:       mgr.Logger().With("plugin", instance.Plugin.Name()),
		processed: m.NewCounter("posthog_plugin_processed", "plugin"),
		dropped:   m.NewCounter("posthog_plugin_dropped", "plugin"),
		failed:    m.NewCounter("posthog_plugin_failed", "plugin"),
		captured:  m.NewCounter("posthog_plugin_captured", "plugin"),
		duration:  m.NewTimer("posthog_plugin_batch_duration_ns", "plugin"),
		name:      instance.Plugin.Name(),
	}, nil
}

func (p *pluginProcessor) ProcessBatch(ctx context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	start := time.Now()
	defer func() { p.duration.Timing(time.Since(start).Nanoseconds(), p.name) }()

	raw := make([][]byte, len(batch))
	for i, msg := range batch {
		b, err := msg.AsBytes()
		if err != nil {
			b = nil
		}
		raw[i] = b
	}
	var out service.MessageBatch
	var err error
	if p.pool.UsesBatch() {
		out, err = p.processBatch(ctx, batch, raw)
	} else {
		out, err = p.processEach(ctx, batch, raw)
	}
	if err != nil {
		// The pool could not run the plugin at all (every VM restarting, or
		// the pipeline stopping): nothing is lost, every message goes on
		// flagged.
		p.failed.Incr(int64(len(batch)), p.name)
		for _, msg := range batch {
			msg.SetError(err)
		}
		return []service.MessageBatch{batch}, nil
	}
	if len(out) == 0 {
		return nil, nil
	}
	return []service.MessageBatch{out}, nil
}

func (p *pluginProcessor) processEach(ctx context.Context, batch service.MessageBatch, raw [][]byte) (service.MessageBatch, error) {
	results, err := p.pool.ProcessEvents(ctx, raw)
	if err != nil {
		return nil, err
	}
	out := make(service.MessageBatch, 0, len(batch))
	var processed, dropped int64 // counted once per batch: a labelled Incr is a map lookup
	for i, res := range results {
		msg := batch[i]
		switch {
		case res.Dropped:
			dropped++
		default:
			msg.SetBytes(res.Event)
			if res.Err != nil {
				p.fail(msg, res.Err)
			} else {
				processed++
			}
			out = append(out, msg)
		}
		out = p.appendCaptures(out, msg, res.Captured)
	}
	if processed > 0 {
		p.processed.Incr(processed, p.name)
	}
	if dropped > 0 {
		p.dropped.Incr(dropped, p.name)
	}
	return out, nil
}

func (p *pluginProcessor) processBatch(ctx context.Context, batch service.MessageBatch, raw [][]byte) (service.MessageBatch, error) {
	result, err := p.pool.ProcessEventBatch(ctx, raw)
	if err != nil {
		return nil, err
	}
	out := make(service.MessageBatch, 0, len(result.Events)+len(result.Captured))
	kept := make(map[int]bool, len(batch))
	for _, ev := range result.Events {
		msg := batch[ev.From].Copy()
		msg.SetBytes(ev.Event)
		kept[ev.From] = true
		if ev.Err != nil {
			p.fail(msg, ev.Err)
		} else {
			p.processed.Incr(1, p.name)
		}
		out = append(out, msg)
	}
	p.dropped.Incr(int64(len(batch)-len(kept)), p.name)
	if len(batch) > 0 {
		out = p.appendCaptures(out, batch[0], result.Captured)
	}
	return out, nil
}

func (p *pluginProcessor) fail(msg *service.Message, err error) {
	p.failed.Incr(1, p.name)
	msg.SetError(err)
	var pe *pluginhost.PluginError
	if errors.As(err, &pe) && pe.Stack != "" {
		p.log.Debugf("%v\n%s", err, pe.Stack)
	}
}

// appendCaptures adds captured events as new messages derived from source:
// its metadata, no error.
func (p *pluginProcessor) appendCaptures(out service.MessageBatch, source *service.Message, captured [][]byte) service.MessageBatch {
	for _, event := range captured {
		msg := source.Copy()
		msg.SetError(nil)
		msg.SetBytes(event)
		out = append(out, msg)
		p.captured.Incr(1, p.name)
	}
	return out
}

func (p *pluginProcessor) Close(ctx context.Context) error {
	err := p.pool.Close(ctx)
	if closeErr := p.instance.Close(); err == nil {
		err = closeErr
	}
	return err
}
