package pluginhost

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	webfetch "github.com/hogpipe/hogpipe/internal/web/fetch"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// ftNoDNS resolves from /etc/hosts only: tests never send a DNS query.
var ftNoDNS = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
	return nil, errors.New("tests do not use DNS")
}}

type ftPlugin struct {
	plugin *Plugin
	pool   *Pool
	log    *testutil.Logger // shown when a test fails
	mem    *state.Memory
}

// ftStart loads and starts a fixture of testdata/fetch with one VM; mod
// adjusts the options, prep the plugin before it starts.
func ftStart(t *testing.T, fixture string, mod func(*Options), prep func(*Plugin)) *ftPlugin {
	t.Helper()
	mem := state.NewMemory()
	log := &testutil.Logger{}
	opts := Options{
		Path:    filepath.Join("testdata", "fetch", fixture),
		Logger:  log,
		Cache:   mem.Cache(),
		Storage: mem.Storage(),
		VMs:     1,
		Timeout: 10 * time.Second,
	}
	if mod != nil {
		mod(&opts)
	}
	p, err := Load(opts)
	require.NoError(t, err)
	ftFetch(p, nil)
	if prep != nil {
		prep(p)
	}
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	fp := &ftPlugin{plugin: p, pool: pool, log: log, mem: mem}
	t.Cleanup(func() {
		fp.close()
		if t.Failed() {
			for _, line := range log.Lines() {
				t.Log(line)
			}
		}
	})
	return fp
}

// close stops the pool, the plugin and its state; it may be called again.
func (fp *ftPlugin) close() {
	_ = fp.pool.Close(context.Background())
	_ = fp.plugin.Close()
	_ = fp.mem.Close()
}

// run sends one event naming a scenario and returns properties.result.
func (fp *ftPlugin) run(t *testing.T, scenario string, props map[string]any) (any, error) {
	t.Helper()
	return fp.runCtx(t.Context(), t, scenario, props)
}

// runCtx is run with the caller's context.
func (fp *ftPlugin) runCtx(ctx context.Context, t *testing.T, scenario string, props map[string]any) (any, error) {
	t.Helper()
	if props == nil {
		props = map[string]any{}
	}
	event, err := json.Marshal(map[string]any{"event": scenario, "distinct_id": "d", "properties": props})
	require.NoError(t, err)
	results, err := fp.pool.ProcessEvents(ctx, [][]byte{event})
	require.NoError(t, err)
	require.Len(t, results, 1)
	if results[0].Err != nil {
		return nil, results[0].Err
	}
	var out struct {
		Properties struct {
			Result any `json:"result"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(results[0].Event, &out))
	return out.Properties.Result, nil
}

func (fp *ftPlugin) mustRun(t *testing.T, scenario string, props map[string]any) map[string]any {
	t.Helper()
	res, err := fp.run(t, scenario, props)
	require.NoError(t, err)
	m, ok := res.(map[string]any)
	require.Truef(t, ok, "result of %s: %#v", scenario, res)
	return m
}

// ftServer is the test HTTP server; it records the requests whose context
// ended before the handler finished.
type ftServer struct {
	*httptest.Server
	hits      atomic.Int32
	cancelled chan string
}

func ftNewServer(t *testing.T) *ftServer {
	s := &ftServer{cancelled: make(chan string, 16)}
	mux := http.NewServeMux()
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		headers := map[string]string{}
		for name, values := range r.Header {
			headers[strings.ToLower(name)] = strings.Join(values, ", ")
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "url": r.URL.String(), "host": r.Host, "headers": headers,
			"body": string(body), "bodyBase64": base64.StdEncoding.EncodeToString(body),
		})
	}
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/bytes", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil {
			n = 256
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i)
		}
		_, _ = w.Write(b)
	})
	mux.HandleFunc("/not-json", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "not json") })
	mux.HandleFunc("/cookies", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1; Path=/")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("Z-Last", "z")
		w.Header().Set("A-First", "a")
		w.Header().Set("X-Latin1", "café")
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "status body")
	})
	mux.HandleFunc("/custom-reason", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 299 Fine Thanks\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		_ = buf.Flush()
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if code == 0 {
			code = http.StatusFound
		}
		if n <= 0 {
			echo(w, r)
			return
		}
		w.Header().Set("Location", fmt.Sprintf("/redirect?n=%d&code=%d&final=echo", n-1, code))
		w.WriteHeader(code)
	})
	mux.HandleFunc("/redirect-to", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("url"), http.StatusFound)
	})
	compressed := func(encoding string, wrap func(io.Writer) io.WriteCloser) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var buf bytes.Buffer
			zw := wrap(&buf)
			_, _ = fmt.Fprintf(zw, `{"compressed":%q}`, r.URL.Path[1:])
			_ = zw.Close()
			w.Header().Set("Content-Encoding", encoding)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(buf.Bytes())
		}
	}
	mux.HandleFunc("/gzip", compressed("gzip", func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) }))
	mux.HandleFunc("/deflate", compressed("deflate", func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) }))
	mux.HandleFunc("/rawdeflate", compressed("deflate", func(w io.Writer) io.WriteCloser {
		fw, _ := flate.NewWriter(w, flate.DefaultCompression)
		return fw
	}))
	mux.HandleFunc("/corrupt-gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = io.WriteString(w, "this is not gzip")
	})
	wait := func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			_, _ = io.WriteString(w, "late")
		case <-r.Context().Done():
			select {
			case s.cancelled <- r.URL.Path:
			default:
			}
		}
	}
	mux.HandleFunc("/slow", wait)
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "partial ")
		_ = http.NewResponseController(w).Flush()
		wait(w, r)
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// ftClosedURL is the URL of a loopback port nothing listens on.
func ftClosedURL(t *testing.T) string {
	return "http://" + testutil.FreeAddr(t)
}

func ftGet(m any, path ...string) any {
	for _, key := range path {
		switch v := m.(type) {
		case map[string]any:
			m = v[key]
		case []any:
			i, _ := strconv.Atoi(key)
			if i >= len(v) {
				return nil
			}
			m = v[i]
		default:
			return nil
		}
	}
	return m
}

//------------------------------------------------------------------------------

func TestFetchGet(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "get", map[string]any{"url": srv.URL})
	assert.Equal(t, true, res["ok"])
	assert.Equal(t, 200.0, res["status"])
	assert.Equal(t, "OK", res["statusText"])
	assert.Equal(t, srv.URL+"/echo?x=1", res["url"])
	assert.Equal(t, false, res["redirected"])
	assert.Equal(t, "application/json; charset=utf-8", res["contentType"])
	assert.Equal(t, true, res["hasContentType"])
	assert.Nil(t, res["missing"])
	assert.Equal(t, true, res["bodyUsed"], "read after json()")
	assert.Equal(t, true, res["globalIsModule"])
	assert.Equal(t, "GET", ftGet(res, "body", "method"))
	assert.Equal(t, "/echo?x=1", ftGet(res, "body", "url"))
	// node-fetch v2's default headers.
	assert.Equal(t, "*/*", ftGet(res, "body", "headers", "accept"))
	assert.Equal(t, "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", ftGet(res, "body", "headers", "user-agent"))
	assert.Equal(t, "gzip,deflate", ftGet(res, "body", "headers", "accept-encoding"))
}

func TestFetchMethods(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "methods", map[string]any{"url": srv.URL})
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		assert.Equal(t, m, res[m])
	}
	assert.Equal(t, "POST", res["post"], "methods are upper-cased")
	assert.Equal(t, map[string]any{"status": 200.0, "text": ""}, res["HEAD"])
}

func TestFetchHeaders(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "headers", map[string]any{"url": srv.URL})
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("user:pass")), res["authorization"])
	assert.Equal(t, "42", res["num"])
	assert.Equal(t, "1, 2", res["pairs"])
	assert.Equal(t, "b", res["b"])
	assert.Equal(t, "one, uno", res["one"])
	assert.Equal(t, "my-agent/1.0", res["userAgent"])
	assert.Equal(t, "application/json", res["accept"])
	assert.Equal(t, "one, uno", res["get"])
	assert.Equal(t, []any{"accept=application/json", "user-agent=my-agent/1.0", "x-one=one, uno"}, res["iterated"])
	assert.Equal(t, []any{
		[]any{"accept", "application/json"}, []any{"user-agent", "my-agent/1.0"}, []any{"x-one", "one, uno"},
	}, res["entries"])
	assert.Equal(t, "TypeError", ftGet(res, "invalid", "name"))
	assert.Equal(t, "bad name is not a legal HTTP header name", ftGet(res, "invalid", "message"))
}

func TestFetchBodies(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "bodies", map[string]any{"url": srv.URL})
	assert.Equal(t, []any{"héllo", "text/plain;charset=UTF-8", "6"}, res["string"])
	assert.Equal(t, []any{base64.StdEncoding.EncodeToString([]byte{1, 2, 3, 255}), nil}, res["buffer"])
	assert.Equal(t, "i", res["uint8array"], "a view sends only its own bytes")
	assert.Equal(t, base64.StdEncoding.EncodeToString([]byte{7, 8}), res["arrayBuffer"])
	assert.Equal(t, []any{"a=1&b=two+words", "application/x-www-form-urlencoded;charset=UTF-8"}, res["params"])
	assert.Equal(t, []any{`{"k":"v"}`, "application/json"}, res["json"])
	assert.Equal(t, []any{"", "0"}, res["empty"])
	assert.Equal(t, "TypeError", ftGet(res, "getWithBody", "name"))
	assert.Equal(t, "Request with GET/HEAD method cannot have body", ftGet(res, "getWithBody", "message"))
}

func TestFetchReaders(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "readers", map[string]any{"url": srv.URL})
	assert.Equal(t, "GET", res["text"])
	assert.Equal(t, []any{true, 256.0, 0.0, 255.0}, res["buffer"])
	assert.Equal(t, []any{true, 256.0}, res["arrayBuffer"])
	assert.Equal(t, true, res["bodyUsed"])
	assert.Equal(t, "TypeError", ftGet(res, "again", "name"))
	assert.Equal(t, "body used already for: "+srv.URL+"/echo", ftGet(res, "again", "message"))
	assert.Equal(t, "FetchError", ftGet(res, "invalid", "name"))
	assert.Equal(t, "invalid-json", ftGet(res, "invalid", "type"))
	assert.Contains(t, ftGet(res, "invalid", "message"), "invalid json response body at "+srv.URL+"/not-json reason: ")
	assert.Equal(t, []any{"a=1; Path=/", "b=2"}, res["setCookie"])
	assert.Equal(t, "a=1; Path=/, b=2", res["setCookieJoined"])
	assert.Equal(t, []any{"a-first", "content-length", "date", "set-cookie", "x-latin1", "z-last"}, res["sortedNames"])
	assert.Equal(t, "cafÃ©", res["latin1"], "header bytes are read as Latin-1, as Node does")
	assert.Equal(t, "GET", res["clone"])
	assert.Equal(t, true, res["bodyIsBuffer"])
}

func TestFetchStatus(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "status", map[string]any{"url": srv.URL})
	assert.Equal(t, []any{false, 404.0, "Not Found", "status body"}, res["notFound"])
	assert.Equal(t, []any{false, 503.0, "Service Unavailable"}, res["error"])
	assert.Equal(t, []any{true, 299.0, "Fine Thanks", "ok"}, res["custom"])
}

func TestFetchRedirects(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "redirects", map[string]any{"url": srv.URL})
	final := srv.URL + "/redirect?n=0&code=302&final=echo"
	assert.Equal(t, []any{200.0, true, final, "/redirect?n=0&code=302&final=echo"}, res["follow"])
	assert.Equal(t, []any{302.0, false, srv.URL + "/redirect?n=0&code=302&final=echo"}, res["manual"], "manual: Location made absolute")
	assert.Equal(t, "FetchError", ftGet(res, "error", "name"))
	assert.Equal(t, "no-redirect", ftGet(res, "error", "type"))
	assert.Equal(t, "uri requested responds with a redirect, redirect mode is set to error: "+srv.URL+"/redirect?n=1", ftGet(res, "error", "message"))
	assert.Equal(t, "max-redirect", ftGet(res, "tooMany", "type"))
	assert.Equal(t, "maximum redirect reached at: "+srv.URL+"/redirect?n=1&code=302&final=echo", ftGet(res, "tooMany", "message"))
	assert.Equal(t, "max-redirect", ftGet(res, "twentyOne", "type"), "20 redirects at most by default")
	assert.Equal(t, []any{200.0, true}, res["twenty"])
	assert.Equal(t, "GET", res["seeOther"], "303 turns POST into GET")
	assert.Equal(t, []any{"POST", "kept"}, res["keep"], "307 keeps method and body")
}

func TestFetchCompression(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "compression", map[string]any{"url": srv.URL})
	assert.Equal(t, []any{"gzip", "gzip"}, res["gzip"])
	assert.Equal(t, []any{"deflate", "deflate"}, res["deflate"])
	assert.Equal(t, []any{"rawdeflate", "deflate"}, res["rawdeflate"])
	assert.Equal(t, "1f8b", res["uncompressed"], "compress: false leaves the body as sent")
	assert.Equal(t, "gzip,deflate", res["acceptEncoding"])
	assert.Equal(t, "FetchError", ftGet(res, "corrupt", "name"))
	assert.Equal(t, "Z_DATA_ERROR", ftGet(res, "corrupt", "code"))
	assert.Contains(t, ftGet(res, "corrupt", "message"), "Invalid response body while trying to fetch "+srv.URL+"/corrupt-gzip: ")
}

func TestFetchTimeoutOption(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "timeout", map[string]any{"url": srv.URL})
	assert.Equal(t, "FetchError", ftGet(res, "slow", "name"))
	assert.Equal(t, "request-timeout", ftGet(res, "slow", "type"))
	assert.Equal(t, "network timeout at: "+srv.URL+"/slow?ms=3000", ftGet(res, "slow", "message"))
	assert.Equal(t, "body-timeout", ftGet(res, "slowBody", "type"))
	assert.Equal(t, "Response timeout while trying to fetch "+srv.URL+"/slow-body?ms=3000 (over 200ms)", ftGet(res, "slowBody", "message"))
	assert.Equal(t, true, res["quick"])
}

func TestFetchAbortController(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "abort", map[string]any{"url": srv.URL})
	for _, key := range []string{"aborted", "preAborted", "timeoutSignal"} {
		assert.Equal(t, "AbortError", ftGet(res, key, "name"), key)
		assert.Equal(t, "aborted", ftGet(res, key, "type"), key)
		assert.Equal(t, "The user aborted a request.", ftGet(res, key, "message"), key)
		assert.Equal(t, true, ftGet(res, key, "isAbortError"), key)
	}
	assert.Equal(t, true, res["quick"])
	assert.Equal(t, []any{"abort", "onabort"}, res["events"], "listeners in order of registration, once")
	assert.Equal(t, []any{true, "AbortError"}, res["reason"])
	assert.Equal(t, 200.0, res["after"])
	assert.Equal(t, "Expected signal to be an instanceof AbortSignal", ftGet(res, "badSignal", "message"))
	// The aborted request was cancelled on the wire too.
	select {
	case path := <-srv.cancelled:
		assert.Equal(t, "/slow", path)
	case <-time.After(5 * time.Second):
		t.Fatal("the server never saw the aborted request end")
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	closed := ftClosedURL(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "refused", map[string]any{"url": closed})
	addr := strings.TrimPrefix(closed, "http://")
	assert.Equal(t, "FetchError", res["name"])
	assert.Equal(t, "system", res["type"])
	assert.Equal(t, "ECONNREFUSED", res["code"])
	assert.Equal(t, "ECONNREFUSED", res["errno"])
	assert.Equal(t, "request to "+closed+"/nothing-listens failed, reason: connect ECONNREFUSED "+addr, res["message"])
	assert.Equal(t, true, res["isError"])
}

func TestFetchInvalidRequests(t *testing.T) {
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "invalid", nil)
	assert.Equal(t, "Only absolute URLs are supported", ftGet(res, "relative", "message"))
	assert.Equal(t, "Only HTTP(S) protocols are supported", ftGet(res, "ftp", "message"))
	assert.Equal(t, true, ftGet(res, "garbage", "isTypeError"))
}

func TestFetchSizeLimit(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "size", map[string]any{"url": srv.URL})
	assert.Equal(t, "max-size", ftGet(res, "over", "type"))
	assert.Equal(t, "content size at "+srv.URL+"/bytes?n=2048 over limit: 1024", ftGet(res, "over", "message"))
	assert.Equal(t, 512.0, res["under"])
}

func TestFetchConstructors(t *testing.T) {
	fp := ftStart(t, "esm", nil, nil)
	res := fp.mustRun(t, "constructors", nil)
	assert.Equal(t, []any{201.0, true, "Created", "z", "text/plain;charset=UTF-8", "made"}, res["response"])
	assert.Equal(t, []any{"POST", "http://example.com/a", "text/plain;charset=UTF-8", "b"}, res["request"])
	assert.Equal(t, "FetchError", ftGet(res, "error", "name"))
	assert.Equal(t, "custom", ftGet(res, "error", "type"))
	assert.Equal(t, "ECODE", ftGet(res, "error", "code"))
	assert.Equal(t, true, ftGet(res, "error", "isError"))
	assert.Equal(t, "AbortError", ftGet(res, "abortError", "name"))
}

func TestFetchCommonJS(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "cjs", nil, nil)
	res := fp.mustRun(t, "any", map[string]any{"url": srv.URL})
	for _, key := range []string{"isFunction", "defaultIsFetch", "globalIsFetch", "esModule", "classes", "globalClasses", "isRedirect"} {
		assert.Equal(t, true, res[key], key)
	}
	assert.Equal(t, "GET", res["method"])
}

// A request still running when its call times out is cancelled.
func TestFetchCancelledWithCall(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", func(o *Options) { o.Timeout = 300 * time.Millisecond }, nil)
	_, err := fp.run(t, "hang", map[string]any{"url": srv.URL})
	require.Error(t, err)
	assert.True(t, IsRetry(err), "a timeout: %v", err)
	select {
	case path := <-srv.cancelled:
		assert.Equal(t, "/slow", path)
	case <-time.After(5 * time.Second):
		t.Fatal("the request outlived the call")
	}
}

// Pool and plugin close leave no goroutine behind (kept-alive connections
// included).
func TestFetchNoLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	fp.mustRun(t, "get", map[string]any{"url": srv.URL})
	fp.mustRun(t, "abort", map[string]any{"url": srv.URL})
	fp.close()
	srv.Close()
	goleak.VerifyNone(t, ignore)
}

// ftFetch gives p a fetch that never queries DNS, and sends through proxy
// when one is given.
func ftFetch(p *Plugin, proxy func(*http.Request) (*url.URL, error)) {
	ftFetchResolving(p, proxy, ftNoDNS)
}

// ftFetchResolving is ftFetch with the resolver given.
func ftFetchResolving(p *Plugin, proxy func(*http.Request) (*url.URL, error), resolver *net.Resolver) {
	opts := fetchOptions(p.opts)
	opts.Resolver = resolver
	opts.Proxy = proxy
	p.fetch = webfetch.New(opts)
}
