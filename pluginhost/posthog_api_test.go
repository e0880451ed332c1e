package pluginhost

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPostHogAPI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
			"auth": r.Header.Get("Authorization"), "body": string(body),
		})
	}))
	defer srv.Close()

	pool, log := startPoolAt(t, "testdata/posthogapi", func(o *Options) {
		o.PostHogAPI = PostHogAPI{Host: srv.URL + "/", ProjectAPIKey: "phc_project", PersonalAPIKey: "phx_personal"}
		o.RecordPluginRuns = false
	})
	res := process(t, pool, `{"event":"e","properties":{}}`)
	require.NoError(t, res[0].Err)
	var got struct {
		Properties struct{ Get, Post map[string]string }
	}
	require.NoError(t, json.Unmarshal(res[0].Event, &got))
	assert.Equal(t, map[string]string{
		"method": "GET", "path": "/api/projects/@current/", "query": "limit=2&token=phc_project",
		"auth": "Bearer phx_personal", "body": "",
	}, got.Properties.Get)
	assert.Equal(t, map[string]string{
		"method": "POST", "path": "/api/annotations/", "query": "",
		"auth": "Bearer phx_other", "body": `{"token":"phc_project","content":"hi"}`,
	}, got.Properties.Post)
	assert.NotContains(t, log.String(), "phx_personal")
}
