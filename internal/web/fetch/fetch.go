// Package fetch is node-fetch v2 (the original plugin server's fetch) over
// net/http and the guarded client of internal/outbound: the fetch global
// with Headers, Request and Response, the node-fetch module, and, as Node
// has them, AbortController, AbortSignal and DOMException.
package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
	"github.com/hogpipe/hogpipe/internal/outbound"
)

// fetch is node-fetch v2 (the original server's fetch) over net/http: the
// global fetch, Headers, Request and Response, the node-fetch module
// (default export plus Headers, Request, Response, FetchError, AbortError)
// and, as Node has them, AbortController, AbortSignal and DOMException.
//
// The JavaScript side builds requests and responses; host.send validates a
// request on the loop, runs it in a goroutine bounded by the current call's
// context (a request still running when the call ends or times out is
// cancelled), reads the whole body there (decoding gzip and deflate) and
// settles the promise once, on the loop. Response bodies are buffered, so
// res.body is a Buffer, not a stream.

// maxFetchBody bounds a response body read into memory.
const maxFetchBody = 100 << 20

// MaxInFlight bounds the requests one runtime has open at once; a fetch
// beyond it fails at once. Each open request holds a connection, a
// goroutine and, soon, its body in memory: one call made 3,000.
const MaxInFlight = 100

// fetchExportsKey holds the VM's fetch function (the node-fetch module) on
// the global object, out of reach of plugin assignments to globalThis.fetch;
// fetchFactoryKey the prelude's makeFetch, for FetchFor. A plugin can find
// both (Object.getOwnPropertySymbols) but gains nothing: makeFetch only
// builds a fetch over a send function the caller supplies.
var (
	fetchExportsKey = goja.NewSymbol("hogpipe.node-fetch")
	fetchFactoryKey = goja.NewSymbol("hogpipe.fetch-factory")
)

var (
	errFetchAborted = errors.New("fetch aborted")
	errFetchTimeout = errors.New("fetch timeout")
)

//go:embed fetch.js
var fetchPreludeSource string

var fetchPreludeProgram = goja.MustCompile("web:fetch", fetchPreludeSource, true)

// Options configure a Fetch.
type Options = outbound.Options

// Fetch is one plugin's fetch: the guarded client its VMs share. Enable
// installs the globals into a runtime; Close waits for running requests.
type Fetch struct {
	client *outbound.Client
}

// New returns a Fetch; its client is built on the first request.
func New(opts Options) *Fetch {
	if opts.CheckRedirect == nil {
		opts.CheckRedirect = checkFetchRedirect
	}
	return &Fetch{client: outbound.New(opts)}
}

// Client is the guarded client, for host code that makes requests on the
// plugin's behalf with fetch's rules (webhooks).
func (f *Fetch) Client() *outbound.Client { return f.client }

// Close refuses new requests and waits (boundedly) for running ones.
func (f *Fetch) Close() { f.client.Close() }

// Global is Enable as a node.Global.
func (f *Fetch) Global() node.Global { return node.Global{Name: "fetch", Install: f.Enable} }

// Enable defines fetch, Headers, Request, Response, AbortController,
// AbortSignal and (unless defined) DOMException in rt.
func (f *Fetch) Enable(rt *goja.Runtime, h node.Host) error {
	host := rt.NewObject()
	inFlight := new(atomic.Int64) // this runtime's open requests
	_ = host.Set("send", func(call goja.FunctionCall) goja.Value { return f.send(rt, h, inFlight, call, nil) })
	_ = host.Set("statusText", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(http.StatusText(int(call.Argument(0).ToInteger())))
	})
	_ = host.Set("decodeUTF8", func(call goja.FunctionCall) goja.Value {
		var b []byte
		if err := rt.ExportTo(call.Argument(0), &b); err != nil {
			panic(rt.NewTypeError(fmt.Sprintf("decode: %v", err)))
		}
		if !utf8.Valid(b) {
			return rt.ToValue(string([]rune(string(b))))
		}
		return rt.ToValue(string(b))
	})
	_ = host.Set("reportError", func(call goja.FunctionCall) goja.Value {
		h.ReportError(fmt.Errorf("abort listener: %s", describe(rt, call.Argument(0))))
		return goja.Undefined()
	})
	prelude, err := rt.RunProgram(fetchPreludeProgram)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	run, _ := goja.AssertFunction(prelude)
	res, err := run(goja.Undefined(), rt.GlobalObject(), host)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	exports := res.ToObject(rt)
	global := rt.GlobalObject()
	for _, name := range []string{"fetch", "Headers", "Request", "Response", "AbortController", "AbortSignal", "DOMException"} {
		if existing := global.Get(name); existing != nil && !goja.IsUndefined(existing) {
			continue
		}
		if err := global.DefineDataProperty(name, exports.Get(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return fmt.Errorf("fetch: define %s: %w", name, err)
		}
	}
	if err := global.DefineDataPropertySymbol(fetchFactoryKey, exports.Get("makeFetch"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	return global.DefineDataPropertySymbol(fetchExportsKey, exports.Get("fetch"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// Credentials are secrets of the host (the operator's PostHog keys) that a
// fetch made by FetchFor adds to its requests. They are added in Go, to the
// request the JavaScript layer has already built, so plugin code never
// holds them: a plugin can replace any prototype method that layer uses
// (Headers.prototype.append, Map.prototype.set, URLSearchParams,
// JSON.stringify…), and would read whatever passed through it.
type Credentials struct {
	// Origin (scheme://host[:port]) is the only place they go: a request
	// to another origin is sent without them, and a redirect leaving the
	// origin is refused.
	Origin string
	// Bearer is sent as "Authorization: Bearer …" unless the request sets
	// Authorization itself.
	Bearer string
	// Token is sent as `token` unless the request has one: a query
	// parameter of a GET, HEAD or DELETE, else a member of the JSON object
	// body.
	Token string
	// Foreign, if set, is told of each request sent without them because
	// it went to another origin.
	Foreign func(u *url.URL)
}

// FetchFor returns a fetch function for rt (installed by Enable) that adds
// creds to requests sent to creds.Origin.
func (f *Fetch) FetchFor(rt *goja.Runtime, h node.Host, creds Credentials) (goja.Value, error) {
	origin, err := url.Parse(creds.Origin)
	if err != nil || origin.Host == "" || (origin.Scheme != "http" && origin.Scheme != "https") {
		return nil, fmt.Errorf("fetch: credentials origin %q: want http(s)://host[:port]", creds.Origin)
	}
	creds.Origin = originOf(origin)
	factory, ok := goja.AssertFunction(rt.GlobalObject().GetSymbol(fetchFactoryKey))
	if !ok {
		return nil, errors.New("fetch: install the fetch global first")
	}
	// A fetch with credentials (posthog.api) counts its own open requests:
	// its limit adds to, and cannot be exhausted by, the plugin's fetch.
	inFlight := new(atomic.Int64)
	send := func(call goja.FunctionCall) goja.Value { return f.send(rt, h, inFlight, call, &creds) }
	return factory(goja.Undefined(), rt.ToValue(send))
}

// originOf is u's scheme, host and port (the default one written out).
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port)
}

// addCredentials adds creds to spec when it goes to their origin and
// returns the secrets to keep out of what the plugin sees of the request
// (error messages, the response's url).
func addCredentials(spec *fetchSpec, creds *Credentials) []string {
	if originOf(spec.url) != creds.Origin {
		if creds.Foreign != nil && (creds.Bearer != "" || creds.Token != "") {
			creds.Foreign(spec.url)
		}
		return nil
	}
	spec.credOrigin = creds.Origin
	// A Host header would let code that tampered with the request route it
	// to another site behind the same front end (a CDN): the keys go to
	// the origin's own host name only.
	spec.host = ""
	var secrets []string
	if creds.Bearer != "" && spec.header.Get("Authorization") == "" {
		spec.header.Set("Authorization", "Bearer "+creds.Bearer)
		secrets = append(secrets, creds.Bearer)
	}
	if creds.Token == "" {
		return secrets
	}
	switch strings.ToUpper(spec.method) {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		if !spec.url.Query().Has("token") {
			u := *spec.url
			if u.RawQuery != "" {
				u.RawQuery += "&"
			}
			u.RawQuery += "token=" + url.QueryEscape(creds.Token)
			spec.url = &u
			secrets = append(secrets, creds.Token, url.QueryEscape(creds.Token))
		}
	default:
		var members map[string]json.RawMessage
		if json.Unmarshal(spec.body, &members) != nil || members == nil {
			return secrets // not a JSON object: nowhere to put a token
		}
		if _, ok := members["token"]; ok {
			return secrets
		}
		token, _ := json.Marshal(creds.Token)
		rest := bytes.TrimSpace(bytes.TrimSpace(spec.body)[1:])
		body := append([]byte(`{"token":`), token...)
		if len(rest) > 0 && rest[0] != '}' {
			body = append(body, ',')
		}
		spec.body = append(body, rest...)
		secrets = append(secrets, creds.Token)
	}
	return secrets
}

// redactSecrets replaces each secret in s by "***".
func redactSecrets(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// Module serves node-fetch: module.exports is the fetch function Enable
// defined, with default, Headers, Request, Response, FetchError and
// AbortError on it.
func Module() node.Module {
	return node.Module{Name: "node-fetch", Load: func(node.Host) require.ModuleLoader {
		return func(rt *goja.Runtime, module *goja.Object) {
			_ = module.Set("exports", rt.GlobalObject().GetSymbol(fetchExportsKey))
		}
	}}
}

// describe renders a value thrown by an abort listener for the log: an
// error's stack, else its string form.
func describe(rt *goja.Runtime, val goja.Value) (s string) {
	defer func() {
		if recover() != nil {
			s = "(a value that cannot be shown)"
		}
	}()
	if obj, ok := val.(*goja.Object); ok {
		if stack := obj.Get("stack"); stack != nil && !goja.IsUndefined(stack) {
			return stack.String()
		}
		if _, isFunc := goja.AssertFunction(obj); !isFunc {
			if b, err := obj.MarshalJSON(); err == nil {
				return string(b)
			}
		}
	}
	return val.String()
}

//------------------------------------------------------------------------------

// fetchSpec is a request as host.send received it, in Go values only.
type fetchSpec struct {
	url      *url.URL
	method   string
	header   http.Header
	host     string
	body     []byte // nil: no body
	redirect string
	follow   int
	timeout  time.Duration
	compress bool
	size     int64
	caller   string // the plugin function the request belongs to
	// credOrigin is set when the host added credentials: redirects may not
	// leave this origin.
	credOrigin string
}

// fetchResult is a response with its body read.
type fetchResult struct {
	url        string
	status     int
	statusText string
	header     []string // name, value, name, value… names lower case
	body       []byte
	redirects  int
}

// fetchFailure is a rejection: a FetchError of Type (or an AbortError).
type fetchFailure struct {
	Type    string // "system", "request-timeout", "max-redirect", … or "aborted"
	Message string
	Code    string
}

// fetchSend is host.send(spec): it starts the request and returns
// [promise, abort]. The promise resolves with the raw response or rejects
// with a failure description; the JavaScript side makes them a Response or
// an error.
func (f *Fetch) send(rt *goja.Runtime, h node.Host, inFlight *atomic.Int64, call goja.FunctionCall, creds *Credentials) goja.Value {
	spec, err := readFetchSpec(rt, call.Argument(0))
	if err != nil {
		panic(rt.NewTypeError(err.Error()))
	}
	shown := spec.url
	var secrets []string
	if creds != nil {
		secrets = addCredentials(spec, creds)
	}
	shared := f.client
	client, err := shared.HTTP()
	if err != nil {
		panic(rt.NewGoError(err))
	}
	parent := h.Context()
	spec.caller = node.Caller(parent)
	later := h.Callback()
	promise, resolve, reject := rt.NewPromise()
	ctx, cancel := context.WithCancelCause(parent)
	abort := func(goja.FunctionCall) goja.Value {
		cancel(errFetchAborted)
		return goja.Undefined()
	}
	result := rt.NewArray(promise, abort)
	if inFlight.Load() >= MaxInFlight {
		cancel(nil)
		_ = reject(fetchFailureValue(rt, &fetchFailure{
			Type: "system",
			Message: fmt.Sprintf("request to %s failed, reason: too many requests in flight: a plugin VM may have %d open at once",
				spec.url, MaxInFlight),
		}))
		return result
	}
	if !shared.Begin() {
		cancel(nil)
		_ = reject(fetchFailureValue(rt, &fetchFailure{
			Type:    "system",
			Message: fmt.Sprintf("request to %s failed, reason: the plugin is shutting down", shown),
		}))
		return result
	}
	inFlight.Add(1)
	go func() {
		defer shared.End()
		defer inFlight.Add(-1)
		res, failure := doFetch(ctx, client, spec)
		cancel(nil)
		if len(secrets) > 0 {
			if failure != nil {
				failure.Message = redactSecrets(failure.Message, secrets)
			}
			if res != nil {
				res.url = redactSecrets(res.url, secrets)
			}
		}
		if failure != nil && errors.Is(parent.Err(), context.DeadlineExceeded) {
			// The call timed out: it fails as a timeout and its VM is
			// discarded. Settling here could let the plugin catch a
			// FetchError first and carry on past its deadline.
			return
		}
		later(func() {
			if failure != nil {
				_ = reject(fetchFailureValue(rt, failure))
				return
			}
			_ = resolve(fetchResultValue(rt, res))
		})
	}()
	return result
}

func readFetchSpec(rt *goja.Runtime, val goja.Value) (*fetchSpec, error) {
	obj, ok := val.(*goja.Object)
	if !ok {
		return nil, errors.New("fetch: invalid request")
	}
	rawURL := obj.Get("url").String()
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("Invalid URL: %s", rawURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("Only HTTP(S) protocols are supported")
	}
	if u.Host == "" {
		return nil, errors.New("Only absolute URLs are supported")
	}
	spec := &fetchSpec{
		url:      u,
		method:   obj.Get("method").String(),
		header:   make(http.Header),
		redirect: obj.Get("redirect").String(),
		follow:   int(obj.Get("follow").ToInteger()),
		timeout:  msToTimeout(obj.Get("timeout").ToFloat()),
		compress: obj.Get("compress").ToBoolean(),
		size:     obj.Get("size").ToInteger(),
	}
	var flat []string
	if err := rt.ExportTo(obj.Get("headers"), &flat); err != nil {
		return nil, fmt.Errorf("fetch: headers: %w", err)
	}
	for i := 0; i+1 < len(flat); i += 2 {
		name, value := flat[i], latin1(flat[i+1])
		if strings.EqualFold(name, "host") {
			spec.host = value
			continue
		}
		key := http.CanonicalHeaderKey(name)
		spec.header[key] = append(spec.header[key], value)
	}
	if body := obj.Get("body"); body != nil && !goja.IsNull(body) && !goja.IsUndefined(body) {
		var b []byte
		if err := rt.ExportTo(body, &b); err != nil {
			return nil, fmt.Errorf("fetch: body: %w", err)
		}
		spec.body = bytes.Clone(b)
		if spec.body == nil {
			spec.body = []byte{}
		}
	}
	return spec, nil
}

// msToTimeout reads node-fetch's timeout option: 0 (or anything not a
// positive number of milliseconds below ~290 years) means none.
func msToTimeout(ms float64) time.Duration {
	if !(ms > 0) || ms >= float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// latin1 writes a header string as Node does: one byte per character.
func latin1(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			b := make([]byte, 0, len(s))
			for _, r := range s {
				b = append(b, byte(r))
			}
			return string(b)
		}
	}
	return s
}

// fromLatin1 reads header bytes as Node does: one character per byte.
func fromLatin1(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			r := make([]rune, len(s))
			for j := 0; j < len(s); j++ {
				r[j] = rune(s[j])
			}
			return string(r)
		}
	}
	return s
}

func fetchResultValue(rt *goja.Runtime, res *fetchResult) goja.Value {
	obj := rt.NewObject()
	header := make([]any, len(res.header))
	for i, s := range res.header {
		header[i] = s
	}
	_ = obj.Set("url", res.url)
	_ = obj.Set("status", res.status)
	_ = obj.Set("statusText", res.statusText)
	_ = obj.Set("headers", rt.NewArray(header...))
	_ = obj.Set("body", rt.NewArrayBuffer(res.body))
	_ = obj.Set("counter", res.redirects)
	return obj
}

func fetchFailureValue(rt *goja.Runtime, f *fetchFailure) goja.Value {
	obj := rt.NewObject()
	_ = obj.Set("type", f.Type)
	_ = obj.Set("message", f.Message)
	if f.Code != "" {
		_ = obj.Set("code", f.Code)
	}
	return obj
}

//------------------------------------------------------------------------------

type redirectStateKey struct{}

// redirectState carries a request's redirect settings to CheckRedirect and
// the number of redirects followed back.
type redirectState struct {
	mode    string
	follow  int
	count   int
	failure *fetchFailure
	origin  string // set for a request carrying host credentials
}

func checkFetchRedirect(req *http.Request, via []*http.Request) error {
	st, _ := req.Context().Value(redirectStateKey{}).(*redirectState)
	if st == nil {
		st = &redirectState{mode: "follow", follow: 20}
	}
	prev := via[len(via)-1].URL.String()
	switch st.mode {
	case "follow":
	case "error":
		st.failure = &fetchFailure{Type: "no-redirect", Message: "uri requested responds with a redirect, redirect mode is set to error: " + prev}
		return errors.New(st.failure.Message)
	default: // "manual", or a mode node-fetch does not know
		return http.ErrUseLastResponse
	}
	if st.origin != "" && originOf(req.URL) != st.origin {
		st.failure = &fetchFailure{Type: "no-redirect", Message: fmt.Sprintf("redirect from %s to another origin (%s) refused: the request carries the host's credentials", st.origin, originOf(req.URL))}
		return errors.New(st.failure.Message)
	}
	if len(via) > st.follow {
		st.failure = &fetchFailure{Type: "max-redirect", Message: "maximum redirect reached at: " + prev}
		return errors.New(st.failure.Message)
	}
	st.count = len(via)
	return nil
}

// doFetch runs one request and reads its body; it runs in a goroutine.
func doFetch(ctx context.Context, client *http.Client, spec *fetchSpec) (*fetchResult, *fetchFailure) {
	parent := ctx
	st := &redirectState{mode: spec.redirect, follow: spec.follow, origin: spec.credOrigin}
	ctx = context.WithValue(ctx, redirectStateKey{}, st)

	// node-fetch's timeout covers the wait for the response, then, afresh,
	// the body.
	var timedOut atomic.Int32
	bodyPhase := func() {}
	if spec.timeout > 0 {
		var phase atomic.Int32
		phase.Store(1)
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		timer := time.AfterFunc(spec.timeout, func() {
			timedOut.Store(phase.Load())
			cancel(errFetchTimeout)
		})
		defer timer.Stop()
		bodyPhase = func() {
			phase.Store(2)
			timer.Reset(spec.timeout)
		}
	}
	return sendFetch(ctx, parent, client, spec, st, &timedOut, bodyPhase)
}

func sendFetch(ctx, parent context.Context, client *http.Client, spec *fetchSpec, st *redirectState, timedOut *atomic.Int32, bodyPhase func()) (*fetchResult, *fetchFailure) {
	var body io.Reader
	if spec.body != nil {
		body = bytes.NewReader(spec.body)
	}
	req, err := http.NewRequestWithContext(ctx, spec.method, spec.url.String(), body)
	if err != nil {
		return nil, &fetchFailure{Type: "system", Message: fmt.Sprintf("request to %s failed, reason: %v", spec.url, err)}
	}
	req.Header = spec.header
	if spec.host != "" {
		req.Host = spec.host
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchFailureFor(ctx, parent, spec, st, timedOut, err, false)
	}
	defer resp.Body.Close()
	bodyPhase()

	finalURL := resp.Request.URL.String()
	res := &fetchResult{
		url:        finalURL,
		status:     resp.StatusCode,
		statusText: strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" "),
		redirects:  st.count,
	}
	if res.statusText == resp.Status {
		res.statusText = http.StatusText(resp.StatusCode)
	}
	header := resp.Header
	if loc := header.Get("Location"); loc != "" && spec.redirect == "manual" && isRedirectStatus(resp.StatusCode) {
		// node-fetch v2 makes a manual redirect's Location absolute.
		if abs, err := resp.Request.URL.Parse(loc); err == nil {
			header = header.Clone()
			header.Set("Location", abs.String())
		}
	}
	res.header = flattenHeader(header, resp.TransferEncoding)

	res.body, err = readFetchBody(resp, spec)
	if err != nil {
		var tooBig *bodyTooLargeError
		if errors.As(err, &tooBig) {
			return nil, &fetchFailure{Type: "max-size", Message: fmt.Sprintf("content size at %s over limit: %d%s", finalURL, tooBig.limit, tooBig.note)}
		}
		return nil, fetchFailureFor(ctx, parent, spec, st, timedOut, &bodyReadError{url: finalURL, err: err}, true)
	}
	return res, nil
}

func isRedirectStatus(code int) bool {
	return code == 301 || code == 302 || code == 303 || code == 307 || code == 308
}

// flattenHeader lists a response's headers as node-fetch sees them: lower
// case names, sorted, values as Latin-1 strings.
func flattenHeader(h http.Header, transferEncoding []string) []string {
	names := make([]string, 0, len(h)+1)
	for name := range h {
		names = append(names, name)
	}
	if len(transferEncoding) > 0 && h.Get("Transfer-Encoding") == "" {
		names = append(names, "Transfer-Encoding")
	}
	slices.Sort(names)
	out := make([]string, 0, 2*len(names))
	for _, name := range names {
		lower := strings.ToLower(name)
		values := h[name]
		if name == "Transfer-Encoding" && len(values) == 0 {
			values = []string{strings.Join(transferEncoding, ", ")}
		}
		for _, value := range values {
			out = append(out, lower, fromLatin1(value))
		}
	}
	return out
}

type bodyTooLargeError struct {
	limit int64
	note  string
}

func (e *bodyTooLargeError) Error() string { return fmt.Sprintf("body over %d bytes", e.limit) }

type bodyReadError struct {
	url string
	err error
}

func (e *bodyReadError) Error() string { return e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// readFetchBody reads the (decoded) body, up to the size option and at most
// maxFetchBody bytes.
func readFetchBody(resp *http.Response, spec *fetchSpec) ([]byte, error) {
	limit, note := int64(maxFetchBody), " (hogpipe's response size limit)"
	if spec.size > 0 && spec.size <= limit {
		limit, note = spec.size, ""
	}
	var r io.Reader = resp.Body
	decoded := false
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	decode := spec.compress && spec.method != http.MethodHead &&
		resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified
	if decode {
		switch encoding {
		case "gzip", "x-gzip":
			br := bufio.NewReader(r)
			if _, err := br.Peek(1); err == io.EOF {
				return []byte{}, nil
			}
			gz, err := gzip.NewReader(br)
			if err != nil {
				return nil, err
			}
			defer gz.Close()
			r, decoded = gz, true
		case "deflate", "x-deflate":
			br := bufio.NewReader(r)
			first, err := br.Peek(1)
			if err == io.EOF {
				return []byte{}, nil
			}
			if err != nil {
				return nil, err
			}
			if first[0]&0x0f == 0x08 {
				zr, err := zlib.NewReader(br)
				if err != nil {
					return nil, err
				}
				defer zr.Close()
				r, decoded = zr, true
			} else {
				fr := flate.NewReader(br)
				defer fr.Close()
				r, decoded = fr, true
			}
		}
	}
	if resp.ContentLength > limit && !decoded {
		return nil, &bodyTooLargeError{limit: limit, note: note}
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 && resp.ContentLength <= limit {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &bodyTooLargeError{limit: limit, note: note}
	}
	return buf.Bytes(), nil
}

// fetchFailureFor describes why a request failed as node-fetch would.
func fetchFailureFor(ctx, parent context.Context, spec *fetchSpec, st *redirectState, timedOut *atomic.Int32, err error, inBody bool) *fetchFailure {
	target := spec.url.String()
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		target = ue.URL
	}
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errFetchAborted):
		return &fetchFailure{Type: "aborted", Message: "The user aborted a request."}
	case errors.Is(cause, errFetchTimeout):
		if timedOut.Load() == 2 {
			return &fetchFailure{Type: "body-timeout", Message: fmt.Sprintf("Response timeout while trying to fetch %s (over %dms)", target, spec.timeout.Milliseconds())}
		}
		return &fetchFailure{Type: "request-timeout", Message: "network timeout at: " + target}
	}
	if parent.Err() != nil {
		who := spec.caller
		if who == "" {
			who = "the plugin VM"
		}
		if errors.Is(parent.Err(), context.DeadlineExceeded) {
			return &fetchFailure{Type: "system", Code: "ETIMEDOUT", Message: fmt.Sprintf("request to %s failed, reason: %s timed out", target, who)}
		}
		return &fetchFailure{Type: "system", Code: "ECANCELED", Message: fmt.Sprintf("request to %s failed, reason: %s ended before the request finished", target, who)}
	}
	if st.failure != nil {
		return st.failure
	}
	code, reason := describeFetchError(err)
	var refused *outbound.RefusedError
	if errors.As(err, &refused) {
		code, reason = "ERR_FETCH_REFUSED", refused.Error()
	}
	var be *bodyReadError
	if inBody && errors.As(err, &be) {
		if isDecodeError(be.err) {
			code = "Z_DATA_ERROR"
		}
		return &fetchFailure{Type: "system", Code: code, Message: fmt.Sprintf("Invalid response body while trying to fetch %s: %s", be.url, reason)}
	}
	return &fetchFailure{Type: "system", Code: code, Message: fmt.Sprintf("request to %s failed, reason: %s", target, reason)}
}

func isDecodeError(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, zlib.ErrHeader) || errors.Is(err, zlib.ErrChecksum) || errors.Is(err, zlib.ErrDictionary) ||
		errors.As(err, &corrupt)
}

// errnoCodes are the system errors given Node's code names.
var errnoCodes = map[syscall.Errno]string{
	syscall.ECONNREFUSED:  "ECONNREFUSED",
	syscall.ECONNRESET:    "ECONNRESET",
	syscall.ECONNABORTED:  "ECONNABORTED",
	syscall.ETIMEDOUT:     "ETIMEDOUT",
	syscall.EHOSTUNREACH:  "EHOSTUNREACH",
	syscall.ENETUNREACH:   "ENETUNREACH",
	syscall.EPIPE:         "EPIPE",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
	syscall.EACCES:        "EACCES",
}

// describeFetchError gives Node's error code for err, where one applies,
// and the reason text ("connect ECONNREFUSED 127.0.0.1:80").
func describeFetchError(err error) (code, reason string) {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	var be *bodyReadError
	if errors.As(inner, &be) {
		inner = be.err
	}
	reason = inner.Error()

	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "ENOTFOUND", "getaddrinfo ENOTFOUND " + dnsErr.Name
		}
		return "EAI_AGAIN", "getaddrinfo EAI_AGAIN " + dnsErr.Name
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name, ok := errnoCodes[errno]; ok {
			var opErr *net.OpError
			if errors.As(err, &opErr) {
				op := opErr.Op
				if op == "dial" {
					op = "connect"
				}
				if opErr.Addr != nil {
					return name, fmt.Sprintf("%s %s %s", op, name, opErr.Addr)
				}
				return name, op + " " + name
			}
			return name, reason
		}
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordHeader tls.RecordHeaderError
	switch {
	case errors.As(err, &unknownAuthority):
		return "UNABLE_TO_VERIFY_LEAF_SIGNATURE", reason
	case errors.As(err, &hostname):
		return "ERR_TLS_CERT_ALTNAME_INVALID", reason
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "CERT_HAS_EXPIRED", reason
	case errors.As(err, &recordHeader):
		return "EPROTO", reason
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "ECONNRESET", "socket hang up"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "ETIMEDOUT", reason
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "ETIMEDOUT", reason
	}
	return "", reason
}
