package pluginhost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// manifestTestFixtureConfig is the schema both fixture forms (array and object) describe.
func manifestTestFixtureConfig() []ConfigField {
	return []ConfigField{
		{Markdown: "## Connection\nWhere the events go."},
		{Key: "host", Name: "Host", Type: "string", Required: true, Hint: "Without the scheme", Order: 1},
		{Key: "port", Name: "Port", Default: "443"},
		{Key: "mode", Name: "Mode", Type: "choice", Choices: []string{"fast", "safe"}, Default: "safe"},
		{Key: "apiKey", Name: "API key", Type: "string", Secret: true, Required: true},
		{Key: "region", Name: "Region", RequiredIf: [][]any{{"mode", "fast"}}, VisibleIf: [][]any{{"mode", "fast"}}},
		{Key: "token", Name: "Token", Type: "choice", Choices: []string{"alpha", "beta"}, Secret: true},
		{Key: "filters", Name: "Filters", Type: "json"},
		{Key: "credentials", Name: "Credentials", Type: "json", Secret: true},
		{Key: "passphrase", Name: "Passphrase", RequiredIf: [][]any{{"apiKey", "enterprise-key"}, {"credentials"}}},
		{Key: "geoDb", Name: "GeoIP database", Type: "attachment"},
	}
}

func TestManifestLoadFixtures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir, main string
	}{
		{dir: "array-form", main: "src/index.ts"},
		{dir: "object-form", main: ""},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("testdata", "manifest", tc.dir)
			m, err := LoadManifest(dir)
			require.NoError(t, err)

			abs, err := filepath.Abs(dir)
			require.NoError(t, err)
			assert.Equal(t, &Manifest{
				Name:           "test-plugin",
				Description:    "Fixture with every kind of config field",
				URL:            "https://example.com/test-plugin",
				Main:           tc.main,
				Config:         manifestTestFixtureConfig(),
				PublicJobs:     map[string]json.RawMessage{"resync": json.RawMessage(`{ "payload": { "since": { "type": "date", "required": true } } }`)},
				Stateless:      true,
				PosthogVersion: ">= 1.25.0",
				Dir:            abs,
			}, m)
		})
	}
}

func TestManifestLoadLenient(t *testing.T) {
	t.Parallel()
	dir := manifestTestDir(t, map[string]string{"plugin.json": `{
		"name": "lenient", "main": null, "icon": "logo.png", "unknownTopLevel": [1],
		"config": {
			"n": {"default": 5},
			"b": {"default": true},
			"j": {"type": "json", "default": {"a": [1, 2]}},
			"c": {"type": "choice", "choices": ["x"], "required_if": [["n", null], ["b", 2]]}
		}
	}`})
	m, err := LoadManifest(dir)
	require.NoError(t, err)
	assert.Equal(t, []ConfigField{
		{Key: "n", Default: "5"},
		{Key: "b", Default: "true"},
		{Key: "j", Type: "json", Default: `{"a":[1,2]}`},
		{Key: "c", Type: "choice", Choices: []string{"x"}, RequiredIf: [][]any{{"n", nil}, {"b", json.Number("2")}}},
	}, m.Config)
	assert.Empty(t, m.Main)
}

func TestManifestLoadErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, pluginJSON string
		want             []string
	}{
		{"invalid JSON", "{\n  \"name\": \"x\",\n  \"config\": [\n}", []string{"plugin.json:4:1: invalid JSON: invalid character '}'"}},
		{"invalid JSON mid-line", `{"name": "x" "y"}`, []string{"plugin.json:1:14: invalid JSON: invalid character '\"' after object key:value pair"}},
		{"not an object", `["x"]`, []string{"plugin.json: must be a JSON object, not array"}},
		{"missing name", `{"description": "no name"}`, []string{`plugin.json: missing "name"`}},
		{"empty name", `{"name": " "}`, []string{`missing "name"`}},
		{"name not a string", `{"name": 5}`, []string{`"name" must be a string`}},
		{"main not a string", `{"name": "x", "main": ["index.js"]}`, []string{`"main" must be a string (the entry file)`}},
		{"main outside folder", `{"name": "x", "main": "../other/index.js"}`, []string{`"main" "../other/index.js" must be a path inside the plugin folder`}},
		{"config neither array nor object", `{"name": "x", "config": "host"}`, []string{`"config" must be an array of fields or an object keyed by field key`}},
		{"field not an object", `{"name": "x", "config": [5]}`, []string{`config[0] must be an object`}},
		{"unknown type", `{"name": "x", "config": [{"key": "a", "type": "number"}]}`, []string{`config[0] (key "a"): "type" "number" is not one of string, choice, json, attachment`}},
		{"unknown type object form", `{"name": "x", "config": {"a": {"type": "bool"}}}`, []string{`config "a": "type" "bool" is not one of string, choice, json, attachment`}},
		{"choice without choices", `{"name": "x", "config": [{"key": "a", "type": "choice"}]}`, []string{`config[0] (key "a"): type "choice" needs a non-empty "choices" list`}},
		{"choices not strings", `{"name": "x", "config": [{"key": "a", "type": "choice", "choices": [1]}]}`, []string{`config[0] (key "a") "choices" must be an array of strings`}},
		{"choice default outside choices", `{"name": "x", "config": [{"key": "a", "type": "choice", "choices": ["b"], "default": "c"}]}`, []string{`"default" "c" is not one of "choices" "b"`}},
		{"json default invalid", `{"name": "x", "config": [{"key": "a", "type": "json", "default": "{"}]}`, []string{`config[0] (key "a"): "default" is not valid JSON`}},
		{"object default for string", `{"name": "x", "config": [{"key": "a", "default": {}}]}`, []string{`config[0] (key "a") "default" must be a string`}},
		{"duplicate keys array form", `{"name": "x", "config": [{"key": "a"}, {"key": "a"}]}`, []string{`config: duplicate key "a"`}},
		{"duplicate keys object form", `{"name": "x", "config": {"a": {}, "a": {}}}`, []string{`config: duplicate key "a"`}},
		{"object key differs", `{"name": "x", "config": {"a": {"key": "b"}}}`, []string{`config "a": "key" "b" differs from the object key`}},
		{"missing key", `{"name": "x", "config": [{"name": "A"}]}`, []string{`config[0]: missing "key"`}},
		{"required not a bool", `{"name": "x", "config": [{"key": "a", "required": "yes"}]}`, []string{`config[0] (key "a") "required" must be true or false`}},
		{"bad required_if", `{"name": "x", "config": [{"key": "a", "required_if": [["b", "c", "d"]]}]}`, []string{`config[0] (key "a") "required_if" must be a list of [key] or [key, value] pairs`}},
		{"bad visible_if", `{"name": "x", "config": [{"key": "a", "visible_if": "b"}]}`, []string{`"visible_if" must be a list of [key] or [key, value] pairs`}},
		{"stateless not a bool", `{"name": "x", "stateless": "yes"}`, []string{`"stateless" must be true or false`}},
		{"publicJobs not an object", `{"name": "x", "publicJobs": []}`, []string{`"publicJobs" must be an object`}},
		{
			"every error at once",
			`{"config": [{"key": "a", "type": "number"}, {"key": "a"}]}`,
			[]string{`missing "name"`, `"type" "number"`, `duplicate key "a"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := manifestTestDir(t, map[string]string{"plugin.json": tc.pluginJSON})
			_, err := LoadManifest(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), filepath.Join(dir, "plugin.json"), "the error names the file")
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestManifestLoadMissingFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := LoadManifest(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "plugin folder "+dir+" has no plugin.json")
}

func TestManifestEntryFile(t *testing.T) {
	t.Parallel()
	const named = `{"name": "entry", "main": "src/index.ts"}`
	const unnamed = `{"name": "entry"}`
	for _, tc := range []struct {
		name    string
		files   map[string]string
		want    string   // relative to the plugin folder
		wantErr []string // fragments, when an error is expected
	}{
		{"plugin.json main sub-path", map[string]string{"plugin.json": named, "src/index.ts": "", "index.js": ""}, "src/index.ts", nil},
		{"plugin.json main wins over package.json", map[string]string{"plugin.json": `{"name": "entry", "main": "dist/index.js"}`, "package.json": `{"main": "index.js"}`, "dist/index.js": "", "index.js": ""}, "dist/index.js", nil},
		{"package.json main", map[string]string{"plugin.json": unnamed, "package.json": `{"main": "dist/index.js"}`, "dist/index.js": "", "index.js": ""}, "dist/index.js", nil},
		{"package.json main missing falls through", map[string]string{"plugin.json": unnamed, "package.json": `{"main": "index.js"}`, "index.ts": ""}, "index.ts", nil},
		{"index.js", map[string]string{"plugin.json": unnamed, "index.js": "", "index.ts": ""}, "index.js", nil},
		{"index.ts fallback", map[string]string{"plugin.json": unnamed, "index.ts": ""}, "index.ts", nil},
		{"plugin.json main missing", map[string]string{"plugin.json": named, "index.js": ""}, "", []string{`plugin "entry": entry file from plugin.json "main" "src/index.ts"`, filepath.Join("src", "index.ts"), "no such file"}},
		{"plugin.json main is a folder", map[string]string{"plugin.json": `{"name": "entry", "main": "src"}`, "src/index.js": ""}, "", []string{"is a directory, not a file"}},
		{"nothing found", map[string]string{"plugin.json": unnamed, "package.json": `{"main": "dist/index.js"}`}, "", []string{`plugin "entry": no entry file in`, "tried dist/index.js, index.js, index.ts"}},
		{"broken package.json", map[string]string{"plugin.json": unnamed, "package.json": `{"main": 5}`, "index.js": ""}, "", []string{`plugin "entry": `, "package.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := manifestTestDir(t, tc.files)
			m, err := LoadManifest(dir)
			require.NoError(t, err)
			got, err := m.EntryFile()
			if tc.wantErr != nil {
				require.Error(t, err)
				for _, want := range tc.wantErr {
					assert.Contains(t, err.Error(), want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(dir, filepath.FromSlash(tc.want)), got)
			assert.True(t, filepath.IsAbs(got))
		})
	}
}

func TestManifestEntryFileFixtures(t *testing.T) {
	t.Parallel()
	for dir, want := range map[string]string{
		"array-form":   "src/index.ts",
		"object-form":  "index.js",
		"package-main": "dist/index.js",
	} {
		m, err := LoadManifest(filepath.Join("testdata", "manifest", dir))
		require.NoError(t, err)
		got, err := m.EntryFile()
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(m.Dir, filepath.FromSlash(want)), got, dir)
	}
}

// manifestTestDir writes files (slash-separated relative paths) into a fresh folder.
func manifestTestDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	return dir
}

// Markdown entries are text: with a "markdown" member and no "key", whatever
// the text (engage-so ships {"markdown": ""}), the entry needs no key.
func TestManifestMarkdownEntries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, config string
		wantKeys     []string
		wantErr      string
	}{
		{"empty markdown", `[{"markdown": ""}, {"key": "a"}]`, []string{"", "a"}, ""},
		{"null markdown", `[{"markdown": null}, {"key": "a"}]`, []string{"", "a"}, ""},
		{"markdown with a type and no key", `[{"markdown": "see docs", "type": "string"}]`, []string{""}, ""},
		{"markdown text", `[{"markdown": "## Setup"}]`, []string{""}, ""},
		{"markdown with a key and a type is a field", `[{"key": "a", "type": "string", "markdown": "x"}]`, []string{"a"}, ""},
		{"no markdown and no key", `[{"name": "A"}]`, nil, `config[0]: missing "key"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := manifestTestDir(t, map[string]string{"plugin.json": `{"name": "x", "config": ` + tc.config + `}`})
			m, err := LoadManifest(dir)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			var keys []string
			for _, f := range m.Config {
				keys = append(keys, f.Key)
			}
			assert.Equal(t, tc.wantKeys, keys)
			_, err = m.ResolveConfig(nil, nil)
			require.NoError(t, err)
		})
	}
}
