// Package outputs holds hogpipe's Benthos outputs.
package outputs

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/capture"
)

const (
	phOutFieldURL             = "url"
	phOutFieldAPIKey          = "api_key"
	phOutFieldUseEventAPIKey  = "use_event_api_key"
	phOutFieldCompression     = "compression"
	phOutFieldTimeout         = "timeout"
	phOutFieldBackoff         = "retry_backoff"
	phOutFieldMaxRetries      = "max_retries"
	phOutFieldTLS             = "tls"
	phOutFieldBatching        = "batching"
	phOutCompressionGzip      = "gzip"
	phOutCompressionNone      = "none"
	phOutMaxErrorBodyExcerpt  = 512
	phOutMaxRetryAfterSeconds = 3600
)

func phOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Sends events to a PostHog host's capture API (`/batch/`), as the PostHog SDKs do.").
		Description(`
Each message must be a JSON object in the `+"`PluginEvent`"+` (or `+"`ProcessedPluginEvent`"+`) shape, as produced by the `+"`posthog_capture`"+` input. The messages of a batch (see `+"`batching`"+`) are sent in one `+"`POST <url>/batch/`"+` request, gzipped unless `+"`compression: none`"+`.

### Mapping

| Event field | Sent to PostHog |
|---|---|
| `+"`event`"+` | kept (must be a non-empty string) |
| `+"`distinct_id`"+` | kept (must be a non-empty string or a number) |
| `+"`properties`"+` | kept byte for byte, so its key order is unchanged |
| `+"`ip`"+` | copied to `+"`properties.$ip`"+` unless that exists, so PostHog geolocates the client rather than this sender |
| `+"`timestamp`"+` | kept; when missing, `+"`now`"+` minus `+"`offset`"+` (milliseconds) is sent, so the capture time is kept |
| `+"`uuid`"+`, `+"`$set`"+`, `+"`$set_once`"+` | kept |
| `+"`team_id`"+`, `+"`site_url`"+`, `+"`now`"+`, `+"`sent_at`"+`, `+"`offset`"+`, `+"`api_key`"+`, `+"`token`"+`, `+"`person`"+`, `+"`elements`"+` and anything else | dropped |

The batch is sent with the configured `+"`api_key`"+`; with `+"`use_event_api_key: true`"+` the events are grouped by their own `+"`api_key`"+` (or `+"`token`"+`, or `+"`properties.token`"+`) and each group is sent with its key. No `+"`sent_at`"+` is sent, so PostHog takes each timestamp as it is.

### Errors and retries

Answers 429, 408 and 5xx, and network errors, are retried with exponential back-off (`+"`retry_backoff`"+`, at most `+"`max_retries`"+` times), waiting at least as long as a `+"`Retry-After`"+` header asks. A 413 (request too large) splits the request in two halves, each sent on its own, down to single events; an event that is too large even alone fails on its own with an error saying so, and the rest of the batch is sent. Other 4xx answers fail the write at once with an error naming the status and the start of the answer's body. A message that is not a JSON object, or lacks `+"`event`"+` or `+"`distinct_id`"+`, fails on its own (the rest of the batch is sent); route such messages elsewhere with a `+"`fallback`"+` or `+"`reject_errored`"+` output if Benthos should not retry them forever.`).
		Fields(
			service.NewURLField(phOutFieldURL).
				Description("The PostHog host; events are sent to `<url>/batch/`.").
				Default("https://us.i.posthog.com").
				Examples("https://us.i.posthog.com", "https://eu.i.posthog.com", "http://localhost:8000"),
			service.NewStringField(phOutFieldAPIKey).
				Description("The project api key (token) events are sent with. Required unless `use_event_api_key` is true.").
				Default("").
				Secret().
				Examples("phc_abc123"),
			service.NewBoolField(phOutFieldUseEventAPIKey).
				Description("Send each event with its own `api_key` (or `token`, or `properties.token`) instead of `api_key`; events without one fail.").
				Default(false).
				Example(true),
			service.NewStringEnumField(phOutFieldCompression, phOutCompressionGzip, phOutCompressionNone).
				Description("How request bodies are compressed.").
				Default(phOutCompressionGzip).
				Example(phOutCompressionNone),
			service.NewDurationField(phOutFieldTimeout).
				Description("The time limit of one request.").
				Default("10s").
				Examples("10s", "30s"),
			service.NewIntField(phOutFieldMaxRetries).
				Description("The most times a request is retried (after 429, 408, 5xx or a network error) before the write fails; `retry_backoff.max_elapsed_time` also bounds the retries.").
				Default(5).
				Examples(0, 10),
			service.NewBackOffField(phOutFieldBackoff, false, &backoff.ExponentialBackOff{
				InitialInterval: 500 * time.Millisecond,
				MaxInterval:     10 * time.Second,
				MaxElapsedTime:  time.Minute,
			}).Advanced(),
			service.NewTLSToggledField(phOutFieldTLS),
			service.NewOutputMaxInFlightField().Default(8),
			service.NewBatchPolicyField(phOutFieldBatching),
		).
		Example("Forward to PostHog Cloud",
			"Send events in batches of up to 100, every second at the latest.",
			`
output:
  posthog:
    url: https://us.i.posthog.com
    api_key: phc_abc123
    batching:
      count: 100
      period: 1s
`).
		Example("Keep each event's project",
			"Send events to a self-hosted PostHog with the api key each event came with.",
			`
output:
  posthog:
    url: https://posthog.example.com
    use_event_api_key: true
    batching:
      count: 100
      period: 1s
`)
}

func init() {
	service.MustRegisterBatchOutput("posthog", phOutputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			return newPHOutputFromParsed(conf, mgr)
		})
}

//------------------------------------------------------------------------------

type phOutput struct {
	log *service.Logger

	endpoint       string
	apiKey         string
	useEventAPIKey bool
	gzip           bool
	timeout        time.Duration
	maxRetries     int
	backoff        backoff.ExponentialBackOff

	transport *http.Transport
	client    *http.Client
}

func newPHOutputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (
	o *phOutput, policy service.BatchPolicy, maxInFlight int, err error,
) {
	o = &phOutput{log: mgr.Logger()}
	var base string
	if base, err = conf.FieldString(phOutFieldURL); err != nil {
		return
	}
	u, perr := url.Parse(base)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		err = fmt.Errorf("%s must be an http(s) URL with a host, got %q", phOutFieldURL, base)
		return
	}
	o.endpoint = strings.TrimRight(base, "/") + "/batch/"
	if o.apiKey, err = conf.FieldString(phOutFieldAPIKey); err != nil {
		return
	}
	if o.useEventAPIKey, err = conf.FieldBool(phOutFieldUseEventAPIKey); err != nil {
		return
	}
	if o.apiKey == "" && !o.useEventAPIKey {
		err = fmt.Errorf("%s is required unless %s is true", phOutFieldAPIKey, phOutFieldUseEventAPIKey)
		return
	}
	var compression string
	if compression, err = conf.FieldString(phOutFieldCompression); err != nil {
		return
	}
	o.gzip = compression == phOutCompressionGzip
	if o.timeout, err = conf.FieldDuration(phOutFieldTimeout); err != nil {
		return
	}
	if o.maxRetries, err = conf.FieldInt(phOutFieldMaxRetries); err != nil {
		return
	}
	if o.maxRetries < 0 {
		err = fmt.Errorf("%s must not be negative", phOutFieldMaxRetries)
		return
	}
	var boff *backoff.ExponentialBackOff
	if boff, err = conf.FieldBackOff(phOutFieldBackoff); err != nil {
		return
	}
	o.backoff = *boff
	var tlsConf *tls.Config
	var tlsEnabled bool
	if tlsConf, tlsEnabled, err = conf.FieldTLSToggled(phOutFieldTLS); err != nil {
		return
	}
	o.transport = http.DefaultTransport.(*http.Transport).Clone()
	if tlsEnabled {
		o.transport.TLSClientConfig = tlsConf
	}
	o.client = &http.Client{Transport: o.transport}
	if maxInFlight, err = conf.FieldMaxInFlight(); err != nil {
		return
	}
	if policy, err = conf.FieldBatchPolicy(phOutFieldBatching); err != nil {
		return
	}
	return o, policy, maxInFlight, nil
}

// Connect has nothing to do: requests are made per batch.
func (o *phOutput) Connect(context.Context) error {
	return nil
}

// WriteBatch sends the batch to /batch/, one request per api key.
func (o *phOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	var batchErr *service.BatchError
	failed := func(i int, err error) {
		if batchErr == nil {
			batchErr = service.NewBatchError(batch, err)
		}
		batchErr.Failed(i, err)
	}

	type group struct {
		indexes []int
		events  [][]byte
	}
	groups := map[string]*group{}
	var keys []string
	for i, msg := range batch {
		raw, err := msg.AsBytes()
		if err != nil {
			failed(i, fmt.Errorf("failed to read message: %w", err))
			continue
		}
		ev, key, err := capture.ToCaptureEvent(raw)
		if err != nil {
			failed(i, err)
			continue
		}
		if !o.useEventAPIKey {
			key = o.apiKey
		} else if key == "" {
			failed(i, errors.New("event has no api_key or token"))
			continue
		}
		g := groups[key]
		if g == nil {
			g = &group{}
			groups[key] = g
			keys = append(keys, key)
		}
		g.indexes = append(g.indexes, i)
		g.events = append(g.events, ev)
	}

	for _, key := range keys {
		g := groups[key]
		o.sendSplitting(ctx, key, g.indexes, g.events, failed)
	}
	if batchErr != nil {
		return batchErr
	}
	return nil
}

// Close releases idle connections.
func (o *phOutput) Close(context.Context) error {
	o.transport.CloseIdleConnections()
	return nil
}

//------------------------------------------------------------------------------

// sendSplitting sends events in one request, or, when PostHog answers 413
// (too large), each half in its own, down to single events: one event too
// large on its own fails with an error saying so, and only it fails.
func (o *phOutput) sendSplitting(ctx context.Context, key string, indexes []int, events [][]byte, failed func(int, error)) {
	err := o.send(ctx, capture.EncodeBatch(key, events))
	if err == nil {
		return
	}
	var tooLarge *phOutTooLarge
	if errors.As(err, &tooLarge) {
		if len(events) > 1 {
			mid := len(events) / 2
			o.log.Debugf("PostHog refused a batch of %d events as too large; sending it in two halves", len(events))
			o.sendSplitting(ctx, key, indexes[:mid], events[:mid], failed)
			o.sendSplitting(ctx, key, indexes[mid:], events[mid:], failed)
			return
		}
		err = fmt.Errorf("event of %d bytes is too large for PostHog even alone: %w", len(events[0]), err)
	}
	for _, i := range indexes {
		failed(i, err)
	}
}

// phOutTooLarge is a 413 answer: the request was too large.
type phOutTooLarge struct{ err error }

func (e *phOutTooLarge) Error() string { return e.err.Error() }
func (e *phOutTooLarge) Unwrap() error { return e.err }

// phOutRetryable is an answer or failure worth retrying, with the wait the
// server asked for (0 when it did not).
type phOutRetryable struct {
	err        error
	retryAfter time.Duration
}

func (e *phOutRetryable) Error() string { return e.err.Error() }
func (e *phOutRetryable) Unwrap() error { return e.err }

// send posts one /batch/ body, retrying with back-off.
func (o *phOutput) send(ctx context.Context, body []byte) error {
	contentEncoding := ""
	if o.gzip {
		z, err := capture.Gzip(body)
		if err != nil {
			return fmt.Errorf("failed to gzip batch: %w", err)
		}
		body, contentEncoding = z, "gzip"
	}

	boff := o.backoff // a copy: one back-off state per send
	boff.Reset()
	for attempt := 0; ; attempt++ {
		err := o.post(ctx, body, contentEncoding)
		var retry *phOutRetryable
		if err == nil || !errors.As(err, &retry) {
			return err
		}
		if attempt >= o.maxRetries {
			return fmt.Errorf("giving up after %d attempts: %w", attempt+1, err)
		}
		wait := boff.NextBackOff()
		if wait == backoff.Stop {
			return fmt.Errorf("giving up after %d attempts in %v: %w", attempt+1, boff.GetElapsedTime().Round(time.Millisecond), err)
		}
		if retry.retryAfter > wait {
			if boff.MaxElapsedTime > 0 && boff.GetElapsedTime()+retry.retryAfter > boff.MaxElapsedTime {
				return fmt.Errorf("giving up: the server asks to wait %v, beyond %s.max_elapsed_time: %w", retry.retryAfter, phOutFieldBackoff, err)
			}
			wait = retry.retryAfter
		}
		o.log.Debugf("Retrying PostHog batch in %v: %v", wait, err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		}
	}
}

// post makes one request; errors worth retrying are *phOutRetryable.
func (o *phOutput) post(ctx context.Context, body []byte, contentEncoding string) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("failed to create request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hogpipe")
	if contentEncoding != "" {
		req.Header.Set("Content-Encoding", contentEncoding)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return err
		}
		return &phOutRetryable{err: fmt.Errorf("failed to send batch to %s: %w", o.endpoint, err)}
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, phOutMaxErrorBodyExcerpt))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("posthog answered %s: %s", resp.Status, strings.TrimSpace(string(excerpt)))
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		return &phOutTooLarge{err: err}
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500 {
		return &phOutRetryable{err: err, retryAfter: phOutParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	return err
}

// phOutParseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func phOutParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(min(secs, phOutMaxRetryAfterSeconds)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), phOutMaxRetryAfterSeconds*time.Second)
	}
	return 0
}
