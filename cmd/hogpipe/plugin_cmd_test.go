package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/pluginhost"
)

func TestDryRun(t *testing.T) {
	in := strings.NewReader(`{"event":"a","properties":{"z":1}}

{"event":"drop-null"}
{"event":"throw-string","properties":{}}
not json
`)
	var out, errOut bytes.Buffer
	opts := pluginhost.Options{Path: "../../testdata/plugins/behaviour", Config: map[string]any{"apiKey": "k"}, VMs: 1}
	require.NoError(t, dryRun(t.Context(), opts, 1, in, &out, &errOut))
	assert.Equal(t, `{"event":"a","properties":{"z":1,"seen":1}}
{"event":"throw-string","properties":{"touched":true}}
not json
`, out.String())
	assert.Contains(t, errOut.String(), "line 3: dropped")
	assert.Contains(t, errOut.String(), "line 4: failed: plugin \"behaviour\": processEvent: a plain string")
	assert.Contains(t, errOut.String(), "line 5: failed:")
}

func TestDryRunReportsConfigErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	opts := pluginhost.Options{Path: "../../testdata/plugins/behaviour", VMs: 1}
	err := dryRun(t.Context(), opts, 1, strings.NewReader(""), &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "apiKey")
}

func runCLI(t *testing.T, args ...string) (int, error) {
	t.Helper()
	return service.RunCLIToCode(context.Background(), service.CLIOptSetArgs(append([]string{"hogpipe"}, args...)...))
}

func TestLintCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte(`
input:
  stdin: {}
pipeline:
  processors:
    - posthog_plugin:
        path: ../../testdata/plugins/hello-world
        config: {bar: baz}
output:
  stdout: {}
`), 0o644))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`
input:
  stdin: {}
pipeline:
  processors:
    - posthog_plugin:
        path: ../../testdata/plugins/hello-world
        not_a_field: true
output:
  stdout: {}
`), 0o644))
	code, err := runCLI(t, "lint", good)
	require.NoError(t, err)
	assert.Equal(t, 0, code)
	code, _ = runCLI(t, "lint", bad)
	assert.NotEqual(t, 0, code)
}

func TestExampleConfigsLint(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.yaml")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_benthos_test.yaml") })
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		code, err := runCLI(t, "lint", f)
		require.NoError(t, err, f)
		assert.Equal(t, 0, code, f)
	}
}

// Flags may follow PATH: the config error proves --config was read.
func TestPluginRunFlagsAfterPath(t *testing.T) {
	code, _ := runCLI(t, "plugin", "run", "../../testdata/plugins/hello-world", "--config", `[1]`)
	assert.Equal(t, 1, code)
	code, _ = runCLI(t, "plugin", "run", "../../testdata/plugins/hello-world", "--attachment", "x")
	assert.Equal(t, 1, code)
}
