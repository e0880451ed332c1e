package googleauth

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"syscall"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/node"
	"github.com/hogpipe/hogpipe/internal/outbound"
)

// maxResponse bounds the body of an API answer read into the runtime; the
// JSON answers of the calls served are small.
const maxResponse = 16 << 20

// Requester makes the authorised REST requests of one Google host package
// for its JavaScript half.
type Requester struct {
	// Package names the package in errors ("@google-cloud/bigquery").
	Package string
	// Scopes are the OAuth2 scopes its tokens ask for.
	Scopes []string
	// Client is the plugin's guarded HTTP client: fetch_allow and
	// fetch_deny_private apply to the token and API requests alike.
	Client *outbound.Client
	// Tokens caches the access tokens.
	Tokens *Tokens
}

// request is what the JavaScript asks for.
type request struct {
	what        string // "Table.insert", for messages
	method, url string
	body        []byte
	contentType string
	gzip        bool
	// metadata, when set, makes the body a multipart/related upload: the
	// JSON metadata, then the media.
	metadata    string
	hasMetadata bool
	creds       Credentials
}

// failure is an error given to the JavaScript: its message and Node-style
// code (a string), or the HTTP status of a refused token request.
type failure struct {
	message string
	code    string
	status  int
	system  bool // no answer: a network failure
}

// Func returns host.request(options, done) for rt: the request runs off the
// loop, bounded by the calling function's context, and done(err, response)
// runs on the loop with response {status, body, contentType}.
func (r *Requester) Func(rt *goja.Runtime, h node.Host) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		done, ok := goja.AssertFunction(call.Argument(1))
		if !ok {
			panic(rt.NewTypeError(r.Package + ": internal: callback missing"))
		}
		req, err := readRequest(rt, call.Argument(0))
		later := h.Callback()
		ctx := h.Context()
		finish := func(status int, body []byte, contentType string, f *failure) {
			later(func() {
				var err error
				if f != nil {
					_, err = done(goja.Undefined(), f.value(rt))
				} else {
					res := rt.NewObject()
					_ = res.Set("status", status)
					_ = res.Set("body", string(body))
					_ = res.Set("contentType", contentType)
					_, err = done(goja.Undefined(), goja.Null(), res)
				}
				if err != nil {
					h.ReportError(fmt.Errorf("%s %s callback: %w", r.Package, req.what, err))
				}
			})
		}
		if err != nil {
			go finish(0, nil, "", &failure{message: fmt.Sprintf("%s: %s: %v", r.Package, req.what, err), code: "ERR_INVALID_ARG_VALUE"})
			return goja.Undefined()
		}
		hc, err := r.Client.HTTP()
		if err != nil {
			go finish(0, nil, "", &failure{message: fmt.Sprintf("%s: %s: %v", r.Package, req.what, err), code: "ERR_FETCH_REFUSED"})
			return goja.Undefined()
		}
		if !r.Client.Begin() {
			go finish(0, nil, "", &failure{message: r.Package + ": the plugin is closed", code: "ECANCELED"})
			return goja.Undefined()
		}
		go func() {
			defer r.Client.End()
			status, body, contentType, f := r.do(ctx, hc, req)
			finish(status, body, contentType, f)
		}()
		return goja.Undefined()
	}
}

func readRequest(rt *goja.Runtime, v goja.Value) (request, error) {
	var req request
	obj, ok := v.(*goja.Object)
	if !ok {
		return req, errors.New("internal: request options missing")
	}
	str := func(o *goja.Object, k string) string {
		if o == nil {
			return ""
		}
		x := o.Get(k)
		if x == nil || goja.IsUndefined(x) || goja.IsNull(x) {
			return ""
		}
		return x.String()
	}
	req.what, req.method, req.url = str(obj, "what"), str(obj, "method"), str(obj, "url")
	req.contentType = str(obj, "contentType")
	if g := obj.Get("gzip"); g != nil {
		req.gzip = g.ToBoolean()
	}
	if m := obj.Get("metadata"); m != nil && !goja.IsUndefined(m) && !goja.IsNull(m) {
		req.metadata, req.hasMetadata = m.String(), true
	}
	if creds, ok := obj.Get("credentials").(*goja.Object); ok {
		req.creds = Credentials{
			ClientEmail:  str(creds, "client_email"),
			PrivateKey:   str(creds, "private_key"),
			PrivateKeyID: str(creds, "private_key_id"),
			TokenURI:     str(creds, "token_uri"),
		}
	}
	if b := obj.Get("body"); b != nil && !goja.IsUndefined(b) && !goja.IsNull(b) {
		body, ok := node.BodyBytes(rt, b)
		if !ok {
			return req, errors.New("the data must be a string, a Buffer or a Uint8Array")
		}
		req.body = body
	}
	return req, nil
}

func (r *Requester) do(ctx context.Context, hc *http.Client, req request) (int, []byte, string, *failure) {
	tok, err := r.Tokens.Token(ctx, hc, req.creds, r.Scopes)
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) {
			return 0, nil, "", &failure{message: te.Error(), code: fmt.Sprint(te.Status), status: te.Status}
		}
		if errors.Is(err, ErrNoCredentials) {
			return 0, nil, "", &failure{message: err.Error()}
		}
		tokenURI := req.creds.TokenURI
		if tokenURI == "" {
			tokenURI = DefaultTokenURI
		}
		return 0, nil, "", networkFailure(ctx, tokenURI, err)
	}
	body, contentType := req.body, req.contentType
	if req.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = buf.Bytes()
	}
	if req.hasMetadata {
		body, contentType = multipartRelated(req.metadata, body, contentType)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, req.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, "", &failure{message: fmt.Sprintf("%s: %s: invalid request URL: %v", r.Package, req.what, err), code: "ERR_INVALID_URL"}
	}
	if req.body == nil && !req.hasMetadata {
		hr.Body, hr.ContentLength = http.NoBody, 0
	}
	hr.Header.Set("Authorization", "Bearer "+tok)
	hr.Header.Set("User-Agent", "hogpipe "+r.Package)
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return 0, nil, "", networkFailure(ctx, req.url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return 0, nil, "", networkFailure(ctx, req.url, err)
	}
	if len(answer) > maxResponse {
		return 0, nil, "", &failure{message: fmt.Sprintf("%s: %s: the answer is larger than %d MiB", r.Package, req.what, maxResponse>>20), code: "ERR_FS_FILE_TOO_LARGE"}
	}
	return resp.StatusCode, answer, resp.Header.Get("Content-Type"), nil
}

// multipartRelated builds the body of an upload with metadata
// (uploadType=multipart): the JSON metadata part, then the media part.
func multipartRelated(metadata string, media []byte, mediaType string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	var b [12]byte
	_, _ = rand.Read(b[:])
	_ = w.SetBoundary("hogpipe-" + hex.EncodeToString(b[:]))
	meta, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json; charset=UTF-8"}})
	_, _ = io.WriteString(meta, metadata)
	if mediaType == "" {
		mediaType = "application/octet-stream"
	}
	part, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {mediaType}})
	_, _ = part.Write(media)
	_ = w.Close()
	return buf.Bytes(), "multipart/related; boundary=" + w.Boundary()
}

// networkFailure gives a request that got no answer the message and code
// gaxios gives it ("request to <url> failed, reason: …", ECONNREFUSED).
func networkFailure(ctx context.Context, target string, err error) *failure {
	if u, perr := url.Parse(target); perr == nil {
		u.RawQuery = ""
		target = u.String()
	}
	code, reason := "ECONNRESET", err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		reason = ue.Err.Error()
	}
	var refused *outbound.RefusedError
	var dnsErr *net.DNSError
	var errno syscall.Errno
	switch {
	case errors.As(err, &refused):
		code, reason = "ERR_FETCH_REFUSED", refused.Error()
	case ctx.Err() != nil:
		code, reason = "ETIMEDOUT", "the calling function's time ran out"
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			code, reason = "ECANCELED", "the plugin VM ended before the request finished"
		}
	case errors.As(err, &dnsErr):
		code, reason = "ENOTFOUND", "getaddrinfo ENOTFOUND "+dnsErr.Name
	case errors.As(err, &errno):
		switch errno {
		case syscall.ECONNREFUSED:
			code = "ECONNREFUSED"
		case syscall.ETIMEDOUT:
			code = "ETIMEDOUT"
		case syscall.EHOSTUNREACH:
			code = "EHOSTUNREACH"
		case syscall.ENETUNREACH:
			code = "ENETUNREACH"
		}
	}
	return &failure{message: fmt.Sprintf("request to %s failed, reason: %s", target, reason), code: code, system: true}
}

func (f *failure) value(rt *goja.Runtime) goja.Value {
	obj := rt.NewObject()
	_ = obj.Set("message", f.message)
	if f.code != "" {
		_ = obj.Set("code", f.code)
	}
	if f.status != 0 {
		_ = obj.Set("status", f.status)
	}
	_ = obj.Set("system", f.system)
	return obj
}

//go:embed common.js
var commonSource string

var commonProgram = goja.MustCompile("node:googleauth", commonSource, true)

// Host is the host object of a package's JavaScript: common, the helpers
// of common.js bound to this Requester's request, and uuid().
func (r *Requester) Host(rt *goja.Runtime, h node.Host) *goja.Object {
	fn, err := node.Function(rt, commonProgram)
	if err != nil {
		panic(err)
	}
	// The global require of when the package is first imported: the host's,
	// by then, serving node-fetch.
	common, err := fn(goja.Undefined(), rt.ToValue(r.Func(rt, h)), rt.ToValue(r.Package), rt.Get("require"))
	if err != nil {
		panic(err)
	}
	host := rt.NewObject()
	_ = host.Set("common", common)
	_ = host.Set("uuid", func() string {
		var b [16]byte
		_, _ = rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b[:])
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	})
	return host
}
