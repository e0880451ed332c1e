package inputs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"

	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
)

// pcInStartLogged is pcInStart with the input's log lines recorded.
func pcInStartLogged(t *testing.T, yaml string) (*pcInput, string, *streamtest.Logs) {
	t.Helper()
	logs := &streamtest.Logs{}
	logger := service.NewLoggerFromSlog(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	conf, err := pcInputSpec().ParseYAML("address: 127.0.0.1:0\n"+yaml, nil)
	require.NoError(t, err)
	in, err := newPCInputFromParsed(conf, service.MockResources(service.MockResourcesOptUseLogger(logger)))
	require.NoError(t, err)
	require.NoError(t, in.Connect(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, in.Close(ctx))
	})
	return in, "http://" + in.addr.String(), logs
}

func gzipBytes(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// A ~20 KB gzip of millions of empty events made a 408 MB answer: the events
// are now counted before they are looked at, and the answer stays small.
func TestPCInputGzipBomb(t *testing.T) {
	in, base := pcInStart(t, "")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)

	// Just under the default 20 MiB once decompressed.
	tiny := append([]byte("["), bytes.Repeat([]byte("{},"), 6_900_000)...)
	tiny = append(tiny, []byte("{}]")...)
	body := gzipBytes(t, tiny)
	require.Less(t, len(body), 40_000)
	resp := pcInDo(t, c, "POST", base+"/batch/", body, "Content-Encoding", "gzip")
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.status)
	assert.Less(t, len(resp.body), 1000, "the answer is small")
	assert.Contains(t, resp.answer(t).Error, "too many events: over 10000 in one request")

	// Over max_body_bytes once decompressed: refused while decompressing.
	big := gzipBytes(t, bytes.Repeat([]byte(" "), 21<<20))
	resp = pcInDo(t, c, "POST", base+"/batch/", big, "Content-Encoding", "gzip")
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.status)
	assert.Contains(t, resp.answer(t).Error, "decompressed payload is over 20971520 bytes")

	// The same as gzip magic inside a base64 data= field.
	resp = pcInDo(t, c, "POST", base+"/e/?compression=gzip-js", big, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.status)
	pcInNone(t, batches)
}

func TestPCInputMaxEventsPerRequest(t *testing.T) {
	in, base := pcInStart(t, "max_events_per_request: 2")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)
	ev := `{"event":"e","distinct_id":"d","api_key":"k"}`

	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"array at the limit", "[" + ev + "," + ev + "]", http.StatusOK},
		{"array over the limit", "[" + ev + "," + ev + "," + ev + "]", http.StatusRequestEntityTooLarge},
		{"batch at the limit", `{"batch":[` + ev + "," + ev + "]}", http.StatusOK},
		{"batch over the limit", `{"batch":[` + ev + "," + ev + "," + ev + "]}", http.StatusRequestEntityTooLarge},
		{"single event", ev, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := pcInDo(t, c, "POST", base+"/batch/", []byte(tc.body))
			require.Equal(t, tc.status, resp.status, string(resp.body))
			if tc.status == http.StatusOK {
				pcInNext(t, batches)
			} else {
				assert.Contains(t, resp.answer(t).Error, "over 2 in one request")
			}
		})
	}
}

func TestPCInputRejectedListIsCapped(t *testing.T) {
	in, base := pcInStart(t, "")
	batches := pcInServe(t, in, nil)
	c := pcInClient(t)
	events := []string{`{"event":"e","distinct_id":"d","api_key":"k"}`}
	for range 150 {
		events = append(events, `{"event":"e","api_key":"k"}`)
	}
	resp := pcInDo(t, c, "POST", base+"/batch/", []byte("["+strings.Join(events, ",")+"]"))
	require.Equal(t, http.StatusOK, resp.status)
	a := resp.answer(t)
	assert.Len(t, a.Rejected, pcInMaxListedRejections)
	assert.Equal(t, 150, a.RejectedCount)
	pcInNext(t, batches)
}

// A client that stops sending its body is disconnected after read_timeout.
func TestPCInputReadTimeout(t *testing.T) {
	_, base := pcInStart(t, "read_timeout: 200ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /e/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"event\":")
	require.NoError(t, err)
	// A hang guard only: the server must end the exchange by itself.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	rest, err := io.ReadAll(conn)
	require.NoError(t, err, "the server closed the connection")
	if len(rest) > 0 {
		assert.Contains(t, string(rest), "400 Bad Request")
	}
}

func TestPCInputIdleTimeout(t *testing.T) {
	in, _ := pcInStart(t, "idle_timeout: 45s\nread_timeout: 15s")
	in.mu.Lock()
	defer in.mu.Unlock()
	assert.Equal(t, 45*time.Second, in.server.IdleTimeout)
	assert.Equal(t, 15*time.Second, in.server.ReadTimeout)
	assert.Equal(t, 10*time.Second, in.server.ReadHeaderTimeout)
}

func TestPCInputCORSAllowedOrigins(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer upstream.Close()
	c := pcInClient(t)

	for _, tc := range []struct {
		name, conf, origin string
		wantOrigin, creds  string
	}{
		{"any origin, no credentials", "", "https://evil.example", "https://evil.example", ""},
		{"allowed origin gets credentials", "allowed_origins: [https://app.example.com]", "https://app.example.com", "https://app.example.com", "true"},
		{"allowed origin, other case", "allowed_origins: [https://App.Example.com]", "https://app.example.com", "https://app.example.com", "true"},
		{"other origin gets nothing", "allowed_origins: [https://app.example.com]", "https://evil.example", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, base := pcInStart(t, tc.conf+"\nupstream_url: "+upstream.URL)
			for _, p := range []string{"/e/", "/flags/?v=2", "/api/anything"} {
				for _, method := range []string{"OPTIONS", "POST"} {
					resp := pcInDo(t, c, method, base+p, []byte(`{}`), "Origin", tc.origin)
					assert.Equal(t, tc.wantOrigin, resp.header.Get("Access-Control-Allow-Origin"), method+" "+p)
					assert.Equal(t, tc.creds, resp.header.Get("Access-Control-Allow-Credentials"), method+" "+p)
				}
			}
		})
	}

	_, err := pcInputSpec().ParseYAML("allowed_origins: [not-an-origin]", nil)
	require.NoError(t, err)
	conf, _ := pcInputSpec().ParseYAML("allowed_origins: [app.example.com]", nil)
	_, err = newPCInputFromParsed(conf, service.MockResources())
	require.ErrorContains(t, err, `"app.example.com" is not an origin`)
}

// rawRequest sends a request line as written, so that no client cleans the
// path first, and returns the status code.
func rawRequest(t *testing.T, base, target string) int {
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestPCInputPathNormalisation(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.EscapedPath())
		mu.Unlock()
		_, _ = w.Write([]byte(`{}`))
	}))
	defer upstream.Close()
	_, base := pcInStart(t, "path_prefix: /ingest\nupstream_url: "+upstream.URL+"/base/")

	for _, tc := range []struct {
		target string
		status int
		want   string // the path the upstream saw, "" when not proxied
	}{
		{"/ingest/api/x", 200, "/base/api/x"},
		{"/ingest/%2e%2e/%2e%2e/admin", 404, ""},
		{"/ingest/../../admin", 404, ""},
		{"/ingest/api/%2e%2e/%2e%2e/%2e%2e/admin", 404, ""},
		{"/ingest/api/..%2f..%2f..%2fadmin", 404, ""},
		{"/ingest/api/%2e%2e/other", 200, "/base/other"},
		{"/%2e%2e/base/x", 404, ""},
		{"/ingest//api//./y", 200, "/base/api/y"},
		{"/ingest/%2E%2E/ingest/api/z", 200, "/base/api/z"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			assert.Equal(t, tc.status, rawRequest(t, base, tc.target))
			mu.Lock()
			defer mu.Unlock()
			if tc.want == "" {
				assert.Empty(t, seen)
				return
			}
			assert.Equal(t, []string{tc.want}, seen)
		})
	}
}

func TestPCInputClientIP(t *testing.T) {
	for _, tc := range []struct {
		name, conf, remote string
		xff                []string
		want               string
	}{
		{"untrusted: the peer", "", "203.0.113.9:5000", []string{"198.51.100.7"}, "203.0.113.9"},
		{"trusted peer alone: the last entry", "trust_forwarded_for: true", "10.0.0.2:5000", []string{"1.1.1.1, 198.51.100.7"}, "198.51.100.7"},
		{"spoofed first entry is ignored", "trust_forwarded_for: true\ntrusted_proxies: [10.0.0.0/8]", "10.0.0.2:5000", []string{"6.6.6.6, 198.51.100.7, 10.0.0.3"}, "198.51.100.7"},
		{"several headers are one chain", "trust_forwarded_for: true\ntrusted_proxies: [10.0.0.0/8]", "10.0.0.2:5000", []string{"6.6.6.6", "198.51.100.7, 10.1.2.3"}, "198.51.100.7"},
		{"peer not a trusted proxy: headers ignored", "trust_forwarded_for: true\ntrusted_proxies: [10.0.0.0/8]", "203.0.113.9:5000", []string{"198.51.100.7"}, "203.0.113.9"},
		{"every hop trusted: the left-most", "trust_forwarded_for: true\ntrusted_proxies: [10.0.0.0/8]", "10.0.0.2:5000", []string{"10.9.9.9, 10.0.0.3"}, "10.9.9.9"},
		{"garbage hop: the hop right of it", "trust_forwarded_for: true\ntrusted_proxies: [10.0.0.0/8]", "10.0.0.2:5000", []string{"198.51.100.7, not-an-ip, 10.0.0.3"}, "10.0.0.3"},
		{"ports and brackets", "trust_forwarded_for: true", "10.0.0.2:5000", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"IPv4-mapped IPv6", "trust_forwarded_for: true\ntrusted_proxies: [10.0.0.5]", "[::ffff:10.0.0.5]:5000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"no header: the peer", "trust_forwarded_for: true", "10.0.0.2:5000", nil, "10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf, err := pcInputSpec().ParseYAML(tc.conf, nil)
			require.NoError(t, err)
			in, err := newPCInputFromParsed(conf, service.MockResources())
			require.NoError(t, err)
			r := httptest.NewRequest("POST", "/e/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			assert.Equal(t, tc.want, in.clientIP(r))
		})
	}

	conf, err := pcInputSpec().ParseYAML("trust_forwarded_for: true\ntrusted_proxies: [10.0.0.0/33]", nil)
	require.NoError(t, err)
	_, err = newPCInputFromParsed(conf, service.MockResources())
	require.ErrorContains(t, err, `trusted_proxies: "10.0.0.0/33" is neither an address nor a network`)

	conf, err = pcInputSpec().ParseYAML("trusted_proxies: [10.0.0.0/8]", nil)
	require.NoError(t, err)
	_, err = newPCInputFromParsed(conf, service.MockResources())
	require.ErrorContains(t, err, "trusted_proxies is set, but forwarded headers are ignored unless trust_forwarded_for is true")
}

// Rejections are logged at DEBUG without the body; a WARN line sums them up
// at most once a minute; the counter counts them.
func TestPCInputRejectionLogs(t *testing.T) {
	_, base, logs := pcInStartLogged(t, "")
	c := pcInClient(t)
	secret := strings.Repeat("attacker-text-", 7000)
	for range 20 {
		resp := pcInDo(t, c, "POST", base+"/e/", []byte(`{"event":"`+secret))
		require.Equal(t, http.StatusBadRequest, resp.status)
	}
	resp := pcInDo(t, c, "POST", base+"/e/?compression="+strings.Repeat("x", 5000), []byte(`{}`))
	require.Equal(t, http.StatusUnsupportedMediaType, resp.status)

	out := logs.String()
	assert.NotContains(t, out, "attacker-text-attacker-text")
	assert.NotContains(t, out, strings.Repeat("x", 300), "reasons are cut short")
	assert.Equal(t, 21, strings.Count(out, "level=DEBUG msg=\"Rejected capture request"), out)
	assert.Equal(t, 1, strings.Count(out, "level=WARN"), "the first rejection warns, the others wait for the next summary:\n"+out)
	for _, line := range strings.Split(out, "\n") {
		assert.Less(t, len(line), 1000)
	}
}

func TestPCInRejectionsSummary(t *testing.T) {
	logs := &streamtest.Logs{}
	logger := service.NewLoggerFromSlog(slog.New(slog.NewTextHandler(logs, nil)))
	rj := newPCInRejections(logger, service.MockResources().Metrics())
	r := httptest.NewRequest("POST", "/e/", nil)
	rj.request("a", r, 400, "bad")
	rj.request("b", r, 413, "big")
	rj.events("c", r, 3, 5, pcInRejection{Index: 1, Error: "missing distinct_id"})
	rj.mu.Lock()
	rj.since = rj.since.Add(-2 * pcInWarnInterval) // as if a minute passed
	rj.mu.Unlock()
	rj.request("d", r, 400, "bad again")
	out := logs.String()
	require.Equal(t, 2, strings.Count(out, "level=WARN"), out)
	assert.Contains(t, out, "Rejected capture requests since")
	assert.Contains(t, out, "1 with 400, 1 with 413, 3 invalid events left out of accepted requests; the last: 400 from 192.0.2.1:1234: bad again")
	rj.flush(time.Now())
	assert.Equal(t, 2, strings.Count(logs.String(), "level=WARN"), "nothing new, no summary")
}

// The counter reaches Benthos' metrics.
func TestPCInputRejectedMetric(t *testing.T) {
	mux := http.NewServeMux()
	builder := service.NewStreamBuilder()
	builder.SetHTTPMux(mux)
	addr := freeLoopback(t)
	require.NoError(t, builder.SetYAML(`
input:
  posthog_capture:
    address: `+addr+`
output:
  drop: {}
metrics:
  json_api: {}
`))
	stream, err := builder.Build()
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = stream.Run(context.Background()) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = stream.Stop(ctx)
		<-done
	}()
	c := pcInClient(t)
	var resp pcInResponse
	require.Eventually(t, func() bool {
		req, _ := http.NewRequest("POST", "http://"+addr+"/e/", strings.NewReader("{"))
		r, err := c.Do(req)
		if err != nil {
			return false
		}
		r.Body.Close()
		resp.status = r.StatusCode
		return true
	}, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, http.StatusBadRequest, resp.status)

	srv := httptest.NewServer(mux)
	defer srv.Close()
	r, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	assert.Contains(t, string(b), `"posthog_capture_rejected{label=\"\",path=\"root.input\",status=\"400\"}":1`)
}

func freeLoopback(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
