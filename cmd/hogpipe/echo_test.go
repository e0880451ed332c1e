package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsEcho(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"hogpipe", "echo", "c.yaml"}, true},
		{[]string{"hogpipe", "-c", "c.yaml", "echo"}, true},
		{[]string{"hogpipe", "--log.level", "debug", "echo"}, true},
		{[]string{"hogpipe", "-c", "echo"}, false},
		{[]string{"hogpipe", "lint", "echo"}, false},
		{[]string{"hogpipe", "--chilled", "run", "echo.yaml"}, false},
		{[]string{"hogpipe"}, false},
	} {
		assert.Equal(t, tc.want, isEcho(tc.args), "%v", tc.args)
	}
}

// `hogpipe echo` hides the values of plugin config keys marked secret in
// plugin.json, URL passwords and Benthos' secret fields; everything else
// shows as given.
func TestEchoRedactsSecrets(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "c.yaml")
	require.NoError(t, os.WriteFile(conf, []byte(`
input:
  posthog_schedule:
    path: ../../testdata/plugins/stored-config
    redis_url: redis://default:redis-pass-1@localhost:6379/0
    posthog_personal_api_key: phx_personal_2
    config:
      apiKey: plugin-secret-3
      mode: b
      excludeEvents: shown-4
pipeline:
  processors:
    - posthog_plugin:
        path: https://example.com/plugin.tgz
        config:
          anything: unknown-plugin-5
          nested: {deep: unknown-plugin-6}
    - posthog_plugin:
        path: ../../testdata/plugins/hello-world
        state_dir: ./state-7
        config:
          bar: shown-8
output:
  posthog:
    url: https://user:url-pass-9@posthog.example.com
    api_key: phc_project_10
`), 0o600))

	for _, args := range [][]string{
		{"hogpipe", "echo", conf},
		{"hogpipe", "-c", conf, "echo"},
	} {
		var out bytes.Buffer
		code := runEcho(t.Context(), &out, cliOptions(args)...)
		require.Equal(t, 0, code, out.String())
		text := out.String()
		for _, secret := range []string{"redis-pass-1", "phx_personal_2", "plugin-secret-3", "unknown-plugin-5", "unknown-plugin-6", "url-pass-9", "phc_project_10"} {
			assert.NotContains(t, text, secret)
		}
		for _, shown := range []string{"mode: b", "excludeEvents: shown-4", "./state-7", "bar: shown-8", "path: ../../testdata/plugins/stored-config"} {
			assert.Contains(t, text, shown)
		}
		assert.Contains(t, text, "apiKey: '!!!SECRET_SCRUBBED!!!'")
	}

	// A config that does not parse fails as before.
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("input: [\n"), 0o600))
	var out bytes.Buffer
	assert.NotEqual(t, 0, runEcho(t.Context(), &out, cliOptions([]string{"hogpipe", "echo", bad})...))
}
