package outputs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/gofrs/uuid/v5"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/internal/logonce"
	"github.com/hogpipe/hogpipe/internal/pluginconf"
	"github.com/hogpipe/hogpipe/pluginhost"
)

const (
	ppoFieldBatching     = "batching"
	ppoFieldMaxInFlight  = "max_in_flight"
	ppoFieldRetryInitial = "retry_initial_interval"
	ppoFieldMaxRetries   = "max_retries"

	// ppoLargeBatchFactor multiplies exportEventsBufferBytes for plugins whose
	// getSettings() returns {handlesLargeBatches: true}.
	ppoLargeBatchFactor = 10
)

func pluginOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Integration").
		Summary("Exports events with a PostHog plugin: `onEvent` for every message, `exportEvents` on batches, and the request `composeWebhook` returns.").
		Description(`
Each message must be a JSON object shaped like a PostHog event (a `+"`PluginEvent`"+`, as the `+"`posthog_capture`"+` input and the `+"`posthog_plugin`"+` processor produce). The plugin may export any of `+"`onEvent`, `exportEvents` and `composeWebhook`"+`; all that it exports run, and a plugin exporting none of them is a configuration error.

### Failed messages are nacked

A message fails when its export fails for good (see below). Failed messages are **nacked**, and most inputs replay nacked messages through the whole pipeline (processors included) until they succeed, holding up what follows. Route them elsewhere with a `+"`fallback`"+` output, as in the first example: the messages this output fails (and only those) go to the next output, with the reason in the `+"`fallback_error`"+` metadata. Failures are per message: one bad event does not fail its neighbours in a batch.

- `+"`onEvent(event, meta)`"+` runs once for each message. A `+"`RetryError`"+` (the global one or `+"`@posthog/plugin-scaffold`"+`'s, subclasses included), or a call that exceeds `+"`timeout`"+`, retries that event after `+"`retry_initial_interval`"+`, then twice as long each time, at most `+"`max_retries`"+` times; when the retries run out the message fails. Any other error is logged with the plugin's name, counted in `+"`posthog_plugin_output_errors`"+`, and the message is acked: the original server's single attempt.
- `+"`exportEvents(events, meta)`"+` runs on batches (see Batching). A `+"`RetryError`"+` or timeout retries the whole batch the same way; when the retries run out, or on any other error, every message of the batch fails. A batch that succeeds is never sent again.
- `+"`composeWebhook(event, meta)`"+` runs once for each message and returns `+"`{url, method?, headers?, body?}`"+` or `+"`null`"+` (nothing to send). hogpipe performs the request, bounded by `+"`timeout`"+`, with the plugin's `+"`fetch`"+` client, so `+"`fetch_allow`"+` and `+"`fetch_deny_private`"+` apply to it: `+"`method`"+` defaults to `+"`POST`"+`, `+"`headers`"+` to `+"`Content-Type: application/json`"+`, and a `+"`body`"+` that is not a string is sent as JSON. A 2xx or 3xx answer delivers the message; 429, 5xx and network errors are retried as above; other 4xx answers, and requests that cannot be made (an invalid URL, a refused host), fail the message at once. A `+"`RetryError`"+` thrown by `+"`composeWebhook`"+` is retried; any other error fails the message.
- A message that `+"`exportEvents`"+` or a webhook delivered is not failed by an `+"`onEvent`"+` error. A message that is not a JSON object fails. `+"`$snapshot`"+` events are acked without being given to the plugin, as the original server skipped them.

A failure that repeats (a database down, a bucket missing, credentials refused) is logged once per cause, per function, the cause being the error's text without its numbers and ids: the first retry at WARN (the first `+"`onEvent`"+` error at ERROR), its repeats at DEBUG, a line with their count every five minutes while it goes on, and one INFO line when the function succeeds again.

Retries wait inside the output, so a batch being retried holds its place in `+"`max_in_flight`"+`. A graceful shutdown lets them finish; when Benthos forces the output to stop, waiting retries end at once and their messages fail (nacked, not lost).

### Batching

Without `+"`batching`"+`, and when the plugin exports `+"`exportEvents`"+`, batches follow the plugin's reserved config keys, as the original export buffer did: a batch is written once its messages add up to `+"`exportEventsBufferBytes`"+` (the length of each message's JSON; default 1 MiB, clamped to 1 B–100 MiB) or `+"`exportEventsBufferSeconds`"+` have passed since its first message (default 10, clamped to 1–600). A plugin whose `+"`getSettings(meta)`"+` returns `+"`{handlesLargeBatches: true}`"+` gets ten times the byte size (at most 100 MiB). A configured `+"`batching`"+` replaces all of this; give it a `+"`period`"+`, or the last messages of a stream that goes quiet wait for the batch to fill. A plugin without `+"`exportEvents`"+` is not batched unless configured: its `+"`onEvent`"+` and `+"`composeWebhook`"+` see messages as they come. `+"`onEvent`"+` runs when its message's batch is written.

Events named in the reserved key `+"`exportEventsToIgnore`"+` (comma-separated) are left out of `+"`exportEvents`"+` but still reach `+"`onEvent`"+` and `+"`composeWebhook`"+`.

### Event shapes

`+"`onEvent`"+` and `+"`exportEvents`"+` get a `+"`ProcessedPluginEvent`"+`, with keys in this order:

| Field | From the message |
|---|---|
| `+"`distinct_id`"+` | `+"`distinct_id`"+` (a number becomes a string) |
| `+"`ip`"+` | `+"`ip`"+` when a non-empty string, else `+"`properties.$ip`"+`, else `+"`null`"+` |
| `+"`team_id`"+` | `+"`team_id`"+`, else this output's `+"`team_id`"+` field; omitted when neither is set |
| `+"`event`"+` | `+"`event`"+` |
| `+"`properties`"+` | `+"`properties`"+` with its keys in the message's order (`+"`{}`"+` when missing); a top-level `+"`$set`"+` / `+"`$set_once`"+` is merged into `+"`properties.$set`"+` / `+"`$set_once`"+`, `+"`ip`"+` is copied to `+"`$ip`"+` when that is unset, and `+"`$elements`"+` moves to `+"`elements`"+`, as ingestion did |
| `+"`timestamp`"+` | a string: `+"`timestamp`"+`, else `+"`now`"+`, else the time the output received the message (a number is taken as milliseconds since the epoch) |
| `+"`$set`"+`, `+"`$set_once`"+` | `+"`properties.$set`"+`, `+"`properties.$set_once`"+`, when present |
| `+"`uuid`"+` | `+"`uuid`"+`; when missing, a UUIDv7 picked once per message, the same for every function and retry |
| `+"`person`"+` | `+"`person`"+`, when present |
| `+"`elements`"+` | autocapture elements (`+"`{tag_name, text, $el_text, href, attr_id, attr_class, nth_child, nth_of_type, attributes, order}`"+`) parsed from `+"`properties.$elements`"+`, else from the chain string in `+"`elements_chain`"+` or `+"`properties.$elements_chain`"+`, else the message's own `+"`elements`"+` array; omitted when there are none |

Other top-level fields (`+"`now`, `sent_at`, `site_url`, `offset`, `api_key`"+`, …) are not passed on. `+"`composeWebhook`"+` gets a `+"`PostHogEvent`"+`:

| Field | From the message |
|---|---|
| `+"`uuid`, `event`, `team_id`, `distinct_id`"+` | as above |
| `+"`properties`"+` | as above (`+"`$set`, `$set_once`, `$ip`"+` inside), except that `+"`$elements_chain`"+` holds the elements chain, as PostHog stored it: the message's `+"`elements_chain`"+`, else `+"`properties.$elements`"+` written in PostHog's chain format (`+"`tag.class:key=\"value\"…`"+`, elements joined by `+"`;`"+`), which then leaves `+"`properties`"+` |
| `+"`timestamp`"+` | a JavaScript `+"`Date`"+` of the timestamp above |
| `+"`groups`"+` | `+"`properties.$groups`"+` when it is an object, else `+"`{}`"+` |

### Start and shutdown

The plugin is loaded and its config validated when the pipeline is built: config errors stop start-up. `+"`setupPlugin`"+` runs when the output connects, so the rest of the stream starts meanwhile; a `+"`RetryError`"+` is retried as `+"`setup_retry_initial_interval`"+` and `+"`setup_max_retries`"+` say, and messages wait. When `+"`setupPlugin`"+` fails for good the output stays disconnected, logging the plugin's message, and tries again after the last setup interval.

When the input ends, Benthos writes the pending batch (once its period has passed) before the output closes; `+"`teardownPlugin`"+` then runs on each VM, bounded by `+"`timeout`"+`. A stream stopped before the batch period ends (Benthos waits up to three quarters of `+"`shutdown_timeout`"+`) nacks the pending batch instead of exporting it, so keep `+"`shutdown_timeout`"+` well above the batch period.

### Captures, jobs and metrics

`+"`posthog.capture`"+` inside these functions has no stream to join: the event is dropped, counted in `+"`posthog_plugin_output_captures_dropped`"+` and logged once (capture from the `+"`posthog_plugin`"+` processor or a `+"`posthog_schedule`"+` input instead). `+"`meta.jobs`"+` enqueue as usual.

Metrics, labelled with `+"`plugin`"+` (its name) and `+"`plugin_config_id`"+`: `+"`posthog_plugin_output_seen`"+` (messages written to the output), `+"`posthog_plugin_output_delivered`"+` (acked), `+"`posthog_plugin_output_failed`"+` (nacked), `+"`posthog_plugin_output_retried`"+` (events retried, by `+"`function`"+`), `+"`posthog_plugin_output_errors`"+` (logged `+"`onEvent`"+` errors), `+"`posthog_plugin_output_batches`"+` and `+"`posthog_plugin_output_batch_size`"+` (`+"`exportEvents`"+` calls and the size of the last), `+"`posthog_plugin_output_call_duration_ns`"+` (each attempt, by `+"`function`"+`). The plugin's own `+"`metrics`"+` export is reported as for the processor.`).
		Fields(pluginconf.Fields()...).
		Fields(
			service.NewBatchPolicyField(ppoFieldBatching).
				Description("Overrides how messages are batched for `exportEvents` (set a `period` along with a `count` or `byte_size`). Left empty, batches follow the plugin's `exportEventsBufferBytes` and `exportEventsBufferSeconds` (see Batching)."),
			service.NewOutputMaxInFlightField().
				Description("How many batches are written at once. A batch whose events are being retried keeps its slot.").
				Default(8),
			service.NewDurationField(ppoFieldRetryInitial).
				Description("How long to wait before retrying an event (or a batch) whose `onEvent`, `exportEvents` or webhook asked to be retried; each further retry waits twice as long.").
				Default("5s").
				Example("500ms"),
			service.NewIntField(ppoFieldMaxRetries).
				Description("How many times an event (or a batch) is retried before its messages fail. 0 means a single attempt.").
				Default(3).
				LintRule(`root = if this < 0 { ["max_retries must be 0 or more"] }`),
		).
		Example("Dead-letter output for failed events", "Events the plugin could not export, even after retries, are written to a file instead of being replayed through the pipeline.", `
input:
  http_server:
    path: /events
pipeline:
  processors:
    - posthog_plugin:
        path: ./plugins/geoip
        geoip_database: ./GeoLite2-City.mmdb
output:
  fallback:
    - posthog_plugin:
        path: ./plugins/s3-export
        config:
          awsAccessKey: ${AWS_ACCESS_KEY}
          awsSecretAccessKey: ${AWS_SECRET_KEY}
          s3BucketName: my-events
          exportEventsBufferSeconds: "60"
        max_retries: 3
    - file:
        path: ./dead-letter.jsonl
        codec: lines
`).
		Example("A webhook app", "A 2023 app exporting `composeWebhook`: hogpipe sends the request it composes for each event, in batches of up to 100 events written 10 at a time.", `
input:
  stdin:
    scanner:
      lines: {}
output:
  posthog_plugin:
    path: ./plugins/webhook
    config:
      url: https://hooks.example.com/posthog
    batching:
      count: 100
      period: 1s
    max_in_flight: 10
`)
}

func init() {
	service.MustRegisterBatchOutput("posthog_plugin", pluginOutputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			return newPluginOutputFromParsed(conf, mgr)
		})
}

//------------------------------------------------------------------------------

type pluginOutput struct {
	instance *pluginconf.Instance
	info     pluginhost.ExportInfo
	log      *service.Logger
	failures *logonce.Log // retries and errors, logged once per cause
	name     string       // plugin name, a metric label
	configID string       // plugin_config_id, a metric label

	retryInitial time.Duration
	maxRetries   int
	concurrency  int // webhook requests of one batch at once
	timeout      time.Duration

	connectMu sync.Mutex
	mu        sync.Mutex
	pool      *pluginhost.Pool
	closed    bool

	shutdown context.Context // ends when Close starts
	stop     context.CancelFunc

	m pluginOutMetrics
}

type pluginOutMetrics struct {
	seen, delivered, failed, captured, batches *service.MetricCounter
	retried, errors                            *service.MetricCounter
	batchSize                                  *service.MetricGauge
	duration                                   *service.MetricTimer
}

func newPluginOutputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (*pluginOutput, service.BatchPolicy, int, error) {
	policy, err := conf.FieldBatchPolicy(ppoFieldBatching)
	if err != nil {
		return nil, policy, 0, err
	}
	maxInFlight, err := conf.FieldMaxInFlight()
	if err != nil {
		return nil, policy, 0, err
	}
	o := &pluginOutput{}
	if o.retryInitial, err = conf.FieldDuration(ppoFieldRetryInitial); err != nil {
		return nil, policy, 0, err
	}
	if o.maxRetries, err = conf.FieldInt(ppoFieldMaxRetries); err != nil {
		return nil, policy, 0, err
	}
	if o.concurrency, err = conf.FieldInt(pluginconf.FieldConcurrency); err != nil {
		return nil, policy, 0, err
	}
	if o.timeout, err = conf.FieldDuration(pluginconf.FieldTimeout); err != nil {
		return nil, policy, 0, err
	}
	o.concurrency = max(o.concurrency, 1)

	if o.instance, err = pluginconf.Load(conf, mgr, false); err != nil {
		return nil, policy, 0, err
	}
	plugin := o.instance.Plugin
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	o.info, err = plugin.Inspect(ctx)
	cancel()
	if err == nil && !o.info.OnEvent && !o.info.ExportEvents && !o.info.ComposeWebhook {
		err = fmt.Errorf("plugin %q exports none of onEvent, exportEvents and composeWebhook, so it cannot be an output (a processEvent plugin belongs in the posthog_plugin processor)", plugin.Name())
	}
	if err != nil {
		_ = o.instance.Close()
		return nil, policy, 0, err
	}

	o.name = plugin.Name()
	o.configID = strconv.FormatInt(plugin.PluginConfigID(), 10)
	o.log = mgr.Logger().With("plugin", o.name)
	o.failures = logonce.New(o.log, logonce.Options{})
	o.shutdown, o.stop = context.WithCancel(context.Background())

	m := mgr.Metrics()
	o.m = pluginOutMetrics{
		seen:      m.NewCounter("posthog_plugin_output_seen", "plugin", "plugin_config_id"),
		delivered: m.NewCounter("posthog_plugin_output_delivered", "plugin", "plugin_config_id"),
		failed:    m.NewCounter("posthog_plugin_output_failed", "plugin", "plugin_config_id"),
		captured:  m.NewCounter("posthog_plugin_output_captures_dropped", "plugin", "plugin_config_id"),
		batches:   m.NewCounter("posthog_plugin_output_batches", "plugin", "plugin_config_id"),
		retried:   m.NewCounter("posthog_plugin_output_retried", "plugin", "plugin_config_id", "function"),
		errors:    m.NewCounter("posthog_plugin_output_errors", "plugin", "plugin_config_id", "function"),
		batchSize: m.NewGauge("posthog_plugin_output_batch_size", "plugin", "plugin_config_id"),
		duration:  m.NewTimer("posthog_plugin_output_call_duration_ns", "plugin", "plugin_config_id", "function"),
	}

	if policy.IsNoop() && o.info.ExportEvents {
		size, period := plugin.ExportBuffer()
		if o.info.HandlesLargeBatches {
			size = min(size*ppoLargeBatchFactor, pluginhost.ExportBufferBytesMax)
		}
		policy = service.BatchPolicy{ByteSize: size, Period: period.String()}
		o.log.Debugf("exportEvents batches: up to %d bytes or %s", size, period)
	}
	return o, policy, maxInFlight, nil
}

//------------------------------------------------------------------------------

// Connect starts the plugin's VMs, running setupPlugin (with its retries).
func (o *pluginOutput) Connect(ctx context.Context) error {
	o.connectMu.Lock()
	defer o.connectMu.Unlock()
	o.mu.Lock()
	connected, closed := o.pool != nil, o.closed
	o.mu.Unlock()
	if connected {
		return nil
	}
	if closed {
		return errors.New("output is closed")
	}
	pool, err := o.instance.StartPool(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		// Benthos would try again within a second; a plugin that failed to
		// set up is given the time of its longest setup back-off instead.
		return service.NewErrBackOff(fmt.Errorf("start plugin: %w", err), max(o.instance.SetupRetry().Last(), time.Second))
	}
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		_ = pool.Close(ctx)
		return errors.New("output is closed")
	}
	o.pool = pool
	o.mu.Unlock()
	return nil
}

// WriteBatch runs the plugin's output functions on the batch and reports
// the messages that failed, each with its own error.
func (o *pluginOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	o.mu.Lock()
	pool := o.pool
	o.mu.Unlock()
	if pool == nil {
		return service.ErrNotConnected
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(o.shutdown, cancel)()

	o.m.seen.Incr(int64(len(batch)), o.name, o.configID)
	received := time.Now()
	events := make([]pluginhost.OutputEvent, len(batch))
	for i, msg := range batch {
		data, err := msg.AsBytes()
		if err != nil {
			data = nil // fails as not a JSON object
		}
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("generate uuid: %w", err)
		}
		events[i] = pluginhost.OutputEvent{Data: data, UUID: id.String(), Received: received}
	}

	var exported, hooked ppoDelivery
	var onEventErrs []error
	var wg sync.WaitGroup
	if o.info.ExportEvents {
		wg.Go(func() { exported = o.exportEvents(ctx, pool, events) })
	}
	if o.info.ComposeWebhook {
		wg.Go(func() { hooked = o.webhooks(ctx, pool, events) })
	}
	if o.info.OnEvent {
		wg.Go(func() { onEventErrs = o.onEvents(ctx, pool, events) })
	}
	wg.Wait()

	var batchErr *service.BatchError
	failed := 0
	for i := range batch {
		err := exported.err(i)
		if hookErr := hooked.err(i); err == nil {
			err = hookErr
		} else if hookErr != nil && hookErr.Error() != err.Error() {
			err = errors.Join(err, hookErr)
		}
		if err == nil && !exported.done(i) && !hooked.done(i) && onEventErrs != nil {
			err = onEventErrs[i]
		}
		if err == nil {
			continue
		}
		if batchErr == nil {
			batchErr = service.NewBatchError(batch, fmt.Errorf("plugin %q failed to export some messages: %w", o.name, err))
		}
		batchErr = batchErr.Failed(i, err)
		failed++
	}
	o.m.delivered.Incr(int64(len(batch)-failed), o.name, o.configID)
	if batchErr == nil {
		return nil
	}
	o.m.failed.Incr(int64(failed), o.name, o.configID)
	return batchErr
}

// Close runs teardownPlugin on every VM (bounded by timeout) and releases
// the plugin. Benthos has written the last batch by now.
func (o *pluginOutput) Close(ctx context.Context) error {
	o.stop()
	o.failures.Flush()
	o.mu.Lock()
	pool, closed := o.pool, o.closed
	o.pool, o.closed = nil, true
	o.mu.Unlock()
	if closed {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout+time.Second)
	defer cancel()
	var err error
	if pool != nil {
		err = pool.Close(ctx)
	}
	if closeErr := o.instance.Close(); err == nil {
		err = closeErr
	}
	return err
}

//------------------------------------------------------------------------------

// ppoDelivery is what one export path (exportEvents or webhooks) made of
// each message: delivered, or failed with an error. Nil means the path did
// not run.
type ppoDelivery struct {
	errs      []error
	delivered []bool
}

func (d ppoDelivery) err(i int) error {
	if d.errs == nil {
		return nil
	}
	return d.errs[i]
}

func (d ppoDelivery) done(i int) bool { return d.delivered != nil && d.delivered[i] }

// ppoOutcome is one event's attempt: its error, and whether to retry it.
type ppoOutcome struct {
	err   error
	retry bool
}

func (o *pluginOutput) onEvents(ctx context.Context, pool *pluginhost.Pool, events []pluginhost.OutputEvent) []error {
	return o.withRetries(ctx, "onEvent", len(events), func(ctx context.Context, idx []int) ([]ppoOutcome, error) {
		res, err := pool.OnEvents(ctx, ppoPick(events, idx))
		if err != nil {
			return nil, err
		}
		o.countCaptures(res.Captured)
		outs := make([]ppoOutcome, len(idx))
		for j, ev := range res.Events {
			switch {
			case ev.Err == nil:
			case pluginhost.IsRetry(ev.Err):
				outs[j] = ppoOutcome{err: ev.Err, retry: true}
			case errors.Is(ev.Err, pluginhost.ErrNotJSONObject):
				outs[j] = ppoOutcome{err: ev.Err}
			default:
				// The original server's single attempt: logged, not retried,
				// and the message is acked.
				o.m.errors.Incr(1, o.name, o.configID, "onEvent")
				o.failures.Failed(logonce.Error, o.scope("onEvent"), ev.Err, "%v", ev.Err)
			}
		}
		return outs, nil
	})
}

func (o *pluginOutput) exportEvents(ctx context.Context, pool *pluginhost.Pool, events []pluginhost.OutputEvent) ppoDelivery {
	d := ppoDelivery{delivered: make([]bool, len(events))}
	d.errs = o.withRetries(ctx, "exportEvents", len(events), func(ctx context.Context, idx []int) ([]ppoOutcome, error) {
		res, err := pool.ExportEvents(ctx, ppoPick(events, idx))
		if err != nil {
			return nil, err
		}
		o.countCaptures(res.Captured)
		outs := make([]ppoOutcome, len(idx))
		called := 0
		for j, ev := range res.Events {
			outs[j] = ppoOutcome{err: ev.Err, retry: ev.Called && pluginhost.IsRetry(ev.Err)}
			if ev.Called {
				called++
				d.delivered[idx[j]] = ev.Err == nil
			}
		}
		if called > 0 {
			o.m.batches.Incr(1, o.name, o.configID)
			o.m.batchSize.Set(int64(called), o.name, o.configID)
		}
		return outs, nil
	})
	return d
}

func (o *pluginOutput) webhooks(ctx context.Context, pool *pluginhost.Pool, events []pluginhost.OutputEvent) ppoDelivery {
	d := ppoDelivery{delivered: make([]bool, len(events))}
	d.errs = o.withRetries(ctx, "composeWebhook", len(events), func(ctx context.Context, idx []int) ([]ppoOutcome, error) {
		res, err := pool.ComposeWebhooks(ctx, ppoPick(events, idx))
		if err != nil {
			return nil, err
		}
		o.countCaptures(res.Captured)
		outs := make([]ppoOutcome, len(idx))
		sem := make(chan struct{}, o.concurrency)
		var wg sync.WaitGroup
		for j, ev := range res.Events {
			switch {
			case ev.Err != nil:
				outs[j] = ppoOutcome{err: ev.Err, retry: pluginhost.IsRetry(ev.Err)}
			case ev.Webhook != nil:
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					outs[j] = o.send(ctx, ev.Webhook)
					d.delivered[idx[j]] = outs[j].err == nil
				})
			}
		}
		wg.Wait()
		return outs, nil
	})
	return d
}

// send performs a webhook request. 2xx and 3xx deliver; 429, 5xx and
// network errors ask for a retry; other answers fail.
func (o *pluginOutput) send(ctx context.Context, hook *pluginhost.Webhook) ppoOutcome {
	plugin := o.instance.Plugin
	answer, err := plugin.SendWebhook(ctx, hook)
	if err != nil {
		err = errors.New(plugin.Config().Redact(fmt.Sprintf("plugin %q: webhook %s %s: %v", o.name, hook.Method, ppoRedactURL(hook.URL), err)))
		return ppoOutcome{err: err, retry: !errors.Is(err, pluginhost.ErrWebhookRefused)}
	}
	if answer.StatusCode < 400 {
		return ppoOutcome{}
	}
	err = errors.New(plugin.Config().Redact(fmt.Sprintf("plugin %q: webhook %s %s answered %s: %s",
		o.name, hook.Method, ppoRedactURL(hook.URL), answer.Status, bytes.TrimSpace(answer.Body))))
	return ppoOutcome{err: err, retry: answer.StatusCode == http.StatusTooManyRequests || answer.StatusCode >= 500}
}

// ppoRedactURL hides a password in a URL's user info.
func ppoRedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// withRetries calls attempt with the indexes of the events still pending,
// first all of them, then those whose outcome asked for a retry, after
// retry_initial_interval doubling each time, at most max_retries times. It
// returns each event's final error (nil: done).
func (o *pluginOutput) withRetries(ctx context.Context, function string, n int, attempt func(ctx context.Context, idx []int) ([]ppoOutcome, error)) []error {
	final := make([]error, n)
	pending := make([]int, n)
	for i := range pending {
		pending[i] = i
	}
	wait := o.retryInitial
	for try := 0; ; try++ {
		start := time.Now()
		outs, err := attempt(ctx, pending)
		o.m.duration.Timing(time.Since(start).Nanoseconds(), o.name, o.configID, function)
		if err != nil {
			// The plugin could not be run at all (shutting down).
			for _, i := range pending {
				final[i] = fmt.Errorf("plugin %q: %s: %w", o.name, function, err)
			}
			return final
		}
		var again []int
		failed := false
		for j, out := range outs {
			i := pending[j]
			final[i] = out.err
			failed = failed || out.err != nil
			if out.retry {
				again = append(again, i)
			}
		}
		if !failed {
			o.failures.Recovered(o.scope(function))
		}
		if len(again) == 0 {
			return final
		}
		if try >= o.maxRetries {
			for _, i := range again {
				final[i] = fmt.Errorf("gave up after %d retries: %w", o.maxRetries, final[i])
			}
			return final
		}
		o.m.retried.Incr(int64(len(again)), o.name, o.configID, function)
		o.failures.Failed(logonce.Warn, o.scope(function), final[again[0]],
			"%v; retrying %d event(s) in %s (retry %d of %d)", final[again[0]], len(again), wait, try+1, o.maxRetries)
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			for _, i := range again {
				final[i] = fmt.Errorf("retry interrupted (%w): %w", ctx.Err(), final[i])
			}
			return final
		}
		wait *= 2
		pending = again
	}
}

// scope names a function of the plugin in the lines of o.failures.
func (o *pluginOutput) scope(function string) string {
	return fmt.Sprintf("plugin %q: %s", o.name, function)
}

func (o *pluginOutput) countCaptures(n int64) {
	if n > 0 {
		o.m.captured.Incr(n, o.name, o.configID)
	}
}

func ppoPick(events []pluginhost.OutputEvent, idx []int) []pluginhost.OutputEvent {
	if len(idx) == len(events) {
		return events
	}
	out := make([]pluginhost.OutputEvent, len(idx))
	for j, i := range idx {
		out[j] = events[i]
	}
	return out
}
