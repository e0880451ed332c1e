package pluginhost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// TestRequireServesNoFiles: a require left to run time (a computed name)
// reaches neither the host's files nor goja_nodejs's own modules; host
// modules, "node:" prefix included, are served.
func TestRequireServesNoFiles(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.json")
	script := filepath.Join(dir, "run.js")
	require.NoError(t, os.WriteFile(secret, []byte(`{"password":"hunter2"}`), 0o600))
	require.NoError(t, os.WriteFile(script, []byte(`globalThis.__hostFileRan = true; module.exports = 1`), 0o600))

	pool, _ := startPool(t, "hostile/require-files")
	targets := []string{secret, script, dir, "./plugin.json", "../hello-world/index.js", "fs", "node:fs", "child_process", "left-pad", "node:process", "process", "console"}
	event, err := json.Marshal(map[string]any{"event": "e", "distinct_id": "d", "properties": map[string]any{"targets": targets}})
	require.NoError(t, err)
	res := process(t, pool, string(event))
	require.NoError(t, res[0].Err)
	assert.NotContains(t, string(res[0].Event), "hunter2")

	var out struct {
		Properties struct {
			Result map[string]json.RawMessage `json:"result"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(res[0].Event, &out))
	result := out.Properties.Result
	assert.JSONEq(t, `false`, string(result["ranHostFile"]), "a host .js file ran")
	assert.JSONEq(t, `true`, string(result["nodePrefixIsHost"]), "node:buffer is the host's buffer")
	for _, target := range targets {
		var attempt struct {
			Loaded  bool   `json:"loaded"`
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		require.NoError(t, json.Unmarshal(result[target], &attempt), target)
		assert.False(t, attempt.Loaded, target)
		assert.Equal(t, "MODULE_NOT_FOUND", attempt.Code, target)
		assert.Contains(t, attempt.Message, "Cannot find module '"+target+"'", target)
	}
}

// TestBundleStaysInPluginFolder: an import climbing out of the plugin's
// folder fails the build instead of bundling a host file.
func TestBundleStaysInPluginFolder(t *testing.T) {
	mem := state.NewMemory()
	defer mem.Close()
	_, err := Load(Options{Path: "../testdata/plugins/hostile/bundle-escape", Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside the plugin's folder")
	assert.Contains(t, err.Error(), "outside.json")
	assert.NotContains(t, err.Error(), "outside the plugin folder\"", "the file's content is not echoed")
}

// TestBundleFollowsNoSymlinkOut: a symlink inside the folder pointing out
// of it is refused too.
func TestBundleFollowsNoSymlinkOut(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "data.json"), []byte(`{"password":"hunter2"}`), 0o600))
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(`{"name":"symlink-out","main":"index.js"}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.js"), []byte(`import d from './link.json'; export function processEvent(e) { e.properties.d = d; return e }`), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(outside, "data.json"), filepath.Join(dir, "link.json")))
	mem := state.NewMemory()
	defer mem.Close()
	_, err := Load(Options{Path: dir, Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside the plugin's folder")
}
