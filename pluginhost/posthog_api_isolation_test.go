package pluginhost

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// apiRecorder is a test server that records each request (never echoing
// credentials back, so a plugin reading responses learns nothing).
type apiRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []apiRequest
}

type apiRequest struct {
	Method, Path, Query, Auth, Body string
}

func newAPIRecorder(t *testing.T, handle func(w http.ResponseWriter, r *http.Request) bool) *apiRecorder {
	rec := &apiRecorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.seen = append(rec.seen, apiRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), string(body)})
		rec.mu.Unlock()
		if handle != nil && handle(w, r) {
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *apiRecorder) requests() []apiRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]apiRequest(nil), rec.seen...)
}

func (rec *apiRecorder) find(path string) []apiRequest {
	var out []apiRequest
	for _, r := range rec.requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

const (
	testPersonalKey = "phx_operator_personal_key"
	testProjectKey  = "phc_operator_project_key"
)

func operatorKeys(host string) poolOpt {
	return func(o *Options) {
		o.PostHogAPI = PostHogAPI{Host: host, ProjectAPIKey: testProjectKey, PersonalAPIKey: testPersonalKey}
		o.RecordPluginRuns = false
	}
}

// TestPostHogAPIKeysOnlyToPostHogHost: posthog.api's {host} option, a path,
// or a redirect from posthog_host cannot send the operator's keys anywhere
// else; requests elsewhere go without them (a warning says so once).
func TestPostHogAPIKeysOnlyToPostHogHost(t *testing.T) {
	elsewhere := newAPIRecorder(t, nil)
	posthogHost := newAPIRecorder(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, elsewhere.URL+"/stolen", http.StatusTemporaryRedirect)
			return true
		}
		return false
	})
	pool, log := startPool(t, "hostile/posthog-api-host", operatorKeys(posthogHost.URL))
	elsewhereHost := strings.TrimPrefix(elsewhere.URL, "http://")
	event, err := json.Marshal(map[string]any{"event": "e", "distinct_id": "d", "properties": map[string]any{
		"elsewhere": elsewhere.URL, "path": "@" + elsewhereHost + "/sneaky",
	}})
	require.NoError(t, err)
	res := process(t, pool, string(event), string(event))
	for _, r := range res {
		require.NoError(t, r.Err)
		assert.NotContains(t, string(r.Event), testPersonalKey)
		assert.NotContains(t, string(r.Event), testProjectKey)
	}

	for _, r := range elsewhere.requests() {
		assert.NotContains(t, r.Auth+r.Query+r.Body, testPersonalKey, r.Path)
		assert.NotContains(t, r.Auth+r.Query+r.Body, testProjectKey, r.Path)
	}
	collected := elsewhere.find("/collect")
	require.Len(t, collected, 4, "the requests go, without the keys")
	assert.Contains(t, collected, apiRequest{Method: "GET", Path: "/collect", Query: "a=1"})
	assert.Contains(t, collected, apiRequest{Method: "POST", Path: "/collect", Body: `{"a":1}`})
	own := elsewhere.find("/own")
	require.Len(t, own, 2)
	assert.Equal(t, "Bearer phx_plugin_own", own[0].Auth)
	assert.Equal(t, "token=phc_plugin_own", own[0].Query)
	assert.Empty(t, elsewhere.find("/stolen"), "a redirect from posthog_host carried the keys elsewhere")
	assert.Empty(t, elsewhere.find("/sneaky"))

	sneaky := posthogHost.find("/@" + elsewhereHost + "/sneaky")
	require.Len(t, sneaky, 2, "a path stays on posthog_host")
	assert.Equal(t, "Bearer "+testPersonalKey, sneaky[0].Auth)
	redirect := posthogHost.find("/redirect")
	require.Len(t, redirect, 2)
	assert.Equal(t, `{"token":"`+testProjectKey+`","b":2}`, redirect[0].Body)

	var out struct {
		Properties struct {
			Result map[string]map[string]any `json:"result"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(res[0].Event, &out))
	assert.Contains(t, out.Properties.Result["redirected"]["error"], "to another origin ("+elsewhere.URL+")")
	assert.Contains(t, out.Properties.Result["redirected"]["error"], "refused: the request carries the host's credentials")
	assert.NotContains(t, out.Properties.Result["sneakyPath"]["url"], testProjectKey, "the response url shows no key")

	assert.Equal(t, 1, strings.Count(log.String(), "sent without the PostHog keys: they go only to posthog_host"), log.String())
}

// TestPostHogAPICredentialsNotInterceptable: a plugin that replaces the
// built-ins fetch and posthog.api use (Headers.prototype.append, Map,
// Array, URLSearchParams, String, JSON.stringify, Object.assign, setters
// on Object.prototype…) sees none of the operator's keys, which are added
// in Go after the JavaScript layer; the server still gets them.
func TestPostHogAPICredentialsNotInterceptable(t *testing.T) {
	var hostsMu sync.Mutex
	var hosts []string
	srv := newAPIRecorder(t, func(_ http.ResponseWriter, r *http.Request) bool {
		hostsMu.Lock()
		hosts = append(hosts, r.Host)
		hostsMu.Unlock()
		return false
	})
	pool, _ := startPool(t, "hostile/intercept-credentials", operatorKeys(srv.URL))
	res := process(t, pool, `{"event":"e","distinct_id":"d","properties":{}}`)
	require.NoError(t, res[0].Err)
	out := string(res[0].Event)
	assert.NotContains(t, out, testPersonalKey)
	assert.NotContains(t, out, testProjectKey)
	assert.Contains(t, out, "/api/projects/@current/", "the hooks saw the request being built")

	get := srv.find("/api/projects/@current/")
	require.Len(t, get, 1)
	assert.Equal(t, "Bearer "+testPersonalKey, get[0].Auth)
	assert.Equal(t, "limit=2&token="+testProjectKey, get[0].Query)
	post := srv.find("/api/annotations/")
	require.Len(t, post, 1)
	assert.Equal(t, "Bearer "+testPersonalKey, post[0].Auth)
	assert.Equal(t, `{"token":"`+testProjectKey+`","content":"hi"}`, post[0].Body)
	hostsMu.Lock()
	defer hostsMu.Unlock()
	assert.Equal(t, []string{strings.TrimPrefix(srv.URL, "http://"), strings.TrimPrefix(srv.URL, "http://")}, hosts,
		"a Host header added by tampered built-ins does not re-route a request carrying the keys")
}

// TestPostHogHostChecked: a posthog_host the keys cannot be tied to stops
// the load; keys without a host are never sent, and a warning says so.
func TestPostHogHostChecked(t *testing.T) {
	for _, host := range []string{"us.posthog.com", "ftp://us.posthog.com", "https://", "https://user:pw@us.posthog.com"} {
		mem := state.NewMemory()
		_, err := Load(Options{Path: "../testdata/plugins/hostile/posthog-api-host", Logger: &testutil.Logger{T: t},
			Cache: mem.Cache(), Storage: mem.Storage(), PostHogAPI: PostHogAPI{Host: host, PersonalAPIKey: testPersonalKey}})
		_ = mem.Close()
		require.Error(t, err, host)
		assert.Contains(t, err.Error(), "posthog_host", host)
		assert.NotContains(t, err.Error(), "pw", host)
	}

	elsewhere := newAPIRecorder(t, nil)
	pool, log := startPool(t, "hostile/posthog-api-host", func(o *Options) {
		o.PostHogAPI = PostHogAPI{ProjectAPIKey: testProjectKey, PersonalAPIKey: testPersonalKey}
	})
	assert.Contains(t, log.String(), "PostHog API keys are set without posthog_host")
	event, err := json.Marshal(map[string]any{"event": "e", "distinct_id": "d", "properties": map[string]any{"elsewhere": elsewhere.URL, "path": "/x"}})
	require.NoError(t, err)
	res := process(t, pool, string(event))
	require.NoError(t, res[0].Err)
	require.NotEmpty(t, elsewhere.requests())
	for _, r := range elsewhere.requests() {
		assert.NotContains(t, r.Auth+r.Query+r.Body, "operator", r.Path)
	}
}
