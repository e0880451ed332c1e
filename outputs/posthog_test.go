package outputs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/hogpipe/hogpipe/inputs" // posthog_capture, for the round trip
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
)

// phOutRequest is one request a fake PostHog received.
type phOutRequest struct {
	contentEncoding string
	contentType     string
	body            []byte            // decompressed
	APIKey          string            `json:"api_key"`
	Batch           []json.RawMessage `json:"batch"`
}

// phOutFakePostHog answers /batch/ with the statuses it is given in turn
// (200 once they run out) and records what it received.
type phOutFakePostHog struct {
	t        *testing.T
	mu       sync.Mutex
	statuses []int
	headers  []map[string]string
	requests []phOutRequest
	srv      *httptest.Server
}

func phOutNewFake(t *testing.T, statuses ...int) *phOutFakePostHog {
	t.Helper()
	f := &phOutFakePostHog{t: t, statuses: statuses}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *phOutFakePostHog) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if assert.NoError(f.t, err) {
			body, _ = io.ReadAll(zr)
		}
	}
	req := phOutRequest{contentEncoding: r.Header.Get("Content-Encoding"), contentType: r.Header.Get("Content-Type"), body: body}
	assert.NoError(f.t, json.Unmarshal(body, &req), string(body))
	assert.Equal(f.t, "/batch/", r.URL.Path)

	f.mu.Lock()
	f.requests = append(f.requests, req)
	status := http.StatusOK
	if len(f.statuses) > 0 {
		status, f.statuses = f.statuses[0], f.statuses[1:]
	}
	var hdr map[string]string
	if len(f.headers) > 0 {
		hdr, f.headers = f.headers[0], f.headers[1:]
	}
	f.mu.Unlock()

	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
	if status == http.StatusOK {
		_, _ = io.WriteString(w, `{"status":1}`)
	} else {
		_, _ = io.WriteString(w, `{"type":"validation_error","detail":"nope `+http.StatusText(status)+`"}`)
	}
}

func (f *phOutFakePostHog) received() []phOutRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]phOutRequest(nil), f.requests...)
}

func phOutNew(t *testing.T, yaml string) *phOutput {
	t.Helper()
	conf, err := phOutputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	o, _, _, err := newPHOutputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	require.NoError(t, o.Connect(t.Context()))
	t.Cleanup(func() { assert.NoError(t, o.Close(context.Background())) })
	return o
}

func phOutBatch(events ...string) service.MessageBatch {
	b := make(service.MessageBatch, len(events))
	for i, e := range events {
		b[i] = service.NewMessage([]byte(e))
	}
	return b
}

const phOutFastRetries = `
retry_backoff:
  initial_interval: 10ms
  max_interval: 50ms
  max_elapsed_time: 10s
`

//------------------------------------------------------------------------------

func TestPHOutputConfig(t *testing.T) {
	for yaml, msg := range map[string]string{
		"url: http://x":                     "api_key is required unless use_event_api_key is true",
		"url: 'localhost:8000'\napi_key: k": "url must be an http(s) URL",
		"api_key: k\nmax_retries: -1":       "max_retries must not be negative",
	} {
		conf, err := phOutputSpec().ParseYAML(yaml, nil)
		require.NoError(t, err, yaml)
		_, _, _, err = newPHOutputFromParsed(conf, service.MockResources())
		assert.ErrorContains(t, err, msg, yaml)
	}

	for _, yaml := range []string{
		"posthog: {api_key: k, compression: brotli}",
		"posthog: {api_key: k, unknown_field: 1}",
	} {
		assert.Error(t, service.NewStreamBuilder().AddOutputYAML(yaml), yaml)
	}

	conf, err := phOutputSpec().ParseYAML("api_key: k\nbatching: {count: 50, period: 1s}", nil)
	require.NoError(t, err)
	o, policy, maxInFlight, err := newPHOutputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	assert.Equal(t, "https://us.i.posthog.com/batch/", o.endpoint)
	assert.Equal(t, 50, policy.Count)
	assert.Equal(t, 8, maxInFlight)
	assert.True(t, o.gzip)
}

func TestPHOutputWriteBatch(t *testing.T) {
	testutil.NoLeaks(t)
	fake := phOutNewFake(t)
	o := phOutNew(t, "url: "+fake.srv.URL+"/\napi_key: phc_conf")

	err := o.WriteBatch(t.Context(), phOutBatch(
		`{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","event":"$pageview","distinct_id":"u1",`+
			`"properties":{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten"},"timestamp":"2024-05-06T07:08:09.123Z",`+
			`"ip":"203.0.113.7","site_url":"http://x","team_id":3,"now":"2024-05-06T07:08:10.000Z",`+
			`"sent_at":"2024-05-06T07:08:09.500Z","api_key":"phc_event","$set":{"b":1}}`,
		`{"event":"second","distinct_id":42,"properties":{"$ip":"198.51.100.1"},"ip":"203.0.113.7"}`,
	))
	require.NoError(t, err)

	reqs := fake.received()
	require.Len(t, reqs, 1)
	assert.Equal(t, "gzip", reqs[0].contentEncoding)
	assert.Equal(t, "application/json", reqs[0].contentType)
	assert.Equal(t, "phc_conf", reqs[0].APIKey)
	require.Len(t, reqs[0].Batch, 2)
	assert.Equal(t, `{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","event":"$pageview","distinct_id":"u1",`+
		`"properties":{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten","$ip":"203.0.113.7"},"timestamp":"2024-05-06T07:08:09.123Z",`+
		`"$set":{"b":1}}`, string(reqs[0].Batch[0]))
	assert.Equal(t, `{"event":"second","distinct_id":42,"properties":{"$ip":"198.51.100.1"}}`, string(reqs[0].Batch[1]))
	assert.NotContains(t, string(reqs[0].body), "sent_at")
}

func TestPHOutputBadMessages(t *testing.T) {
	fake := phOutNewFake(t)
	o := phOutNew(t, "url: "+fake.srv.URL+"\napi_key: k\ncompression: none")

	err := o.WriteBatch(t.Context(), phOutBatch(
		`{"event":"ok","distinct_id":"a"}`,
		`not json`,
		`["array"]`,
		`{"event":"ok2","distinct_id":"b"}`,
		`{"distinct_id":"c"}`,
	))
	var berr *service.BatchError
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, 3, berr.IndexedErrors())

	batch := phOutBatch(`{"event":"ok","distinct_id":"a"}`, `not json`, `{"distinct_id":"c"}`)
	index := batch.Index()
	err = o.WriteBatch(t.Context(), batch)
	require.ErrorAs(t, err, &berr)
	errs := map[int]error{}
	berr.WalkMessagesIndexedBy(index, func(i int, _ *service.Message, err error) bool {
		errs[i] = err
		return true
	})
	assert.NoError(t, errs[0])
	assert.ErrorContains(t, errs[1], "invalid JSON")
	assert.ErrorContains(t, errs[2], "missing event name")

	reqs := fake.received()
	require.Len(t, reqs, 2)
	assert.Empty(t, reqs[0].contentEncoding)
	assert.Len(t, reqs[0].Batch, 2)
	assert.Len(t, reqs[1].Batch, 1)
}

func TestPHOutputEventAPIKeys(t *testing.T) {
	fake := phOutNewFake(t)
	o := phOutNew(t, "url: "+fake.srv.URL+"\nuse_event_api_key: true")

	batch := phOutBatch(
		`{"event":"a","distinct_id":"d","api_key":"k1"}`,
		`{"event":"b","distinct_id":"d","token":"k2"}`,
		`{"event":"c","distinct_id":"d","api_key":"k1"}`,
		`{"event":"d","distinct_id":"d","properties":{"token":"k2"}}`,
		`{"event":"e","distinct_id":"d"}`,
	)
	err := o.WriteBatch(t.Context(), batch)
	var berr *service.BatchError
	require.ErrorAs(t, err, &berr)
	assert.Equal(t, 1, berr.IndexedErrors())

	reqs := fake.received()
	require.Len(t, reqs, 2)
	assert.Equal(t, "k1", reqs[0].APIKey)
	assert.Equal(t, "k2", reqs[1].APIKey)
	var names []string
	for _, r := range reqs {
		for _, e := range r.Batch {
			var ev struct{ Event string }
			require.NoError(t, json.Unmarshal(e, &ev))
			names = append(names, ev.Event)
		}
	}
	assert.Equal(t, []string{"a", "c", "b", "d"}, names)
}

func TestPHOutputRetries(t *testing.T) {
	testutil.NoLeaks(t)
	event := `{"event":"a","distinct_id":"d"}`

	t.Run("5xx then success", func(t *testing.T) {
		fake := phOutNewFake(t, 503, 500, 200)
		o := phOutNew(t, "url: "+fake.srv.URL+"\napi_key: k"+phOutFastRetries)
		require.NoError(t, o.WriteBatch(t.Context(), phOutBatch(event)))
		assert.Len(t, fake.received(), 3)
	})

	t.Run("429 with Retry-After", func(t *testing.T) {
		fake := phOutNewFake(t, 429, 200)
		fake.headers = []map[string]string{{"Retry-After": "1"}}
		o := phOutNew(t, "url: "+fake.srv.URL+"\napi_key: k"+phOutFastRetries)
		var log bytes.Buffer // only WriteBatch writes, and it returns before we read
		o.log = service.NewLoggerFromSlog(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))
		require.NoError(t, o.WriteBatch(t.Context(), phOutBatch(event)))
		assert.Len(t, fake.received(), 2)
		assert.Contains(t, log.String(), "Retrying PostHog batch in 1s:", "the wait is Retry-After's, not the 10ms back-off")
	})

	t.Run("4xx fails at once", func(t *testing.T) {
		fake := phOutNewFake(t, 400)
		o := phOutNew(t, "url: "+fake.srv.URL+"\napi_key: k"+phOutFastRetries)
		err := o.WriteBatch(t.Context(), phOutBatch(event))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "posthog answered 400 Bad Request")
		assert.Contains(t, err.Error(), "nope Bad Request")
		assert.Len(t, fake.received(), 1)
	})

	t.Run("gives up after max_retries", func(t *testing.T) {
		fake := phOutNewFake(t, 502, 502, 502, 502)
		o := phOutNew(t, "url: "+fake.srv.URL+"\napi_key: k\nmax_retries: 2"+phOutFastRetries)
		err := o.WriteBatch(t.Context(), phOutBatch(event))
		require.ErrorContains(t, err, "giving up after 3 attempts")
		assert.ErrorContains(t, err, "502 Bad Gateway")
		assert.Len(t, fake.received(), 3)
	})

	t.Run("Retry-After beyond max_elapsed_time", func(t *testing.T) {
		fake := phOutNewFake(t, 503)
		fake.headers = []map[string]string{{"Retry-After": "120"}}
		o := phOutNew(t, "url: "+fake.srv.URL+"\napi_key: k"+phOutFastRetries)
		err := o.WriteBatch(t.Context(), phOutBatch(event))
		require.ErrorContains(t, err, "the server asks to wait 2m0s")
		assert.Len(t, fake.received(), 1)
	})

	t.Run("network errors", func(t *testing.T) {
		o := phOutNew(t, "url: http://"+testutil.FreeAddr(t)+"\napi_key: k\nmax_retries: 2"+phOutFastRetries)
		err := o.WriteBatch(t.Context(), phOutBatch(event))
		require.ErrorContains(t, err, "giving up after 3 attempts")
		assert.ErrorContains(t, err, "connection refused")
	})

	t.Run("cancelled while waiting", func(t *testing.T) {
		fake := phOutNewFake(t, 503, 503)
		fake.headers = []map[string]string{{"Retry-After": "5"}}
		o := phOutNew(t, "url: "+fake.srv.URL+"\napi_key: k")
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		err := o.WriteBatch(ctx, phOutBatch(event))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, "(last error: posthog answered 503", "the 5s wait ended with the context")
		assert.Len(t, fake.received(), 1)
	})

	t.Run("slow server times out and is retried", func(t *testing.T) {
		var calls int
		var mu sync.Mutex
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			first := calls == 1
			mu.Unlock()
			_, _ = io.ReadAll(r.Body) // so that the server notices the client leaving
			if first {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return
			}
			_, _ = io.WriteString(w, `{"status":1}`)
		}))
		defer srv.Close()
		o := phOutNew(t, "url: "+srv.URL+"\napi_key: k\ntimeout: 200ms"+phOutFastRetries)
		require.NoError(t, o.WriteBatch(t.Context(), phOutBatch(event)))
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 2, calls)
	})
}

func TestPHOutputParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	assert.Equal(t, 3*time.Second, phOutParseRetryAfter("3", now))
	assert.Equal(t, time.Duration(0), phOutParseRetryAfter("", now))
	assert.Equal(t, time.Duration(0), phOutParseRetryAfter("soon", now))
	assert.Equal(t, time.Duration(0), phOutParseRetryAfter("-4", now))
	assert.Equal(t, time.Hour, phOutParseRetryAfter("999999", now))
	assert.Equal(t, 10*time.Second, phOutParseRetryAfter(now.Add(10*time.Second).Format(http.TimeFormat), now))
	assert.Equal(t, time.Duration(0), phOutParseRetryAfter(now.Add(-time.Minute).Format(http.TimeFormat), now))
}

//------------------------------------------------------------------------------

// TestPHOutputRoundTrip sends events through the posthog output into a
// posthog_capture input and checks that they arrive unchanged.
func TestPHOutputRoundTrip(t *testing.T) {
	testutil.NoLeaks(t)
	addr := testutil.FreeAddr(t)

	// Receiving side: posthog_capture -> channel.
	in := service.NewStreamBuilder()
	require.NoError(t, in.SetLoggerYAML("level: warn"))
	require.NoError(t, in.AddInputYAML("posthog_capture:\n  address: "+addr+"\n  api_keys: [phc_round]\n"))
	received := streamtest.Collect(t, in, 16)
	inStream, err := in.Build()
	require.NoError(t, err)

	// Sending side: producer -> posthog.
	out := service.NewStreamBuilder()
	require.NoError(t, out.SetLoggerYAML("level: warn"))
	produce, err := out.AddBatchProducerFunc()
	require.NoError(t, err)
	require.NoError(t, out.AddOutputYAML("posthog:\n  url: http://"+addr+"\n  api_key: phc_round\n"+
		"  batching: {count: 3, period: 100ms}\n"+
		"  retry_backoff: {initial_interval: 50ms, max_interval: 200ms, max_elapsed_time: 10s}\n"))
	outStream, err := out.Build()
	require.NoError(t, err)

	streamtest.Run(t, inStream)
	streamtest.Run(t, outStream)

	events := []string{
		`{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a01","event":"$pageview","distinct_id":"user-1",` +
			`"properties":{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten","$current_url":"https://shop.example/"},` +
			`"timestamp":"2024-05-06T07:08:09.123Z","ip":"203.0.113.7","site_url":"http://old","team_id":1,` +
			`"now":"2024-05-06T07:08:10.000Z","sent_at":"2024-05-06T07:08:09.900Z","api_key":"phc_round"}`,
		`{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a02","event":"order placed","distinct_id":"user-2",` +
			`"properties":{"$ip":"198.51.100.9","total":12.5,"items":[{"sku":"b"},{"sku":"a"}]},` +
			`"timestamp":"2024-05-06T07:00:00.000Z","ip":"203.0.113.8"}`,
		`{"uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a03","event":"$identify","distinct_id":"user-1",` +
			`"properties":{},"$set":{"email":"u@example.com"},"timestamp":"2024-05-06T07:08:11.000Z","ip":"2001:db8::1"}`,
	}
	wantProps := []string{
		`{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten","$current_url":"https://shop.example/","$ip":"203.0.113.7"}`,
		`{"$ip":"198.51.100.9","total":12.5,"items":[{"sku":"b"},{"sku":"a"}]}`,
		`{"$ip":"2001:db8::1"}`,
	}

	// The input may not listen yet: the output retries until it does.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, produce(ctx, phOutBatch(events...)))

	got := map[string]*service.Message{}
	for len(got) < len(events) {
		select {
		case m := <-received:
			uuid, _ := m.MetaGet("posthog_uuid")
			got[uuid] = m
		case <-ctx.Done():
			t.Fatalf("received %d of %d events", len(got), len(events))
		}
	}

	type event struct {
		UUID       string          `json:"uuid"`
		Event      string          `json:"event"`
		DistinctID string          `json:"distinct_id"`
		Properties json.RawMessage `json:"properties"`
		Timestamp  string          `json:"timestamp"`
		Set        json.RawMessage `json:"$set"`
		APIKey     string          `json:"api_key"`
	}
	for i, raw := range events {
		var sent event
		require.NoError(t, json.Unmarshal([]byte(raw), &sent))
		m := got[sent.UUID]
		require.NotNil(t, m, sent.UUID)
		b, err := m.AsBytes()
		require.NoError(t, err)
		var arrived event
		require.NoError(t, json.Unmarshal(b, &arrived))
		assert.Equal(t, sent.Event, arrived.Event)
		assert.Equal(t, sent.DistinctID, arrived.DistinctID)
		assert.Equal(t, sent.Timestamp, arrived.Timestamp)
		assert.Equal(t, wantProps[i], string(arrived.Properties), "properties (with $ip) arrive byte for byte")
		assert.Equal(t, string(sent.Set), string(arrived.Set))
		assert.Equal(t, "phc_round", arrived.APIKey)
		compression, _ := m.MetaGet("posthog_compression")
		assert.Equal(t, "gzip", compression)
		path, _ := m.MetaGet("posthog_path")
		assert.Equal(t, "/batch/", path)
	}
}
