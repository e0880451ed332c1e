package pluginhost

import (
	"encoding/json"
	"fmt"
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
// of it, and an absolute import, are refused too.
func TestBundleFollowsNoSymlinkOut(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "data.json")
	require.NoError(t, os.WriteFile(secret, []byte(`{"password":"hunter2"}`), 0o600))
	for name, imported := range map[string]string{"symlink": "./link.json", "absolute path": filepath.ToSlash(secret)} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(`{"name":"escape","main":"index.js"}`), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "index.js"), []byte(`import d from '`+imported+`'; export function processEvent(e) { e.properties.d = d; return e }`), 0o600))
			require.NoError(t, os.Symlink(secret, filepath.Join(dir, "link.json")))
			mem := state.NewMemory()
			defer mem.Close()
			_, err := Load(Options{Path: dir, Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "outside the plugin's folder")
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func loadForInstances(t *testing.T, path string, mod func(*Options)) *Plugin {
	t.Helper()
	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	opts := Options{Path: path, Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage()}
	if mod != nil {
		mod(&opts)
	}
	p, err := Load(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// TestInstancesClaim: one plugin_config_id is one plugin folder; the same
// folder (by any path) may be claimed again, and a released id is free.
func TestInstancesClaim(t *testing.T) {
	twinA, err := filepath.Abs("../testdata/plugins/hostile/twin-a")
	require.NoError(t, err)
	link := filepath.Join(t.TempDir(), "link-to-a")
	require.NoError(t, os.Symlink(twinA, link))

	var reg Instances
	a := loadForInstances(t, twinA, nil)
	releaseA, err := reg.Claim(a)
	require.NoError(t, err)
	releaseLink, err := reg.Claim(loadForInstances(t, link, nil))
	require.NoError(t, err, "the same folder through a symlink is the same instance")

	b := loadForInstances(t, "../testdata/plugins/hostile/twin-b", nil)
	_, err = reg.Claim(b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("plugin_config_id %d (derived from the name", a.PluginConfigID()))

	withID := loadForInstances(t, "../testdata/plugins/hostile/twin-b", func(o *Options) { o.PluginID = a.PluginID() })
	_, err = reg.Claim(withID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(plugin_id, as no plugin_config_id is set)")

	releaseB, err := reg.Claim(loadForInstances(t, "../testdata/plugins/hostile/twin-b", func(o *Options) { o.PluginConfigID = 77 }))
	require.NoError(t, err)
	releaseB()

	releaseA()
	releaseA() // a second call changes nothing
	_, err = reg.Claim(b)
	require.Error(t, err, "still claimed through the symlink")
	releaseLink()
	releaseB2, err := reg.Claim(b)
	require.NoError(t, err, "free once every claim is released")
	releaseB2()
}

// TestCacheNamespace: without plugin_id the cache is the instance's, so
// two instances with different plugin_config_ids do not share it; with
// plugin_id it is the plugin's, as in PostHog; unconfigured it is what it
// always was.
func TestCacheNamespace(t *testing.T) {
	derived := DerivePluginID("twin")
	cases := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"nothing set", nil, fmt.Sprintf("@plugin/%d/@all/", derived)},
		{"plugin_config_id", func(o *Options) { o.PluginConfigID = 12 }, "@plugin/12/@all/"},
		{"plugin_id", func(o *Options) { o.PluginID = 5 }, "@plugin/5/@all/"},
		{"both", func(o *Options) { o.PluginID = 5; o.PluginConfigID = 12 }, "@plugin/5/@all/"},
	}
	for _, tc := range cases {
		p := loadForInstances(t, "../testdata/plugins/hostile/twin-a", tc.mod)
		assert.Equal(t, tc.want, p.cacheNS, tc.name)
	}
}

// TestSSRFProbe: with fetch_deny_private, a plugin reaches none of the
// special-purpose addresses, however written; each fetch fails with
// ERR_FETCH_REFUSED naming the rule, before any packet is sent.
func TestSSRFProbe(t *testing.T) {
	targets := []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://[fd00:ec2::254]/latest/meta-data/",
		"http://127.0.0.1:1/", "http://localhost:1/", "http://2130706433/", "http://0x7f.1/",
		"http://0.0.0.0/", "http://0.1.2.3/",
		"http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.0.1/", "http://100.64.0.1/",
		"http://198.18.0.1/", "http://198.19.255.254/",
		"http://192.0.0.1/", "http://192.0.0.170/",
		"http://192.0.2.1/", "http://198.51.100.1/", "http://203.0.113.1/",
		"http://192.88.99.1/",
		"http://224.0.0.1/", "http://239.255.255.250/", "http://240.0.0.1/", "http://255.255.255.255/",
		"http://[::1]/", "http://[::]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:a00:1]/",
		"http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::1]/",
		"http://[2002:a9fe:a9fe::1]/", "http://[2001::1]/", "http://[2001:db8::1]/", "http://[100::1]/",
		"http://[fe80::1]/", "http://[fc00::1]/", "http://[ff02::1]/", "http://[fec0::1]/",
	}
	pool, _ := startPool(t, "hostile/ssrf", func(o *Options) { o.FetchDenyPrivate = true })
	event, err := json.Marshal(map[string]any{"event": "e", "distinct_id": "d", "properties": map[string]any{"targets": targets}})
	require.NoError(t, err)
	res := process(t, pool, string(event))
	require.NoError(t, res[0].Err)
	var out struct {
		Properties struct {
			Result map[string]struct {
				Status  int    `json:"status"`
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"result"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(res[0].Event, &out))
	for _, target := range targets {
		got := out.Properties.Result[target]
		assert.Equal(t, "ERR_FETCH_REFUSED", got.Code, "%s: %+v", target, got)
		assert.Contains(t, got.Message, "(fetch_deny_private)", target)
	}
}
