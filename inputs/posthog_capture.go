// Package inputs holds hogpipe's Benthos inputs.
package inputs

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/capture"
	"github.com/hogpipe/hogpipe/internal/pluginconf"
)

const (
	pcInFieldAddress           = "address"
	pcInFieldPathPrefix        = "path_prefix"
	pcInFieldTLS               = "tls"
	pcInFieldTLSEnabled        = "enabled"
	pcInFieldTLSCertFile       = "cert_file"
	pcInFieldTLSKeyFile        = "key_file"
	pcInFieldAPIKeys           = "api_keys"
	pcInFieldTeams             = "teams"
	pcInFieldTrustForwardedFor = "trust_forwarded_for"
	pcInFieldSiteURL           = "site_url"
	pcInFieldAckTimeout        = "ack_timeout"
	pcInFieldMaxBodyBytes      = "max_body_bytes"
	pcInFieldUpstreamURL       = "upstream_url"
	pcInFieldUpstreamAssetsURL = "upstream_assets_url"
	pcInFieldMaxEvents         = "max_events_per_request"
	pcInFieldReadTimeout       = "read_timeout"
	pcInFieldIdleTimeout       = "idle_timeout"
	pcInFieldAllowedOrigins    = "allowed_origins"
	pcInFieldTrustedProxies    = "trusted_proxies"
)

// pcInMaxListedRejections caps the rejections an answer lists; the rest are
// counted in rejected_count.
const pcInMaxListedRejections = 100

// pcInWarnInterval is how often, at most, rejected requests are summed up in
// a WARN line; each one is logged at DEBUG.
const pcInWarnInterval = time.Minute

func pcInputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Network").
		Summary("Receives events from PostHog SDKs (posthog-js, posthog-node, ...) by serving PostHog's capture API over HTTP.").
		Description(`
Point an SDK at this input (posthog-js `+"`api_host`"+`, posthog-node `+"`host`"+`) and every event it sends becomes one message: a JSON object in the `+"`PluginEvent`"+` shape that PostHog plugins receive.

### Endpoints

| Path (after `+"`path_prefix`"+`, with or without a trailing slash) | Answer |
|---|---|
| `+"`/e/`, `/capture/`, `/batch/`, `/i/v0/e/`, `/track/`, `/engage/`"+` (POST, or GET with `+"`data=`"+`) | events; see below |
| `+"`/decide/`, `/flags/`"+` | from `+"`upstream_url`"+`; without it, no feature flags: `+"`{\"flags\":{},\"featureFlags\":{},\"featureFlagPayloads\":{},\"errorsWhileComputingFlags\":false,\"sessionRecording\":false,\"supportedCompression\":[\"gzip\",\"gzip-js\",\"lz64\"],...}`"+` |
| `+"`/array/<token>/config`"+`, `+"`/array/<token>/config.js`"+` (posthog-js remote config) | from `+"`upstream_assets_url`"+` (else `+"`upstream_url`"+`); without either, a config that turns off session recording, surveys, heatmaps, product tours and site apps |
| `+"`/static/*`"+`, other `+"`/array/*`"+` (posthog-js scripts: recorder, surveys, ...) | from `+"`upstream_assets_url`"+` (else `+"`upstream_url`"+`); without either, 404 |
| `+"`/s/`"+` (session recordings) | from `+"`upstream_url`"+`; without it, 200 and the recording is dropped |
| `+"`/api/surveys/`, `/api/early_access_features/`, `/api/web_experiments/`"+` | from `+"`upstream_url`"+`; without it, an empty list |
| anything else (other `+"`/i/...`"+` endpoints, `+"`/api/...`"+`) | from `+"`upstream_url`"+`; without it, 404 |

`+"`OPTIONS`"+` requests are answered as CORS preflights. Without `+"`allowed_origins`"+`, every answer carries `+"`Access-Control-Allow-Origin`"+` echoing the request's origin, without credentials, so browsers on any origin can send events (the SDKs send no cookies). With `+"`allowed_origins`"+`, only those origins get `+"`Access-Control-Allow-Origin`"+`, with `+"`Access-Control-Allow-Credentials: true`"+`; other origins get no CORS headers. The same holds for proxied paths: CORS headers from the upstream are replaced by these.

Request paths are normalised before routing and proxying (`+"`.`"+` and `+"`..`"+` segments, also percent-encoded, and repeated slashes are resolved), so a path cannot leave `+"`path_prefix`"+` or the upstream's base path.

### Request bodies

JSON bodies, `+"`data=`"+` form fields (or query parameters) holding JSON, base64 JSON or lz-string (`+"`compression=lz64`"+`), and gzip (`+"`Content-Encoding: gzip`"+`, `+"`compression=gzip-js`"+`, or just gzip's magic bytes, which is how posthog-js sends it) are accepted. A body may hold a single event, `+"`{\"batch\": [...]}`"+` or an array of events.

### Messages

Each event becomes a message shaped like a `+"`PluginEvent`"+`: `+"`uuid`"+` (the event's, or a new UUIDv7), `+"`event`"+` (`+"`$identify`"+` when missing on `+"`/engage/`"+`), `+"`distinct_id`"+` (from the event, `+"`$distinct_id`"+`, `+"`properties.distinct_id`"+` or `+"`properties.$distinct_id`"+`), `+"`properties`"+` (byte for byte, so its key order is the client's), `+"`timestamp`"+`, `+"`offset`"+`, `+"`$set`"+`, `+"`$set_once`"+`, `+"`ip`"+` (the connection's address; with `+"`trust_forwarded_for`"+`, the right-most `+"`X-Forwarded-For`"+` hop that is not a trusted proxy), `+"`site_url`"+`, `+"`team_id`"+` (when the api key is in `+"`teams`"+`), `+"`now`"+` (when the request arrived), `+"`sent_at`"+`, `+"`api_key`"+` and `+"`token`"+`. Other top-level fields are dropped. Events need an api key (`+"`api_key`, `token` or `$token`"+` on the event, `+"`properties.token`"+`, or an `+"`api_key`"+` beside the batch), a name and a distinct id, as PostHog requires; an invalid `+"`uuid`"+` is rejected too.

### Acknowledgements and answers

All events of one request are sent downstream as one batch. The answer is `+"`200 {\"status\": 1}`"+` once that batch is acknowledged, and `+"`503`"+` when it is rejected (nacked) or not acknowledged within `+"`ack_timeout`"+`, so that the SDK retries. Invalid events of a batch are left out and listed in the answer (the first 100; `+"`rejected_count`"+` counts them all), e.g. `+"`{\"status\":1,\"rejected\":[{\"index\":2,\"error\":\"invalid event: missing distinct_id\"}],\"rejected_count\":1}`"+`. A request that cannot be decoded gets `+"`400`"+` (`+"`413`"+` when its body, decompressed, is over `+"`max_body_bytes`"+` or it holds more than `+"`max_events_per_request`"+` events, `+"`415`"+` for an unknown compression, `+"`401`"+` when no event has an allowed api key) with `+"`{\"status\":0,\"error\":\"...\",\"request_id\":\"...\"}`"+`.

### Rejections in logs and metrics

Each rejected request, and each request with rejected events, is logged at DEBUG with its request id, status and reason (never its body), and counted in `+"`posthog_capture_rejected`"+` (by `+"`status`"+`; events left out of a batch count as `+"`status`"+` `+"`event`"+`). At most once a minute a WARN line sums up the rejections since the last one.

### Metadata

- `+"`posthog_path`"+`: the request path
- `+"`posthog_request_id`"+`: the request's id (also in the `+"`X-Request-Id`"+` answer header)
- `+"`posthog_api_key`"+`: the event's api key
- `+"`posthog_event`"+`, `+"`posthog_distinct_id`"+`, `+"`posthog_uuid`"+`: the event's name, distinct id and uuid
- `+"`posthog_team_id`"+`: the team id, when known
- `+"`posthog_ip`"+`: the client address
- `+"`posthog_user_agent`"+`: the request's User-Agent
- `+"`posthog_compression`"+`: how the body was encoded (`+"`gzip`, `lz64`, `base64` or `none`"+`)
- `+"`posthog_index`"+`: the event's index in the request
`).
		Fields(
			service.NewStringField(pcInFieldAddress).
				Description("The address to listen on.").
				Default("0.0.0.0:8000").
				Examples("0.0.0.0:8000", "127.0.0.1:8010"),
			service.NewStringField(pcInFieldPathPrefix).
				Description("A path under which all endpoints are served, for example when a reverse proxy forwards `/ingest/*`. Requests outside it get 404.").
				Default("").
				Examples("/ingest"),
			service.NewObjectField(pcInFieldTLS,
				service.NewBoolField(pcInFieldTLSEnabled).
					Description("Whether to serve HTTPS.").
					Default(false).
					Example(true),
				service.NewStringField(pcInFieldTLSCertFile).
					Description("A PEM certificate (chain) file.").
					Default("").
					Examples("/etc/hogpipe/tls/cert.pem"),
				service.NewStringField(pcInFieldTLSKeyFile).
					Description("The PEM private key file of the certificate.").
					Default("").
					Examples("/etc/hogpipe/tls/key.pem"),
			).Description("Serve HTTPS with a certificate from files.").
				Advanced(),
			service.NewStringListField(pcInFieldAPIKeys).
				Description("When not empty, only events with one of these project api keys (tokens) are accepted; the others are rejected, and a request without any allowed event gets 401.").
				Default([]any{}).
				Example([]any{"phc_abc123"}),
			service.NewIntMapField(pcInFieldTeams).
				Description("Maps project api keys to the team id written to each event's `team_id`. Events whose key is not listed get no `team_id`.").
				Default(map[string]any{}).
				Example(map[string]any{"phc_abc123": 1}),
			service.NewBoolField(pcInFieldTrustForwardedFor).
				Description("Behind a reverse proxy: take the client address from `X-Forwarded-For` (and the site URL from `X-Forwarded-Proto`/`X-Forwarded-Host`), and pass the chain on to the upstream. The client is the right-most hop that is not a trusted proxy (see `trusted_proxies`); entries to its left were written by the client and are not believed. Enable only behind a proxy that sets these headers.").
				Default(false).
				Example(true),
			service.NewStringListField(pcInFieldTrustedProxies).
				Description("With `trust_forwarded_for`: the addresses (`10.0.0.5`) and networks (`10.0.0.0/8`, `fd00::/8`) of your proxies. Forwarded headers are believed only from a connection coming from one of them, and the client address is the right-most `X-Forwarded-For` hop outside them. Empty trusts the connecting peer alone: the client is the last `X-Forwarded-For` entry, the one your proxy added.").
				Default([]any{}).
				Example([]any{"10.0.0.0/8", "192.168.1.10"}).
				Advanced(),
			service.NewStringField(pcInFieldSiteURL).
				Description("The `site_url` written to each event. When empty, the URL the request was sent to (scheme and host) is used.").
				Default("").
				Examples("https://posthog.example.com"),
			service.NewDurationField(pcInFieldAckTimeout).
				Description("How long a request waits for its events to be acknowledged downstream before it is answered with 503.").
				Default("5s").
				Examples("5s", "30s"),
			service.NewIntField(pcInFieldMaxBodyBytes).
				Description("The largest request body accepted, and the largest payload once decompressed (gzip, lz-string, base64); larger requests get 413 and are not decompressed further.").
				Default(20*1024*1024).
				Examples(1024*1024).
				Advanced().
				LintRule(`root = if this < 1 { ["max_body_bytes must be positive"] }`),
			service.NewIntField(pcInFieldMaxEvents).
				Description("The most events one request may hold; a request with more gets 413 before its events are looked at. The SDKs send batches of 100 or fewer.").
				Default(10000).
				Examples(1000).
				Advanced().
				LintRule(`root = if this < 1 { ["max_events_per_request must be positive"] }`),
			service.NewDurationField(pcInFieldReadTimeout).
				Description("How long a client may take to send a whole request, headers and body; a slower one is disconnected. Headers alone must arrive within 10s (or this, when shorter).").
				Default("30s").
				Examples("1m").
				Advanced().
				LintRule(pluginconf.PositiveDurationLint(pcInFieldReadTimeout)),
			service.NewDurationField(pcInFieldIdleTimeout).
				Description("How long a kept-alive connection may wait for its next request before it is closed.").
				Default("2m").
				Examples("30s").
				Advanced().
				LintRule(pluginconf.PositiveDurationLint(pcInFieldIdleTimeout)),
			service.NewStringListField(pcInFieldAllowedOrigins).
				Description("Origins (`https://app.example.com`) whose browsers may send credentials (cookies) with their requests: their answers carry `Access-Control-Allow-Credentials: true`, and other origins get no CORS headers. Empty allows every origin, without credentials.").
				Default([]any{}).
				Example([]any{"https://app.example.com", "https://www.example.com"}),
			service.NewURLField(pcInFieldUpstreamURL).
				Description("A PostHog host that everything except events is passed to (feature flags, remote config, session recordings, ...), so that those keep working. When empty, minimal answers are given instead (see the table above).").
				Default("").
				Examples("https://us.i.posthog.com", "https://eu.i.posthog.com"),
			service.NewURLField(pcInFieldUpstreamAssetsURL).
				Description("The PostHog host for scripts and remote config (`/static/`, `/array/`). When empty, `upstream_url` is used.").
				Default("").
				Examples("https://us-assets.i.posthog.com", "https://eu-assets.i.posthog.com").
				Advanced(),
		).
		Example("A PostHog proxy",
			"Receive events from posthog-js and posthog-node, and pass feature flags and scripts on to PostHog Cloud.",
			`
input:
  posthog_capture:
    address: 0.0.0.0:8000
    upstream_url: https://us.i.posthog.com
    upstream_assets_url: https://us-assets.i.posthog.com
    api_keys: [ phc_abc123 ]
    teams:
      phc_abc123: 1
`).
		Example("Behind a reverse proxy",
			"Serve under /ingest behind a load balancer that sets X-Forwarded-For.",
			`
input:
  posthog_capture:
    address: 127.0.0.1:8010
    path_prefix: /ingest
    trust_forwarded_for: true
    site_url: https://app.example.com
`)
}

func init() {
	service.MustRegisterBatchInput("posthog_capture", pcInputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
			return newPCInputFromParsed(conf, mgr)
		})
}

//------------------------------------------------------------------------------

// pcInRequest is one capture request's batch, waiting to be read and acked.
type pcInRequest struct {
	batch service.MessageBatch
	res   chan error // buffered: the ack never blocks
}

type pcInput struct {
	log *service.Logger

	address     string
	prefix      string
	tlsConf     *tls.Config
	apiKeys     map[string]struct{}
	teams       map[string]int64
	trustXFF    bool
	siteURL     string
	ackTimeout  time.Duration
	maxBody     int64
	maxEvents   int
	readTimeout time.Duration
	idleTimeout time.Duration
	origins     map[string]bool // nil: any origin, without credentials
	trusted     []netip.Prefix
	rejections  *pcInRejections
	proxy       *httputil.ReverseProxy
	assetsProxy *httputil.ReverseProxy
	transport   *http.Transport

	requests  chan pcInRequest
	closing   chan struct{} // closed by Close: take no more requests
	hardStop  chan struct{} // closed when Close stops waiting for acks
	closeOnce sync.Once
	stopOnce  sync.Once

	mu     sync.Mutex
	server *http.Server
	served chan struct{}
	addr   net.Addr
}

func newPCInputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (*pcInput, error) {
	in := &pcInput{
		log:      mgr.Logger(),
		requests: make(chan pcInRequest),
		closing:  make(chan struct{}),
		hardStop: make(chan struct{}),
	}
	var err error
	if in.address, err = conf.FieldString(pcInFieldAddress); err != nil {
		return nil, err
	}
	if in.prefix, err = conf.FieldString(pcInFieldPathPrefix); err != nil {
		return nil, err
	}
	if in.prefix = strings.TrimRight(in.prefix, "/"); in.prefix != "" && !strings.HasPrefix(in.prefix, "/") {
		in.prefix = "/" + in.prefix
	}

	tlsConf := conf.Namespace(pcInFieldTLS)
	tlsEnabled, err := tlsConf.FieldBool(pcInFieldTLSEnabled)
	if err != nil {
		return nil, err
	}
	if tlsEnabled {
		certFile, err := tlsConf.FieldString(pcInFieldTLSCertFile)
		if err != nil {
			return nil, err
		}
		keyFile, err := tlsConf.FieldString(pcInFieldTLSKeyFile)
		if err != nil {
			return nil, err
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("failed to load tls certificate: %w", err)
		}
		in.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	keys, err := conf.FieldStringList(pcInFieldAPIKeys)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		in.apiKeys = make(map[string]struct{}, len(keys))
		for _, k := range keys {
			in.apiKeys[k] = struct{}{}
		}
	}
	teams, err := conf.FieldIntMap(pcInFieldTeams)
	if err != nil {
		return nil, err
	}
	in.teams = make(map[string]int64, len(teams))
	for k, v := range teams {
		in.teams[k] = int64(v)
	}
	if in.trustXFF, err = conf.FieldBool(pcInFieldTrustForwardedFor); err != nil {
		return nil, err
	}
	if in.siteURL, err = conf.FieldString(pcInFieldSiteURL); err != nil {
		return nil, err
	}
	in.siteURL = strings.TrimRight(in.siteURL, "/")
	if in.ackTimeout, err = conf.FieldDuration(pcInFieldAckTimeout); err != nil {
		return nil, err
	}
	if in.ackTimeout <= 0 {
		return nil, fmt.Errorf("%s must be positive", pcInFieldAckTimeout)
	}
	maxBody, err := conf.FieldInt(pcInFieldMaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if maxBody <= 0 {
		return nil, fmt.Errorf("%s must be positive", pcInFieldMaxBodyBytes)
	}
	in.maxBody = int64(maxBody)
	if in.maxEvents, err = conf.FieldInt(pcInFieldMaxEvents); err != nil {
		return nil, err
	}
	if in.maxEvents <= 0 {
		return nil, fmt.Errorf("%s must be positive", pcInFieldMaxEvents)
	}
	if in.readTimeout, err = conf.FieldDuration(pcInFieldReadTimeout); err != nil {
		return nil, err
	}
	if in.idleTimeout, err = conf.FieldDuration(pcInFieldIdleTimeout); err != nil {
		return nil, err
	}
	if in.readTimeout <= 0 || in.idleTimeout <= 0 {
		return nil, fmt.Errorf("%s and %s must be positive", pcInFieldReadTimeout, pcInFieldIdleTimeout)
	}
	origins, err := conf.FieldStringList(pcInFieldAllowedOrigins)
	if err != nil {
		return nil, err
	}
	if len(origins) > 0 {
		in.origins = make(map[string]bool, len(origins))
		for _, o := range origins {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
				return nil, fmt.Errorf("%s: %q is not an origin like https://app.example.com", pcInFieldAllowedOrigins, o)
			}
			in.origins[strings.ToLower(u.Scheme+"://"+u.Host)] = true
		}
	}
	proxies, err := conf.FieldStringList(pcInFieldTrustedProxies)
	if err != nil {
		return nil, err
	}
	if in.trusted, err = pcInParsePrefixes(proxies); err != nil {
		return nil, fmt.Errorf("%s: %w", pcInFieldTrustedProxies, err)
	}
	in.rejections = newPCInRejections(in.log, mgr.Metrics())

	upstream, err := pcInParseUpstream(conf, pcInFieldUpstreamURL)
	if err != nil {
		return nil, err
	}
	assets, err := pcInParseUpstream(conf, pcInFieldUpstreamAssetsURL)
	if err != nil {
		return nil, err
	}
	if assets == nil {
		assets = upstream
	}
	if upstream != nil || assets != nil {
		in.transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if upstream != nil {
		in.proxy = in.newProxy(upstream)
	}
	if assets != nil {
		in.assetsProxy = in.newProxy(assets)
	}
	return in, nil
}

func pcInParseUpstream(conf *service.ParsedConfig, field string) (*url.URL, error) {
	s, err := conf.FieldString(field)
	if err != nil || s == "" {
		return nil, err
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", field, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s must be an http(s) URL with a host, got %q", field, s)
	}
	return u, nil
}

// Connect starts the HTTP server.
func (in *pcInput) Connect(ctx context.Context) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.server != nil {
		return nil
	}
	select {
	case <-in.closing:
		return service.ErrEndOfInput
	default:
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", in.address)
	if err != nil {
		return fmt.Errorf("failed to listen on %s: %w", in.address, err)
	}
	srv := &http.Server{
		Handler:           in,
		ReadHeaderTimeout: min(10*time.Second, in.readTimeout),
		ReadTimeout:       in.readTimeout,
		IdleTimeout:       in.idleTimeout,
		TLSConfig:         in.tlsConf,
		ErrorLog:          log.New(pcInLogWriter{in.log}, "", 0),
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		var err error
		if in.tlsConf != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			in.log.Errorf("posthog_capture server stopped: %v", err)
		}
	}()
	in.server, in.served, in.addr = srv, served, ln.Addr()
	scheme := "http"
	if in.tlsConf != nil {
		scheme = "https"
	}
	in.log.Infof("Receiving PostHog events at %s://%s%s/", scheme, ln.Addr(), in.prefix)
	return nil
}

// ReadBatch returns the events of the next capture request; its ack answers
// that request.
func (in *pcInput) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	select {
	case req := <-in.requests:
		return req.batch, func(_ context.Context, err error) error {
			select {
			case req.res <- err:
			default:
			}
			return nil
		}, nil
	case <-in.closing:
		return nil, nil, service.ErrEndOfInput
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// Close stops taking requests and waits for the ones in flight (each bounded
// by ack_timeout) until ctx ends, then closes the server.
func (in *pcInput) Close(ctx context.Context) error {
	in.closeOnce.Do(func() { close(in.closing) })
	in.mu.Lock()
	srv, served := in.server, in.served
	in.mu.Unlock()
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			// Out of time: answer the requests still waiting for acks with
			// 503 and drop the connections.
			in.stopOnce.Do(func() { close(in.hardStop) })
			_ = srv.Close()
		}
		select {
		case <-served:
		case <-time.After(time.Second):
		}
	}
	if in.transport != nil {
		in.transport.CloseIdleConnections()
	}
	in.rejections.flush(time.Now())
	return nil
}

//------------------------------------------------------------------------------

// pcInCaptureRoutes are the event endpoints, without trailing slashes.
var pcInCaptureRoutes = map[string]bool{
	"/e": true, "/capture": true, "/batch": true, "/i/v0/e": true, "/track": true, "/engage": true,
}

// ServeHTTP answers every request of a PostHog SDK: events, flags, config
// and scripts. A panic answers 500 and leaves the server running.
func (in *pcInput) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := capture.NewUUIDv7()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v) // the server's own way to abort a response
			}
			in.log.With("request_id", reqID, "request_path", r.URL.Path).
				Errorf("panic while serving a posthog request: %v\n%s", v, debug.Stack())
			pcInWriteError(w, http.StatusInternalServerError, reqID, "internal error")
		}
	}()
	in.log.Tracef("PostHog request %s %s from %s", reqID, r.Method, r.RemoteAddr)
	in.setCORS(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK)
		return
	}

	// Routing and proxying see the path with dot segments resolved: an
	// encoded "/%2e%2e/" must not climb out of the prefix or the upstream's
	// base path.
	r.URL.Path, r.URL.RawPath = pcInCleanPath(r.URL.Path), ""
	p := r.URL.Path
	if in.prefix != "" {
		if p != in.prefix && !strings.HasPrefix(p, in.prefix+"/") {
			in.notFound(w, r, reqID)
			return
		}
		p = strings.TrimPrefix(p, in.prefix)
	}
	route := strings.TrimSuffix(p, "/")

	switch {
	case pcInCaptureRoutes[route]:
		in.serveCapture(w, r, reqID, route)
	case route == "/decide" || route == "/flags":
		in.proxyOr(w, r, in.proxy, func() { pcInWriteJSON(w, http.StatusOK, pcInFlagsAnswer) })
	case strings.HasPrefix(route, "/array/"):
		in.proxyOr(w, r, in.assetsProxy, func() { in.serveRemoteConfig(w, r, reqID, route) })
	case strings.HasPrefix(route, "/static/"):
		in.proxyOr(w, r, in.assetsProxy, func() { in.notFound(w, r, reqID) })
	case route == "/s":
		in.proxyOr(w, r, in.proxy, func() {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, in.maxBody))
			pcInWriteJSON(w, http.StatusOK, []byte(`{"status":1}`))
		})
	case pcInEmptyLists[route] != nil:
		in.proxyOr(w, r, in.proxy, func() { pcInWriteJSON(w, http.StatusOK, pcInEmptyLists[route]) })
	default:
		in.proxyOr(w, r, in.proxy, func() { in.notFound(w, r, reqID) })
	}
}

// pcInRejection is one invalid event of a request, as listed in the answer.
type pcInRejection struct {
	Index int    `json:"index"`
	Error string `json:"error"`
}

type pcInAnswer struct {
	Status        int             `json:"status"`
	Error         string          `json:"error,omitempty"`
	Rejected      []pcInRejection `json:"rejected,omitempty"`
	RejectedCount int             `json:"rejected_count,omitempty"`
	RequestID     string          `json:"request_id,omitempty"`
}

// newPCInAnswer lists the first rejections and counts them all.
func newPCInAnswer(status int, msg, reqID string, rejected []pcInRejection) pcInAnswer {
	a := pcInAnswer{Status: status, Error: msg, RequestID: reqID, RejectedCount: len(rejected)}
	a.Rejected = rejected[:min(len(rejected), pcInMaxListedRejections)]
	return a
}

func (in *pcInput) serveCapture(w http.ResponseWriter, r *http.Request, reqID, route string) {
	w.Header().Set("X-Request-Id", reqID)
	fail := func(status int, msg string, rejected []pcInRejection) {
		in.rejections.request(reqID, r, status, msg)
		pcInWriteAnswer(w, status, newPCInAnswer(0, msg, reqID, rejected))
	}

	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		fail(http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed", nil)
		return
	}
	select {
	case <-in.closing:
		fail(http.StatusServiceUnavailable, "server is shutting down", nil)
		return
	default:
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, in.maxBody))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over %d bytes", in.maxBody), nil)
			return
		}
		fail(http.StatusBadRequest, "failed to read body: "+err.Error(), nil)
		return
	}
	now := time.Now()
	query := r.URL.Query()

	decoded, err := capture.DecodeRequest(capture.Request{
		Method:          r.Method,
		ContentType:     r.Header.Get("Content-Type"),
		ContentEncoding: r.Header.Get("Content-Encoding"),
		Query:           query,
		Body:            body,
		MaxBytes:        int(in.maxBody),
	})
	if err == nil {
		var payload *capture.Payload
		if payload, err = capture.ParsePayloadMax(decoded.JSON, in.maxEvents); err == nil {
			in.captureEvents(w, r, reqID, route, now, decoded, payload, fail)
			return
		}
	}
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, capture.ErrTooLarge), errors.Is(err, capture.ErrTooManyEvents):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, capture.ErrUnsupportedCompression):
		status = http.StatusUnsupportedMediaType
	}
	fail(status, err.Error(), nil)
}

func (in *pcInput) captureEvents(
	w http.ResponseWriter, r *http.Request, reqID, route string, now time.Time,
	decoded *capture.Decoded, payload *capture.Payload, fail func(int, string, []pcInRejection),
) {
	query := r.URL.Query()
	meta := &capture.Meta{
		Now:     now,
		IP:      in.clientIP(r),
		SiteURL: in.siteURLOf(r),
		APIKey:  payload.APIKey,
		SentAt:  payload.SentAt,
		Teams:   in.teams,
	}
	if meta.APIKey == "" {
		meta.APIKey = query.Get("token")
	}
	if meta.APIKey == "" {
		meta.APIKey = query.Get("api_key")
	}
	if meta.SentAt == nil {
		meta.SentAt, _ = capture.MillisToTime(query.Get("_"))
	}
	if route == "/engage" {
		meta.DefaultEvent = "$identify"
	}

	batch := make(service.MessageBatch, 0, len(payload.Events))
	var rejected []pcInRejection
	keyErrors := 0
	for i, raw := range payload.Events {
		ev, err := capture.Normalise(raw, meta)
		keyErr := errors.Is(err, capture.ErrMissingAPIKey)
		if err == nil && in.apiKeys != nil {
			if _, ok := in.apiKeys[ev.APIKey]; !ok {
				err, keyErr = errors.New("api key is not allowed"), true
			}
		}
		if err != nil {
			if keyErr {
				keyErrors++
			}
			rejected = append(rejected, pcInRejection{Index: i, Error: err.Error()})
			continue
		}
		msg := service.NewMessage(ev.JSON)
		msg.MetaSetMut("posthog_path", r.URL.Path)
		msg.MetaSetMut("posthog_request_id", reqID)
		msg.MetaSetMut("posthog_api_key", ev.APIKey)
		msg.MetaSetMut("posthog_event", ev.Name)
		msg.MetaSetMut("posthog_distinct_id", ev.DistinctID)
		msg.MetaSetMut("posthog_uuid", ev.UUID)
		if ev.HasTeamID {
			msg.MetaSetMut("posthog_team_id", strconv.FormatInt(ev.TeamID, 10))
		}
		msg.MetaSetMut("posthog_ip", meta.IP)
		msg.MetaSetMut("posthog_user_agent", r.UserAgent())
		msg.MetaSetMut("posthog_compression", decoded.Compression)
		msg.MetaSetMut("posthog_index", strconv.Itoa(i))
		batch = append(batch, msg)
	}
	if len(batch) == 0 {
		status, msg := http.StatusBadRequest, "no valid event in request"
		if keyErrors == len(payload.Events) {
			status, msg = http.StatusUnauthorized, "no event with a valid api key"
		}
		if len(rejected) == 1 {
			msg += ": " + rejected[0].Error
		}
		fail(status, msg, rejected)
		return
	}
	if len(rejected) > 0 {
		in.rejections.events(reqID, r, len(rejected), len(payload.Events), rejected[0])
	}

	res := make(chan error, 1)
	timer := time.NewTimer(in.ackTimeout)
	defer timer.Stop()
	select {
	case in.requests <- pcInRequest{batch: batch, res: res}:
	case <-timer.C:
		fail(http.StatusServiceUnavailable, "timed out waiting for the pipeline", nil)
		return
	case <-in.closing:
		fail(http.StatusServiceUnavailable, "server is shutting down", nil)
		return
	case <-r.Context().Done():
		return
	}
	select {
	case err := <-res:
		if err != nil {
			in.log.With("request_id", reqID, "request_path", r.URL.Path).Warnf("Events were not delivered: %v", err)
			w.Header().Set("Retry-After", "1")
			pcInWriteAnswer(w, http.StatusServiceUnavailable, pcInAnswer{Error: "events were not delivered", RequestID: reqID})
			return
		}
	case <-timer.C:
		w.Header().Set("Retry-After", "1")
		fail(http.StatusServiceUnavailable, "timed out waiting for the events to be delivered", nil)
		return
	case <-in.hardStop:
		fail(http.StatusServiceUnavailable, "server is shutting down", nil)
		return
	case <-r.Context().Done():
		return
	}
	pcInWriteAnswer(w, http.StatusOK, newPCInAnswer(1, "", "", rejected))
}

// pcInFlagsAnswer is the /decide/ and /flags/ answer without an upstream: no
// flags, in both the v1 (featureFlags) and v2 (flags) shapes, and a config
// that asks for nothing more.
var pcInFlagsAnswer = []byte(`{"config":{"enable_collect_everything":true},"flags":{},"featureFlags":{},` +
	`"featureFlagPayloads":{},"errorsWhileComputingFlags":false,"quotaLimited":[],"sessionRecording":false,` +
	`"supportedCompression":["gzip","gzip-js","lz64"],"siteApps":[],"surveys":false,"heatmaps":false}`)

// pcInEmptyLists answers the listing endpoints posthog-js may call.
var pcInEmptyLists = map[string][]byte{
	"/api/surveys":               []byte(`{"surveys":[]}`),
	"/api/early_access_features": []byte(`{"earlyAccessFeatures":[]}`),
	"/api/web_experiments":       []byte(`{"experiments":[]}`),
}

// serveRemoteConfig answers /array/<token>/config and config.js without an
// upstream.
func (in *pcInput) serveRemoteConfig(w http.ResponseWriter, r *http.Request, reqID, route string) {
	rest := strings.TrimPrefix(route, "/array/")
	token, file, ok := strings.Cut(rest, "/")
	if !ok || token == "" || (file != "config" && file != "config.js") {
		in.notFound(w, r, reqID)
		return
	}
	cfg := pcInRemoteConfig(token)
	if file == "config" {
		pcInWriteJSON(w, http.StatusOK, cfg)
		return
	}
	tok, _ := json.Marshal(token)
	js := fmt.Sprintf("(function(){var w=window;w._POSTHOG_REMOTE_CONFIG=w._POSTHOG_REMOTE_CONFIG||{};"+
		"w._POSTHOG_REMOTE_CONFIG[%s]={config:%s,siteApps:[]};})();\n", tok, cfg)
	w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, js)
}

// pcInRemoteConfig is posthog-js's remote config with every optional feature
// (recordings, surveys, heatmaps, tours, site apps) off.
func pcInRemoteConfig(token string) []byte {
	tok, _ := json.Marshal(token)
	return []byte(`{"token":` + string(tok) + `,"supportedCompression":["gzip","gzip-js","lz64"],` +
		`"hasFeatureFlags":true,"captureDeadClicks":false,"capturePerformance":false,"autocapture_opt_out":false,` +
		`"autocaptureExceptions":false,"elementsChainAsString":true,` +
		`"sessionRecording":false,"heatmaps":false,"surveys":false,"productTours":false,"conversations":false,` +
		`"defaultIdentifiedOnly":true,"siteApps":[]}`)
}

func (in *pcInput) notFound(w http.ResponseWriter, r *http.Request, reqID string) {
	in.log.With("request_id", reqID).Debugf("No posthog endpoint at %s %s", r.Method, r.URL.Path)
	pcInWriteError(w, http.StatusNotFound, reqID, "no endpoint at "+r.URL.Path)
}

// proxyOr passes the request to proxy, or calls local when there is none.
func (in *pcInput) proxyOr(w http.ResponseWriter, r *http.Request, proxy *httputil.ReverseProxy, local func()) {
	if proxy == nil {
		local()
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, in.maxBody)
	proxy.ServeHTTP(w, r)
}

func (in *pcInput) newProxy(target *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			if in.forwardedTrusted(pr.In) {
				pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			}
			pr.SetXForwarded()
			pr.SetURL(target)
			p := strings.TrimPrefix(pr.In.URL.Path, in.prefix)
			pr.Out.URL.Path = strings.TrimSuffix(target.Path, "/") + p
			pr.Out.URL.RawPath = ""
		},
		Transport: in.transport,
		ModifyResponse: func(resp *http.Response) error {
			for k := range resp.Header {
				if strings.HasPrefix(k, "Access-Control-") {
					resp.Header.Del(k)
				}
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			reqID := capture.NewUUIDv7()
			in.log.With("request_id", reqID, "request_path", pcInShort(r.URL.Path)).Warnf("PostHog upstream %s failed: %v", target.Host, err)
			pcInWriteError(w, http.StatusBadGateway, reqID, "upstream request failed")
		},
		ErrorLog: log.New(pcInLogWriter{in.log}, "", 0),
	}
}

// forwardedTrusted tells whether r's X-Forwarded-* headers come from one of
// our proxies: trust_forwarded_for is on and the peer is a trusted proxy
// (any peer when trusted_proxies is empty).
func (in *pcInput) forwardedTrusted(r *http.Request) bool {
	if !in.trustXFF {
		return false
	}
	if len(in.trusted) == 0 {
		return true
	}
	peer, ok := pcInAddr(r.RemoteAddr)
	return ok && in.isTrusted(peer)
}

func (in *pcInput) isTrusted(a netip.Addr) bool {
	for _, p := range in.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the connection's address or, behind trusted proxies, the
// right-most X-Forwarded-For hop that is not one of them: every proxy
// appends the address it saw, so hops right of the first untrusted one are
// ours and the ones to its left were written by the client.
func (in *pcInput) clientIP(r *http.Request) string {
	peer, ok := pcInAddr(r.RemoteAddr)
	if !ok {
		return ""
	}
	if !in.forwardedTrusted(r) {
		return peer.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := pcInAddr(strings.TrimSpace(hops[i]))
		if !ok {
			// Not an address: what the hop to its right saw is all we know.
			break
		}
		client = hop
		if len(in.trusted) == 0 || !in.isTrusted(hop) {
			break
		}
	}
	return client.String()
}

// pcInAddr parses an address with or without a port ("1.2.3.4",
// "1.2.3.4:5", "[::1]:5", "::1").
func pcInAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// pcInParsePrefixes reads addresses and CIDR networks.
func pcInParsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a network (10.0.0.0/8)", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// pcInCleanPath resolves dot segments (after percent-decoding, which the
// server did) and repeated slashes, keeping a trailing slash.
func pcInCleanPath(p string) string {
	if p == "" {
		return "/"
	}
	clean := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

func (in *pcInput) siteURLOf(r *http.Request) string {
	if in.siteURL != "" {
		return in.siteURL
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if in.forwardedTrusted(r) {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" {
			host, _, _ = strings.Cut(h, ",")
			host = strings.TrimSpace(host)
		}
	}
	return scheme + "://" + host
}

// setCORS lets browsers read the answer: any origin without credentials, or
// with allowed_origins, those origins only, with credentials.
func (in *pcInput) setCORS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	if in.origins != nil {
		if !in.origins[strings.ToLower(origin)] {
			return
		}
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		} else {
			h.Set("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, Authorization, X-Requested-With")
		}
		h.Set("Access-Control-Max-Age", "86400")
	}
}

func pcInWriteAnswer(w http.ResponseWriter, status int, a pcInAnswer) {
	b, err := json.Marshal(a)
	if err != nil {
		b = []byte(`{"status":0,"error":"internal error"}`)
	}
	pcInWriteJSON(w, status, b)
}

func pcInWriteError(w http.ResponseWriter, status int, reqID, msg string) {
	pcInWriteAnswer(w, status, pcInAnswer{Error: msg, RequestID: reqID})
}

func pcInWriteJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// pcInLogWriter routes the HTTP server's own messages (TLS handshake errors,
// ...) to the Benthos logger at debug level.
type pcInLogWriter struct{ log *service.Logger }

func (l pcInLogWriter) Write(p []byte) (int, error) {
	l.log.Debugf("posthog_capture http: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}

//------------------------------------------------------------------------------

// pcInRejections logs rejected requests: each at DEBUG, counted in a metric,
// and summed up in a WARN line at most once per pcInWarnInterval, so a flood
// of bad requests cannot flood the logs. Nothing of a request's body is
// logged; reasons are cut short.
type pcInRejections struct {
	log     *service.Logger
	counter *service.MetricCounter

	mu        sync.Mutex
	since     time.Time
	byStatus  map[string]int
	badEvents int
	last      string
	warned    bool
}

func newPCInRejections(log *service.Logger, metrics *service.Metrics) *pcInRejections {
	return &pcInRejections{
		log:      log,
		counter:  metrics.NewCounter("posthog_capture_rejected", "status"),
		byStatus: map[string]int{},
	}
}

// pcInMaxReason is the most of a rejection reason a log line shows: reasons
// may quote what the client sent.
const pcInMaxReason = 200

func pcInShort(s string) string {
	if len(s) <= pcInMaxReason {
		return s
	}
	cut := pcInMaxReason
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// request records a request answered with an error status.
func (rj *pcInRejections) request(reqID string, r *http.Request, status int, reason string) {
	reason = pcInShort(reason)
	rj.log.With("request_id", reqID).Debugf("Rejected capture request %s %s from %s with %d: %s",
		r.Method, pcInShort(r.URL.Path), r.RemoteAddr, status, reason)
	code := strconv.Itoa(status)
	rj.counter.Incr(1, code)
	rj.add(code, 1, fmt.Sprintf("%d from %s: %s", status, r.RemoteAddr, reason))
}

// events records the invalid events left out of an accepted request.
func (rj *pcInRejections) events(reqID string, r *http.Request, n, of int, first pcInRejection) {
	reason := pcInShort(first.Error)
	rj.log.With("request_id", reqID).Debugf("Left out %d of %d events of a capture request from %s: first: event %d: %s",
		n, of, r.RemoteAddr, first.Index, reason)
	rj.counter.Incr(int64(n), "event")
	rj.add("event", n, fmt.Sprintf("event %d from %s: %s", first.Index, r.RemoteAddr, reason))
}

func (rj *pcInRejections) add(status string, n int, last string) {
	now := time.Now()
	rj.mu.Lock()
	if rj.since.IsZero() {
		rj.since = now
	}
	if status == "event" {
		rj.badEvents += n
	} else {
		rj.byStatus[status] += n
	}
	rj.last = last
	// The first rejection warns at once, so a misconfigured client shows up
	// without waiting; later ones at most once per interval.
	due := !rj.warned || now.Sub(rj.since) >= pcInWarnInterval
	rj.mu.Unlock()
	if due {
		rj.flush(now)
	}
}

// flush writes the summary of the rejections since the last one, if any.
func (rj *pcInRejections) flush(now time.Time) {
	rj.mu.Lock()
	if len(rj.byStatus) == 0 && rj.badEvents == 0 {
		rj.mu.Unlock()
		return
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(rj.byStatus)) {
		parts = append(parts, fmt.Sprintf("%d with %s", rj.byStatus[code], code))
	}
	if rj.badEvents > 0 {
		parts = append(parts, fmt.Sprintf("%d invalid events left out of accepted requests", rj.badEvents))
	}
	msg := fmt.Sprintf("Rejected capture requests since %s: %s; the last: %s (each is logged at DEBUG level)",
		rj.since.UTC().Format(time.RFC3339), strings.Join(parts, ", "), rj.last)
	rj.byStatus, rj.badEvents, rj.since, rj.warned = map[string]int{}, 0, now, true
	rj.mu.Unlock()
	rj.log.Warnf("%s", msg)
}
