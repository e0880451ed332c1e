package pluginhost

// Proof on a real published plugin: @posthog/geoip-plugin@0.0.7, fetched
// with npm pack and loaded from its tarball unmodified (plugin.json "main":
// "index.ts" wins over package.json's "dist/index.js", which the package
// does not ship), with the GeoLite2-City-Test.mmdb it carries.

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// npmPackFixture returns the tarball of the fixture's npm package: the copy
// kept in <fixture>/.npm-pack (git-ignored) when its integrity matches, else
// a fresh `npm pack`. In CI a failing npm pack fails the test.
func npmPackFixture(t *testing.T, f differentialFixture) string {
	t.Helper()
	require.NotEmpty(t, f.spec.Integrity, "%s: fixture.json must pin the package's integrity", f.name)
	name := strings.NewReplacer("/", "-", "@", "-").Replace(strings.TrimPrefix(f.spec.Package, "@")) + ".tgz"
	cached := filepath.Join(f.dir, ".npm-pack", name)
	if integrityOf(cached) == f.spec.Integrity {
		return cached
	}

	npm, err := exec.LookPath("npm")
	if err != nil {
		skipOrFail(t, "npm is not installed: cannot fetch %s (%v)", f.spec.Package, err)
	}
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "pack", f.spec.Package, "--json", "--pack-destination", tmp, "--loglevel=error")
	cmd.Dir = tmp
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		skipOrFail(t, "npm pack %s failed: %v\n%s", f.spec.Package, err, stderr.String())
	}
	var packed []struct{ Filename, Integrity string }
	require.NoError(t, json.Unmarshal(out, &packed), "npm pack --json printed:\n%s", out)
	require.Len(t, packed, 1)
	file := filepath.Join(tmp, packed[0].Filename)
	require.Equal(t, f.spec.Integrity, integrityOf(file),
		"%s is not the pinned package (republished?): check it and update fixture.json", f.spec.Package)

	require.NoError(t, os.MkdirAll(filepath.Dir(cached), 0o755))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	tmpCached := cached + ".tmp"
	require.NoError(t, os.WriteFile(tmpCached, data, 0o644))
	require.NoError(t, os.Rename(tmpCached, cached))
	return cached
}

// integrityOf is npm's "sha512-<base64>" of a file, "" when unreadable.
func integrityOf(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "sha512-" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestGeoIPPluginFromNPM(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	f := differentialFixture{name: "geoip-npm", dir: filepath.Join(fixturesDir, "geoip-npm")}
	f.spec = readFixtureSpec(t, f.dir)
	require.Equal(t, "@posthog/geoip-plugin@0.0.7", f.spec.Package)
	tgz := npmPackFixture(t, f)

	lines := runHogpipeFixture(t, f, tgz, nil)
	input := readJSONLines(t, filepath.Join(f.dir, "events.jsonl"))
	require.Len(t, lines, len(input))
	events := make([]map[string]any, len(lines))
	for i, line := range lines {
		require.NoError(t, json.Unmarshal([]byte(line), &events[i]), line)
	}

	// index.test.ts: "event is enriched with IP location" and "person is
	// enriched with IP location", for 89.160.20.129.
	want := map[string]any{
		"$geoip_city_name":          "Linköping",
		"$geoip_country_name":       "Sweden",
		"$geoip_country_code":       "SE",
		"$geoip_continent_name":     "Europe",
		"$geoip_continent_code":     "EU",
		"$geoip_latitude":           58.4167,
		"$geoip_longitude":          15.6167,
		"$geoip_time_zone":          "Europe/Stockholm",
		"$geoip_subdivision_1_code": "E",
		"$geoip_subdivision_1_name": "Östergötland County",
	}
	first := events[0]
	require.NotContains(t, first, "error", lines[0])
	props, _ := first["properties"].(map[string]any)
	set, _ := first["$set"].(map[string]any)
	setOnce, _ := first["$set_once"].(map[string]any)
	for key, value := range want {
		assert.Equal(t, value, props[key], "properties.%s", key)
		assert.Equal(t, value, set[key], "$set.%s", key)
		initial := "$initial_" + strings.TrimPrefix(key, "$")
		assert.Equal(t, value, setOnce[initial], "$set_once.%s", initial)
	}
	assert.Contains(t, set, "$geoip_postal_code", "defaults to null when absent")
	assert.Nil(t, set["$geoip_postal_code"])

	// "$set optimization works": the same IP again sets no person properties.
	assert.NotContains(t, events[1], "$set")
	assert.Equal(t, "Linköping", events[1]["properties"].(map[string]any)["$geoip_city_name"])

	// "event is skipped using $geoip_disable": unchanged.
	assert.Equal(t, string(input[3]), lines[3])
	// An IP the database does not know, and no IP at all: unchanged.
	assert.Equal(t, string(input[4]), lines[4], "10.0.0.1")
	assert.Equal(t, string(input[5]), lines[5], "not-an-ip")

	// And exactly what the plugin gives in Node.js.
	expected := filepath.Join(f.dir, "expected.jsonl")
	assertSameLines(t, readJSONLines(t, expected), lines, expected, "hogpipe")
}
