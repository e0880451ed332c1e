package inputs

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
)

// pcInStart builds an input from YAML (on a free loopback port), connects it
// and closes it when the test ends.
func pcInStart(t *testing.T, yaml string) (*pcInput, string) {
	t.Helper()
	conf, err := pcInputSpec().ParseYAML("address: 127.0.0.1:0\n"+yaml, nil)
	require.NoError(t, err)
	in, err := newPCInputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	require.NoError(t, in.Connect(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, in.Close(ctx))
	})
	scheme := "http"
	if in.tlsConf != nil {
		scheme = "https"
	}
	return in, scheme + "://" + in.addr.String()
}

// pcInServe reads the input's batches until the test ends, acking each with
// what ack returns (nil acks when ack is nil), and hands them to the test.
func pcInServe(t *testing.T, in *pcInput, ack func(service.MessageBatch) error) <-chan service.MessageBatch {
	t.Helper()
	ch := make(chan service.MessageBatch, 64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			b, ackFn, err := in.ReadBatch(ctx)
			if err != nil {
				return
			}
			var res error
			if ack != nil {
				res = ack(b)
			}
			select {
			case ch <- b:
			case <-ctx.Done():
			}
			_ = ackFn(ctx, res)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ch
}

func pcInNext(t *testing.T, ch <-chan service.MessageBatch) service.MessageBatch {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a batch")
		return nil
	}
}

func pcInNone(t *testing.T, ch <-chan service.MessageBatch) {
	t.Helper()
	select {
	case b := <-ch:
		t.Fatalf("unexpected batch of %d messages", len(b))
	case <-time.After(50 * time.Millisecond):
	}
}

type pcInResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r pcInResponse) answer(t *testing.T) pcInAnswer {
	t.Helper()
	var a pcInAnswer
	require.NoError(t, json.Unmarshal(r.body, &a), string(r.body))
	return a
}

// pcInClient returns an HTTP client whose connections are closed when the
// test ends (so goleak sees no idle connection goroutines).
func pcInClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // self-signed test certificate
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 15 * time.Second, Transport: tr}
}

func pcInDo(t *testing.T, c *http.Client, method, u string, body []byte, headers ...string) pcInResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, bytes.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return pcInResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// pcInEvent is a message decoded for checks; Properties keeps its raw bytes.
type pcInEvent struct {
	UUID       string          `json:"uuid"`
	Event      string          `json:"event"`
	DistinctID string          `json:"distinct_id"`
	Properties json.RawMessage `json:"properties"`
	Timestamp  string          `json:"timestamp"`
	IP         *string         `json:"ip"`
	SiteURL    string          `json:"site_url"`
	TeamID     *int64          `json:"team_id"`
	Now        string          `json:"now"`
	SentAt     string          `json:"sent_at"`
	APIKey     string          `json:"api_key"`
	Set        json.RawMessage `json:"$set"`
}

func pcInDecode(t *testing.T, m *service.Message) pcInEvent {
	t.Helper()
	b, err := m.AsBytes()
	require.NoError(t, err)
	var ev pcInEvent
	require.NoError(t, json.Unmarshal(b, &ev), string(b))
	return ev
}

// pcInKeys lists the top-level keys of a JSON object in document order.
func pcInKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

// pcInAssertOrder checks that want appear in keys in this order.
func pcInAssertOrder(t *testing.T, keys, want []string) {
	t.Helper()
	pos := -1
	for _, w := range want {
		i := -1
		for j, k := range keys {
			if k == w {
				i = j
				break
			}
		}
		if !assert.Greater(t, i, pos, "key %q out of order in %v", w, keys) {
			return
		}
		pos = i
	}
}

//------------------------------------------------------------------------------

const pcInTestEvent = `{"event":"e","distinct_id":"d","api_key":"k","properties":{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten"}}`

func TestPCInputConfigErrors(t *testing.T) {
	for yaml, msg := range map[string]string{
		"upstream_url: ftp://x":                         "upstream_url must be an http(s) URL",
		"upstream_assets_url: 'http://'":                "upstream_assets_url must be an http(s) URL",
		"ack_timeout: 0s":                               "ack_timeout must be positive",
		"max_body_bytes: 0":                             "max_body_bytes must be positive",
		"tls: {enabled: true, cert_file: /nonexistent}": "failed to load tls certificate",
	} {
		conf, err := pcInputSpec().ParseYAML(yaml, nil)
		require.NoError(t, err)
		_, err = newPCInputFromParsed(conf, service.MockResources())
		assert.ErrorContains(t, err, msg, yaml)
	}
}

func TestPCInputEncodings(t *testing.T) {
	testutil.NoLeaks(t)
	in, base := pcInStart(t, "")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)

	b64 := base64.StdEncoding.EncodeToString([]byte(pcInTestEvent))
	batchBody := `{"api_key":"k","batch":[` + pcInTestEvent + `,{"event":"f","properties":{"distinct_id":"p","token":"k2"}}]}`
	tests := []struct {
		name        string
		method      string
		path        string
		body        []byte
		headers     []string
		events      []string
		compression string
	}{
		{"json", "POST", "/e/", []byte(pcInTestEvent), []string{"Content-Type", "application/json"}, []string{"e"}, "none"},
		{"capture no slash", "POST", "/capture", []byte(pcInTestEvent), nil, []string{"e"}, "none"},
		{"batch", "POST", "/batch/", []byte(batchBody), nil, []string{"e", "f"}, "none"},
		{"array", "POST", "/i/v0/e/", []byte(`[` + pcInTestEvent + `,` + pcInTestEvent + `]`), nil, []string{"e", "e"}, "none"},
		{"track form base64", "POST", "/track/", []byte("data=" + url.QueryEscape(b64)), []string{"Content-Type", "application/x-www-form-urlencoded"}, []string{"e"}, "base64"},
		{"form json", "POST", "/e/", []byte("data=" + url.QueryEscape(pcInTestEvent)), []string{"Content-Type", "application/x-www-form-urlencoded"}, []string{"e"}, "none"},
		{"get data", "GET", "/e/?data=" + url.QueryEscape(b64), nil, nil, []string{"e"}, "base64"},
		{"gzip header", "POST", "/batch/", testutil.Gzip(t, batchBody), []string{"Content-Encoding", "gzip"}, []string{"e", "f"}, "gzip"},
		{"gzip-js", "POST", "/e/?compression=gzip-js", testutil.Gzip(t, batchBody), []string{"Content-Type", "text/plain"}, []string{"e", "f"}, "gzip"},
		{"gzip magic", "POST", "/e/?ver=1.0", testutil.Gzip(t, batchBody), []string{"Content-Type", "text/plain"}, []string{"e", "f"}, "gzip"},
		{
			"lz64", "POST", "/e/?compression=lz64",
			// lz-string 1.5.0 compressToBase64 of a one-event batch.
			[]byte("data=" + url.QueryEscape("NobwRApgbhB2AuYBckCMYA0YAmBLAzvLrAMbwD6u2yOmYAhgA67kDWEAnja3YwE4B7RhD5EI+ZOABGyVFnrIATFlQAGZAGYAvlozhocRCgiK6eQsTKVqKavOZtO3MFoC6QA=")),
			[]string{"Content-Type", "application/x-www-form-urlencoded"}, []string{"e1", "e2"}, "lz64",
		},
		{"engage", "POST", "/engage/", []byte(`{"$set":{"plan":"pro"},"$token":"k","$distinct_id":"d"}`), nil, []string{"$identify"}, "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := pcInDo(t, c, tc.method, base+tc.path, tc.body, tc.headers...)
			require.Equal(t, http.StatusOK, resp.status, string(resp.body))
			assert.JSONEq(t, `{"status":1}`, string(resp.body))
			assert.NotEmpty(t, resp.header.Get("X-Request-Id"))

			b := pcInNext(t, batches)
			require.Len(t, b, len(tc.events))
			for i, m := range b {
				ev := pcInDecode(t, m)
				assert.Equal(t, tc.events[i], ev.Event)
				compression, _ := m.MetaGet("posthog_compression")
				assert.Equal(t, tc.compression, compression)
				path, _ := m.MetaGet("posthog_path")
				assert.Equal(t, strings.Split(tc.path, "?")[0], path)
			}
		})
	}
	pcInNone(t, batches)
}

func TestPCInputMessageShape(t *testing.T) {
	in, base := pcInStart(t, "teams: {k: 42}\nsite_url: https://site.test/")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)

	body := `{"api_key":"k","sent_at":"2024-05-06T07:08:10.000Z","batch":[
		{"event":"$pageview","uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b","timestamp":"2024-05-06T07:08:09.123Z",
		 "properties":{"zeta":1, "alpha":{"y":2,"x":1}, "10":"ten", "$distinct_id":"user-1"},"$set":{"b":1,"a":2},"extra":"dropped"},
		{"event":"no-id-yet","distinct_id":7,"token":"other"}]}`
	before := time.Now().Add(-time.Second)
	resp := pcInDo(t, c, "POST", base+"/batch/", []byte(body), "User-Agent", "test-agent/1.0")
	require.Equal(t, http.StatusOK, resp.status, string(resp.body))
	b := pcInNext(t, batches)
	require.Len(t, b, 2)

	raw, err := b[0].AsBytes()
	require.NoError(t, err)
	ev := pcInDecode(t, b[0])
	assert.Equal(t, "0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b", ev.UUID)
	assert.Equal(t, "user-1", ev.DistinctID)
	assert.Equal(t, `{"zeta":1,"alpha":{"y":2,"x":1},"10":"ten","$distinct_id":"user-1"}`,
		string(ev.Properties), "properties are kept byte for byte (whitespace aside)")
	assert.Equal(t, []string{"zeta", "alpha", "10", "$distinct_id"}, pcInKeys(t, ev.Properties))
	assert.Equal(t, "2024-05-06T07:08:09.123Z", ev.Timestamp)
	assert.Equal(t, `{"b":1,"a":2}`, string(ev.Set))
	require.NotNil(t, ev.IP)
	assert.Equal(t, "127.0.0.1", *ev.IP)
	assert.Equal(t, "https://site.test", ev.SiteURL)
	require.NotNil(t, ev.TeamID)
	assert.Equal(t, int64(42), *ev.TeamID)
	assert.Equal(t, "2024-05-06T07:08:10.000Z", ev.SentAt)
	assert.Equal(t, "k", ev.APIKey)
	now, err := time.Parse(time.RFC3339Nano, ev.Now)
	require.NoError(t, err)
	assert.WithinRange(t, now, before, time.Now().Add(time.Second))
	assert.NotContains(t, string(raw), "extra")

	meta := map[string]string{}
	require.NoError(t, b[0].MetaWalk(func(k, v string) error { meta[k] = v; return nil }))
	assert.Equal(t, "/batch/", meta["posthog_path"])
	assert.Equal(t, resp.header.Get("X-Request-Id"), meta["posthog_request_id"])
	assert.Equal(t, "k", meta["posthog_api_key"])
	assert.Equal(t, "$pageview", meta["posthog_event"])
	assert.Equal(t, "user-1", meta["posthog_distinct_id"])
	assert.Equal(t, "42", meta["posthog_team_id"])
	assert.Equal(t, "127.0.0.1", meta["posthog_ip"])
	assert.Equal(t, "test-agent/1.0", meta["posthog_user_agent"])
	assert.Equal(t, "0", meta["posthog_index"])

	ev2 := pcInDecode(t, b[1])
	assert.Equal(t, "7", ev2.DistinctID)
	assert.Equal(t, "other", ev2.APIKey)
	assert.Nil(t, ev2.TeamID)
	assert.NotEqual(t, ev.UUID, ev2.UUID)
	assert.Len(t, ev2.UUID, 36)
	assert.JSONEq(t, `{}`, string(ev2.Properties))
}

func TestPCInputPartialReject(t *testing.T) {
	in, base := pcInStart(t, "")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)

	body := `{"api_key":"k","batch":[{"event":"ok","distinct_id":"a"},{"distinct_id":"b"},{"event":"ok2","distinct_id":"c"},"nope",{"event":"x"}]}`
	resp := pcInDo(t, c, "POST", base+"/batch/", []byte(body))
	require.Equal(t, http.StatusOK, resp.status, string(resp.body))
	a := resp.answer(t)
	assert.Equal(t, 1, a.Status)
	assert.Equal(t, []pcInRejection{
		{Index: 1, Error: "invalid event: missing event name"},
		{Index: 3, Error: "invalid event: not a JSON object"},
		{Index: 4, Error: "invalid event: missing distinct_id"},
	}, a.Rejected)

	b := pcInNext(t, batches)
	require.Len(t, b, 2)
	assert.Equal(t, "ok", pcInDecode(t, b[0]).Event)
	assert.Equal(t, "ok2", pcInDecode(t, b[1]).Event)
	idx, _ := b[1].MetaGet("posthog_index")
	assert.Equal(t, "2", idx)
}

func TestPCInputBadRequests(t *testing.T) {
	testutil.NoLeaks(t)
	in, base := pcInStart(t, "max_body_bytes: 2000")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)

	big := `{"event":"e","distinct_id":"d","api_key":"k","properties":{"x":"` + strings.Repeat("x", 3000) + `"}}`
	tests := []struct {
		name   string
		method string
		path   string
		body   []byte
		hdr    []string
		status int
		msg    string
	}{
		{"malformed json", "POST", "/e/", []byte(`{"event":`), nil, 400, "invalid JSON"},
		{"empty", "POST", "/e/", nil, nil, 400, "empty body"},
		{"unknown compression", "POST", "/e/?compression=br", []byte(pcInTestEvent), nil, 415, `compression "br"`},
		{"unknown encoding", "POST", "/e/", []byte(pcInTestEvent), []string{"Content-Encoding", "zstd"}, 415, `content encoding "zstd"`},
		{"too large", "POST", "/e/", []byte(big), nil, 413, "over 2000 bytes"},
		{"gzip bomb", "POST", "/e/", testutil.Gzip(t, big), []string{"Content-Encoding", "gzip"}, 413, "over 2000 bytes"},
		{"bad gzip", "POST", "/e/", []byte("\x1f\x8bnot really"), nil, 400, "gzip"},
		{"no valid event", "POST", "/batch/", []byte(`[{"event":"e"},{"distinct_id":"d"}]`), nil, 400, "no valid event in request"},
		{"no key", "POST", "/e/", []byte(`{"event":"e","distinct_id":"d"}`), nil, 401, "missing api_key or token"},
		{"method", "PUT", "/e/", []byte(pcInTestEvent), nil, 405, "method PUT is not allowed"},
		{"get without data", "GET", "/e/", nil, nil, 400, "no data"},
		{"not base64", "POST", "/e/", []byte("data=%%%"), []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "form"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := pcInDo(t, c, tc.method, base+tc.path, tc.body, tc.hdr...)
			require.Equal(t, tc.status, resp.status, string(resp.body))
			assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
			a := resp.answer(t)
			assert.Equal(t, 0, a.Status)
			assert.Contains(t, a.Error, tc.msg)
			assert.Equal(t, resp.header.Get("X-Request-Id"), a.RequestID)
			assert.NotEmpty(t, a.RequestID)
		})
	}
	pcInNone(t, batches)

	// The server is still up.
	resp := pcInDo(t, c, "POST", base+"/e/", []byte(pcInTestEvent))
	require.Equal(t, http.StatusOK, resp.status)
	pcInNext(t, batches)
}

func TestPCInputAPIKeysAndForwardedFor(t *testing.T) {
	in, base := pcInStart(t, "api_keys: [good]\ntrust_forwarded_for: true\ntrusted_proxies: [127.0.0.1, 10.0.0.0/8]")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)

	resp := pcInDo(t, c, "POST", base+"/e/", []byte(`{"event":"e","distinct_id":"d","api_key":"bad"}`))
	require.Equal(t, http.StatusUnauthorized, resp.status, string(resp.body))
	assert.Contains(t, resp.answer(t).Error, "api key is not allowed")

	resp = pcInDo(t, c, "POST", base+"/batch/",
		[]byte(`{"api_key":"good","batch":[{"event":"e","distinct_id":"d"},{"event":"e","distinct_id":"d","token":"bad"}]}`),
		"X-Forwarded-For", "198.51.100.7, 10.0.0.1", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "app.example.com")
	require.Equal(t, http.StatusOK, resp.status, string(resp.body))
	assert.Equal(t, []pcInRejection{{Index: 1, Error: "api key is not allowed"}}, resp.answer(t).Rejected)
	b := pcInNext(t, batches)
	require.Len(t, b, 1)
	ev := pcInDecode(t, b[0])
	require.NotNil(t, ev.IP)
	assert.Equal(t, "198.51.100.7", *ev.IP)
	assert.Equal(t, "https://app.example.com", ev.SiteURL)

	// Without trust, X-Forwarded-For is ignored.
	in2, base2 := pcInStart(t, "")
	batches2 := pcInServe(t, in2, nil)
	resp = pcInDo(t, c, "POST", base2+"/e/", []byte(pcInTestEvent), "X-Forwarded-For", "198.51.100.7")
	require.Equal(t, http.StatusOK, resp.status)
	ev = pcInDecode(t, pcInNext(t, batches2)[0])
	assert.Equal(t, "127.0.0.1", *ev.IP)
	assert.Equal(t, "http://"+strings.TrimPrefix(base2, "http://"), ev.SiteURL)
}

func TestPCInputNackAndTimeout(t *testing.T) {
	testutil.NoLeaks(t)
	c := pcInClient(t)

	in, base := pcInStart(t, "ack_timeout: 300ms")
	batches := pcInServe(t, in, func(service.MessageBatch) error { return errors.New("output is down") })
	resp := pcInDo(t, c, "POST", base+"/e/", []byte(pcInTestEvent))
	require.Equal(t, http.StatusServiceUnavailable, resp.status, string(resp.body))
	assert.Equal(t, "events were not delivered", resp.answer(t).Error)
	assert.Equal(t, "1", resp.header.Get("Retry-After"))
	pcInNext(t, batches)

	// Nobody reads: the request times out (the input's own answer, well
	// before the client's 15s timeout).
	_, base2 := pcInStart(t, "ack_timeout: 300ms")
	resp = pcInDo(t, c, "POST", base2+"/e/", []byte(pcInTestEvent))
	require.Equal(t, http.StatusServiceUnavailable, resp.status, string(resp.body))
	assert.Contains(t, resp.answer(t).Error, "timed out waiting for the pipeline")

	// Read but never acked: the request times out too.
	in3, base3 := pcInStart(t, "ack_timeout: 300ms")
	held := make(chan service.AckFunc, 1)
	go func() {
		_, ack, err := in3.ReadBatch(t.Context())
		if err == nil {
			held <- ack
		}
	}()
	resp = pcInDo(t, c, "POST", base3+"/e/", []byte(pcInTestEvent))
	require.Equal(t, http.StatusServiceUnavailable, resp.status, string(resp.body))
	assert.Contains(t, resp.answer(t).Error, "timed out waiting for the events to be delivered")
	select {
	case ack := <-held:
		require.NoError(t, ack(t.Context(), nil), "a late ack does not block")
	case <-time.After(5 * time.Second):
		t.Fatal("batch was not read")
	}
}

func TestPCInputCloseWhileWaiting(t *testing.T) {
	testutil.NoLeaks(t)
	conf, err := pcInputSpec().ParseYAML("address: 127.0.0.1:0\nack_timeout: 1h", nil)
	require.NoError(t, err)
	in, err := newPCInputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	require.NoError(t, in.Connect(t.Context()))
	c := pcInClient(t)

	got := make(chan pcInResponse, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+in.addr.String()+"/e/", strings.NewReader(pcInTestEvent))
		resp, err := c.Do(req)
		if err != nil {
			got <- pcInResponse{}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- pcInResponse{status: resp.StatusCode, body: b}
	}()
	// Wait until the request is handed over, then close without acking.
	batch, _, err := in.ReadBatch(t.Context())
	require.NoError(t, err)
	require.Len(t, batch, 1)

	// Close gives the request 200ms, then stops waiting for its ack (1h).
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	require.NoError(t, in.Close(ctx))
	select {
	case r := <-got:
		// Either answered 503 or cut off by the forced close.
		if r.status != 0 {
			assert.Equal(t, http.StatusServiceUnavailable, r.status)
			assert.Contains(t, string(r.body), "server is shutting down")
		}
	case <-time.After(10 * time.Second): // a hang guard
		t.Fatal("request still waiting after Close")
	}
	_, _, err = in.ReadBatch(t.Context())
	require.ErrorIs(t, err, service.ErrEndOfInput)
	require.NoError(t, in.Close(t.Context()), "Close is idempotent")
}

func TestPCInputCORS(t *testing.T) {
	_, base := pcInStart(t, "")
	c := pcInClient(t)

	resp := pcInDo(t, c, "OPTIONS", base+"/e/", nil,
		"Origin", "https://shop.example", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
	require.Equal(t, http.StatusOK, resp.status)
	assert.Equal(t, "https://shop.example", resp.header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, resp.header.Get("Access-Control-Allow-Credentials"), "no credentials without allowed_origins")
	assert.Contains(t, resp.header.Get("Access-Control-Allow-Methods"), "POST")
	assert.Equal(t, "content-type", resp.header.Get("Access-Control-Allow-Headers"))

	resp = pcInDo(t, c, "POST", base+"/flags/?v=2", []byte(`{}`), "Origin", "https://shop.example")
	require.Equal(t, http.StatusOK, resp.status)
	assert.Equal(t, "https://shop.example", resp.header.Get("Access-Control-Allow-Origin"))
}

func TestPCInputMinimalAnswers(t *testing.T) {
	_, base := pcInStart(t, "path_prefix: /ingest/")
	c := pcInClient(t)

	for _, p := range []string{"/ingest/decide/?v=3", "/ingest/flags/?v=2", "/ingest/flags"} {
		resp := pcInDo(t, c, "POST", base+p, []byte(`{"token":"k","distinct_id":"d"}`))
		require.Equal(t, http.StatusOK, resp.status, p)
		var flags struct {
			Flags                map[string]any `json:"flags"`
			FeatureFlags         map[string]any `json:"featureFlags"`
			FeatureFlagPayloads  map[string]any `json:"featureFlagPayloads"`
			Errors               bool           `json:"errorsWhileComputingFlags"`
			SupportedCompression []string       `json:"supportedCompression"`
		}
		require.NoError(t, json.Unmarshal(resp.body, &flags))
		assert.NotNil(t, flags.Flags)
		assert.NotNil(t, flags.FeatureFlags)
		assert.NotNil(t, flags.FeatureFlagPayloads)
		assert.False(t, flags.Errors)
		assert.Contains(t, flags.SupportedCompression, "gzip-js")
	}

	resp := pcInDo(t, c, "GET", base+"/ingest/array/phc_x/config", nil)
	require.Equal(t, http.StatusOK, resp.status)
	var cfg map[string]any
	require.NoError(t, json.Unmarshal(resp.body, &cfg))
	assert.Equal(t, "phc_x", cfg["token"])
	assert.Equal(t, false, cfg["sessionRecording"])

	resp = pcInDo(t, c, "GET", base+"/ingest/array/phc_x/config.js", nil)
	require.Equal(t, http.StatusOK, resp.status)
	assert.Contains(t, resp.header.Get("Content-Type"), "javascript")
	assert.Contains(t, string(resp.body), `w._POSTHOG_REMOTE_CONFIG["phc_x"]={config:{"token":"phc_x"`)

	resp = pcInDo(t, c, "GET", base+"/ingest/api/surveys/?token=phc_x", nil)
	require.Equal(t, http.StatusOK, resp.status)
	assert.JSONEq(t, `{"surveys":[]}`, string(resp.body))

	resp = pcInDo(t, c, "POST", base+"/ingest/s/?compression=gzip-js", []byte("recording"))
	require.Equal(t, http.StatusOK, resp.status)

	for _, p := range []string{"/ingest/static/recorder.js", "/ingest/array/phc_x/array.js", "/ingest/i/v1/logs", "/e/", "/ingest2/e/"} {
		resp = pcInDo(t, c, "GET", base+p, nil)
		assert.Equal(t, http.StatusNotFound, resp.status, p)
		assert.Contains(t, resp.answer(t).Error, "no endpoint at")
	}

	in, base2 := pcInStart(t, "path_prefix: /ingest")
	batches := pcInServe(t, in, nil)
	resp = pcInDo(t, c, "POST", base2+"/ingest/e", []byte(pcInTestEvent))
	require.Equal(t, http.StatusOK, resp.status)
	path, _ := pcInNext(t, batches)[0].MetaGet("posthog_path")
	assert.Equal(t, "/ingest/e", path)
}

func TestPCInputUpstream(t *testing.T) {
	type seen struct {
		method, path, query, xff, host string
		body                           []byte
	}
	var mu sync.Mutex
	var got []seen
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Forwarded-For"), r.Host, b})
		mu.Unlock()
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"flags":{"beta":{"key":"beta","enabled":true}},"from":"upstream"}`)
	}))
	defer upstream.Close()
	assets := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		_, _ = io.WriteString(w, "// asset "+r.URL.Path)
	}))
	defer assets.Close()

	in, base := pcInStart(t, "path_prefix: /ingest\ntrust_forwarded_for: true\nupstream_url: "+upstream.URL+"/base\nupstream_assets_url: "+assets.URL)
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)

	resp := pcInDo(t, c, "POST", base+"/ingest/flags/?v=2&config=true", []byte(`{"token":"k"}`),
		"Origin", "https://shop.example", "X-Forwarded-For", "198.51.100.7")
	require.Equal(t, http.StatusOK, resp.status, string(resp.body))
	assert.Contains(t, string(resp.body), `"from":"upstream"`)
	assert.Equal(t, []string{"https://shop.example"}, resp.header.Values("Access-Control-Allow-Origin"), "upstream CORS headers are replaced")

	resp = pcInDo(t, c, "GET", base+"/ingest/static/recorder.js?v=1", nil)
	require.Equal(t, http.StatusOK, resp.status)
	assert.Equal(t, "// asset /static/recorder.js", string(resp.body))

	resp = pcInDo(t, c, "GET", base+"/ingest/array/phc_x/config", nil)
	require.Equal(t, http.StatusOK, resp.status)
	assert.Equal(t, "// asset /array/phc_x/config", string(resp.body))

	resp = pcInDo(t, c, "POST", base+"/ingest/s/", []byte("snapshot"))
	require.Equal(t, http.StatusOK, resp.status)

	// Events are never proxied.
	resp = pcInDo(t, c, "POST", base+"/ingest/e/", []byte(pcInTestEvent))
	require.Equal(t, http.StatusOK, resp.status)
	pcInNext(t, batches)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	assert.Equal(t, "/base/flags/", got[0].path)
	assert.Equal(t, "v=2&config=true", got[0].query)
	assert.Equal(t, `{"token":"k"}`, string(got[0].body))
	assert.Equal(t, "198.51.100.7, 127.0.0.1", got[0].xff)
	assert.Equal(t, strings.TrimPrefix(upstream.URL, "http://"), got[0].host)
	assert.Equal(t, "/base/s/", got[1].path)

	// A dead upstream gives 502.
	_, base2 := pcInStart(t, "upstream_url: http://127.0.0.1:1")
	resp = pcInDo(t, c, "POST", base2+"/decide/", []byte(`{}`))
	assert.Equal(t, http.StatusBadGateway, resp.status)
}

func TestPCInputTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))

	in, base := pcInStart(t, "tls:\n  enabled: true\n  cert_file: "+certFile+"\n  key_file: "+keyFile)
	require.True(t, strings.HasPrefix(base, "https://"))
	batches := pcInServe(t, in, nil)
	resp := pcInDo(t, pcInClient(t), "POST", base+"/e/", []byte(pcInTestEvent))
	require.Equal(t, http.StatusOK, resp.status)
	ev := pcInDecode(t, pcInNext(t, batches)[0])
	assert.True(t, strings.HasPrefix(ev.SiteURL, "https://"))
}

// pcInPanicWriter panics on the first Write, as a broken handler might.
type pcInPanicWriter struct {
	*httptest.ResponseRecorder
	panicked bool
}

func (w *pcInPanicWriter) Write(b []byte) (int, error) {
	if !w.panicked {
		w.panicked = true
		panic("boom")
	}
	return w.ResponseRecorder.Write(b)
}

func TestPCInputRecoversFromPanics(t *testing.T) {
	conf, err := pcInputSpec().ParseYAML("", nil)
	require.NoError(t, err)
	in, err := newPCInputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	w := &pcInPanicWriter{ResponseRecorder: httptest.NewRecorder()}
	req := httptest.NewRequest(http.MethodPost, "/decide/", nil)
	require.NotPanics(t, func() { in.ServeHTTP(w, req) })
	assert.True(t, w.panicked)
	assert.Contains(t, w.Body.String(), "internal error")
}

//------------------------------------------------------------------------------
// Real SDKs: posthog-node run by node, posthog-js in headless Chromium. Their
// versions are pinned in testdata/sdk/package.json and package-lock.json.

const pcInSDKDir = "../testdata/sdk"

// pcInNeed skips the test when a tool is missing, or fails it under CI.
func pcInNeed(t *testing.T, what, install string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing; install it with: %s", what, install)
	}
	t.Skipf("%s is missing; install it with: %s", what, install)
}

func pcInNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	pcInNeed(t, "node", "apt-get install -y nodejs npm", err == nil)
	_, err = os.Stat(filepath.Join(pcInSDKDir, "node_modules", "posthog-node", "package.json"))
	pcInNeed(t, "testdata/sdk/node_modules", "npm ci --prefix testdata/sdk", err == nil)
	return node
}

// pcInStream runs a stream from a posthog_capture input (with extra YAML
// fields) to a consumer, and returns the input's URL and its messages.
func pcInStream(t *testing.T, extra string) (string, <-chan *service.Message) {
	t.Helper()
	addr := testutil.FreeAddr(t)
	sb := service.NewStreamBuilder()
	require.NoError(t, sb.SetLoggerYAML("level: warn"))
	require.NoError(t, sb.AddInputYAML("posthog_capture:\n  address: "+addr+"\n"+extra))
	msgs := streamtest.Collect(t, sb, 256)
	stream, err := sb.Build()
	require.NoError(t, err)
	streamtest.Run(t, stream)

	base := "http://" + addr
	c := pcInClient(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/flags/", nil)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "input did not start: %v", err)
		time.Sleep(20 * time.Millisecond)
	}
	return base, msgs
}

// pcInCollect reads messages until done says it has what it needs.
func pcInCollect(t *testing.T, msgs <-chan *service.Message, timeout time.Duration, done func([]*service.Message) bool) []*service.Message {
	t.Helper()
	var got []*service.Message
	deadline := time.After(timeout)
	for !done(got) {
		select {
		case m := <-msgs:
			got = append(got, m)
		case <-deadline:
			var names []string
			for _, m := range got {
				name, _ := m.MetaGet("posthog_event")
				path, _ := m.MetaGet("posthog_path")
				names = append(names, name+" via "+path)
			}
			t.Fatalf("timed out with %d messages: %v", len(got), names)
		}
	}
	return got
}

func pcInByEvent(t *testing.T, msgs []*service.Message) map[string]*service.Message {
	t.Helper()
	out := map[string]*service.Message{}
	for _, m := range msgs {
		out[pcInDecode(t, m).Event] = m
	}
	return out
}

func TestPCInputPosthogNode(t *testing.T) {
	node := pcInNode(t)
	testutil.NoLeaks(t)
	base, msgs := pcInStream(t, "  teams: {phc_node_test: 7}\n")

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "node-capture.js", base, "phc_node_test")
	cmd.Dir = pcInSDKDir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "node-capture.js: %s", out)

	got := pcInCollect(t, msgs, 10*time.Second, func(ms []*service.Message) bool { return len(ms) >= 3 })
	byEvent := pcInByEvent(t, got)
	require.Len(t, byEvent, 3, "events: %v", byEvent)

	order := byEvent["order placed"]
	require.NotNil(t, order)
	ev := pcInDecode(t, order)
	assert.Equal(t, "node-user-1", ev.DistinctID)
	assert.Equal(t, "2024-05-06T07:08:09.123Z", ev.Timestamp)
	assert.Equal(t, "phc_node_test", ev.APIKey)
	require.NotNil(t, ev.TeamID)
	assert.Equal(t, int64(7), *ev.TeamID)
	keys := pcInKeys(t, ev.Properties)
	pcInAssertOrder(t, keys, []string{"10", "zeta", "alpha", "nested"})
	var props struct {
		Zeta   int             `json:"zeta"`
		Alpha  string          `json:"alpha"`
		Nested json.RawMessage `json:"nested"`
		Ten    string          `json:"10"`
		Lib    string          `json:"$lib"`
	}
	require.NoError(t, json.Unmarshal(ev.Properties, &props))
	assert.Equal(t, 1, props.Zeta)
	assert.Equal(t, "two", props.Alpha)
	assert.Equal(t, "ten", props.Ten)
	assert.Equal(t, `{"b":1,"a":2}`, string(props.Nested))
	assert.Equal(t, "posthog-node", props.Lib)
	path, _ := order.MetaGet("posthog_path")
	assert.Equal(t, "/batch/", path)
	compression, _ := order.MetaGet("posthog_compression")
	assert.Equal(t, "gzip", compression)

	signup := pcInDecode(t, byEvent["signed up"])
	assert.Equal(t, "node-user-2", signup.DistinctID)
	assert.Contains(t, string(signup.Properties), `"plan":"pro"`)

	identify := pcInDecode(t, byEvent["$identify"])
	assert.Equal(t, "node-user-1", identify.DistinctID)
	var idProps struct {
		Set map[string]string `json:"$set"`
	}
	require.NoError(t, json.Unmarshal(identify.Properties, &idProps))
	assert.Equal(t, "user1@example.com", idProps.Set["email"])
	assert.Equal(t, "User One", idProps.Set["name"])
}

func TestPCInputPosthogJS(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	pcInNeed(t, "chromium", "apt-get install -y chromium", err == nil)
	jsPath := filepath.Join(pcInSDKDir, "node_modules", "posthog-js", "dist", "array.full.js")
	_, err = os.Stat(jsPath)
	pcInNeed(t, "testdata/sdk/node_modules", "npm ci --prefix testdata/sdk", err == nil)
	pageTmpl, err := os.ReadFile(filepath.Join(pcInSDKDir, "page.html"))
	require.NoError(t, err)
	testutil.NoLeaks(t)

	base, msgs := pcInStream(t, "")
	const apiKey = "phc_browser_test"
	page := strings.NewReplacer("API_KEY", apiKey, "CAPTURE_URL", base).Replace(string(pageTmpl))
	reported := make(chan string, 1)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, page)
		case "/posthog.js":
			http.ServeFile(w, r, jsPath)
		case "/report":
			b, _ := io.ReadAll(r.Body)
			select {
			case reported <- string(b):
			default:
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()

	// Chromium keeps the page open until it is stopped, so that posthog-js
	// can send its queue at its own pace.
	var stderr bytes.Buffer
	cmd := exec.Command(chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--disable-crash-reporter", "--enable-logging=stderr", "--v=0",
		// posthog-js drops events from user agents that look like bots,
		// HeadlessChrome among them.
		"--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"--user-data-dir="+t.TempDir(), site.URL+"/")
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	defer func() {
		// Stop chromium's whole process group: TERM, then KILL.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			for _, line := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(line, "CONSOLE") {
					t.Log(line)
				}
			}
		}
	}()

	var distinctID string
	select {
	case distinctID = <-reported:
	case <-time.After(60 * time.Second):
		t.Fatal("the page did not report its distinct id")
	}
	require.NotEmpty(t, distinctID)

	got := pcInCollect(t, msgs, 60*time.Second, func(ms []*service.Message) bool {
		names := map[string]bool{}
		for _, m := range ms {
			name, _ := m.MetaGet("posthog_event")
			names[name] = true
		}
		return names["$pageview"] && names["custom"]
	})
	byEvent := pcInByEvent(t, got)

	pageview := pcInDecode(t, byEvent["$pageview"])
	assert.Equal(t, distinctID, pageview.DistinctID)
	assert.Equal(t, apiKey, pageview.APIKey)
	var pvProps struct {
		CurrentURL string `json:"$current_url"`
		Lib        string `json:"$lib"`
		Token      string `json:"token"`
	}
	require.NoError(t, json.Unmarshal(pageview.Properties, &pvProps))
	assert.Equal(t, site.URL+"/", pvProps.CurrentURL)
	assert.Equal(t, "web", pvProps.Lib)
	assert.Equal(t, apiKey, pvProps.Token)
	assert.NotEmpty(t, pageview.Timestamp)

	custom := pcInDecode(t, byEvent["custom"])
	assert.Equal(t, distinctID, custom.DistinctID)
	pcInAssertOrder(t, pcInKeys(t, custom.Properties), []string{"10", "zeta", "alpha", "nested"})
	var cProps struct {
		Zeta   int             `json:"zeta"`
		Alpha  string          `json:"alpha"`
		Nested json.RawMessage `json:"nested"`
		Ten    string          `json:"10"`
	}
	require.NoError(t, json.Unmarshal(custom.Properties, &cProps))
	assert.Equal(t, 1, cProps.Zeta)
	assert.Equal(t, "two", cProps.Alpha)
	assert.Equal(t, "ten", cProps.Ten)
	assert.Equal(t, `{"b":1,"a":2}`, string(cProps.Nested))
	origin, _ := byEvent["custom"].MetaGet("posthog_compression")
	t.Logf("posthog-js sent with compression %q", origin)
}
