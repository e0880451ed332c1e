package pluginhost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigResolve(t *testing.T) {
	t.Parallel()
	files := t.TempDir()
	geoJSON := filepath.Join(files, "geo.json")
	geoMMDB := filepath.Join(files, "GeoLite2-City.mmdb")
	require.NoError(t, os.WriteFile(geoJSON, []byte(`{"a":1}`), 0o644))
	require.NoError(t, os.WriteFile(geoMMDB, []byte{0xab, 0xcd}, 0o644))
	missing := filepath.Join(files, "nope.mmdb")

	// base holds what every row needs to pass; rows override or delete (nil) keys.
	base := map[string]any{"host": "example.com", "apiKey": "s3cr3t-key"}
	const prefix = `plugin "test-plugin": config key `

	for _, tc := range []struct {
		name        string
		values      map[string]any
		attachments map[string]string
		want        map[string]string     // expected Values (checked when no error is expected)
		wantKeys    []string              // expected Keys, when set
		wantAttach  map[string]Attachment // expected Attachments, when set
		wantSecrets []string              // expected Secrets, when set
		wantWarning string                // prefix of the expected Warning ("" = none)
		wantErr     []string              // error fragments, in the order they must appear
	}{
		{
			name:        "defaults fill unset keys, keys in schema order",
			want:        map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key"},
			wantKeys:    []string{"host", "port", "mode", "apiKey"},
			wantSecrets: []string{"s3cr3t-key"},
		},
		{
			name:   "nil value counts as unset",
			values: map[string]any{"port": nil, "mode": nil},
			want:   map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key"},
		},
		{
			name:   "scalars become strings as YAML wrote them",
			values: map[string]any{"host": true, "port": 5, "region": 1.5, "passphrase": float64(1e15)},
			want:   map[string]string{"host": "true", "port": "5", "region": "1.5", "passphrase": "1000000000000000", "mode": "safe", "apiKey": "s3cr3t-key"},
		},
		{
			name:   "unsigned, int64 and float32 scalars",
			values: map[string]any{"port": uint16(8080), "region": int64(-3), "passphrase": float32(0.25)},
			want:   map[string]string{"host": "example.com", "port": "8080", "region": "-3", "passphrase": "0.25", "mode": "safe", "apiKey": "s3cr3t-key"},
		},
		{
			name:    "map for a string field",
			values:  map[string]any{"host": map[string]any{"a": 1}},
			wantErr: []string{prefix + `"host": expected a string, got a map`},
		},
		{
			name:    "list for a string field",
			values:  map[string]any{"port": []any{1, 2}},
			wantErr: []string{prefix + `"port": expected a string, got a list`},
		},
		{
			name:   "choice in choices",
			values: map[string]any{"mode": "fast", "region": "eu"},
			want:   map[string]string{"host": "example.com", "port": "443", "mode": "fast", "region": "eu", "apiKey": "s3cr3t-key"},
		},
		{
			name:    "choice outside choices lists them",
			values:  map[string]any{"mode": "slow"},
			wantErr: []string{prefix + `"mode": value "slow" is not one of the choices "fast", "safe"`},
		},
		{
			name:   "json field from a YAML map is sorted JSON text",
			values: map[string]any{"filters": map[string]any{"z": []any{true, "<x>"}, "a": 1, "m": map[any]any{"k": nil}}},
			want:   map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key", "filters": `{"a":1,"m":{"k":null},"z":[true,"<x>"]}`},
		},
		{
			name:   "json field from a string is kept as written",
			values: map[string]any{"filters": `{ "b": 1, "a": [2] }`},
			want:   map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key", "filters": `{ "b": 1, "a": [2] }`},
		},
		{
			name:    "json field with invalid JSON says why",
			values:  map[string]any{"filters": `{"a": }`},
			wantErr: []string{prefix + `"filters": expected JSON text, got invalid JSON: invalid character '}'`},
		},
		{
			name:        "attachment from a file",
			attachments: map[string]string{"geoDb": geoJSON},
			want:        map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key"},
			wantAttach:  map[string]Attachment{"geoDb": {ContentType: "application/json", FileName: "geo.json", Contents: []byte(`{"a":1}`)}},
		},
		{
			name:        "attachment with an unknown extension",
			attachments: map[string]string{"geoDb": geoMMDB},
			want:        map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key"},
			wantAttach:  map[string]Attachment{"geoDb": {ContentType: "application/octet-stream", FileName: "GeoLite2-City.mmdb", Contents: []byte{0xab, 0xcd}}},
		},
		{
			name:        "attachment file missing names the path",
			attachments: map[string]string{"geoDb": missing},
			wantErr:     []string{prefix + `"geoDb": attachment file: open ` + missing + `: no such file`},
		},
		{
			name:    "value for an attachment key points at attachments",
			values:  map[string]any{"geoDb": "GeoLite2-City.mmdb"},
			wantErr: []string{prefix + `"geoDb": is an attachment field: give a file path under "attachments" instead of a config value`},
		},
		{
			name:        "attachment path for a non-attachment key",
			attachments: map[string]string{"filters": geoJSON},
			wantErr:     []string{prefix + `"filters": has a file under "attachments" but is a json field, not an attachment`},
		},
		{
			name:        "attachment path for an unknown key",
			attachments: map[string]string{"geoDB2": geoJSON},
			wantErr:     []string{prefix + `"geoDB2": attachment given for an unknown key; attachment keys: geoDb`},
		},
		{
			name:        "undeclared key passes with a warning suggesting the closest",
			values:      map[string]any{"apikey": "x"},
			want:        map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key", "apikey": "x"},
			wantKeys:    []string{"host", "port", "mode", "apiKey", "apikey"},
			wantWarning: `plugin "test-plugin": config key "apikey" (did you mean "apiKey"?) not declared in plugin.json; passed to meta.config as given. Declared keys: host, port, mode, apiKey, region, token, filters, credentials, passphrase, geoDb`,
		},
		{
			name:        "undeclared keys as stored by older plugin versions: one warning names them all",
			values:      map[string]any{"enable": true, "excludeEvents": "a,b", "completelyDifferent": 3, "nested": map[string]any{"b": 1, "a": []any{true}}, "gone": nil},
			want:        map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key", "enable": "true", "excludeEvents": "a,b", "completelyDifferent": "3", "nested": `{"a":[true],"b":1}`},
			wantKeys:    []string{"host", "port", "mode", "apiKey", "completelyDifferent", "enable", "excludeEvents", "nested"},
			wantWarning: `plugin "test-plugin": config keys "completelyDifferent", "enable", "excludeEvents", "gone", "nested" not declared in plugin.json; passed to meta.config as given. Declared keys: host,`,
		},
		{
			name:    "undeclared keys do not hide the errors of declared ones",
			values:  map[string]any{"mode": "slow", "zzz": 1},
			wantErr: []string{prefix + `"mode": value "slow"`},
		},
		{
			name:     "reserved keys are accepted as strings, after schema keys",
			values:   map[string]any{"exportEventsToIgnore": "$pageview,$identify", "exportEventsBufferSeconds": 30, "exportEventsBufferBytes": 1048576},
			want:     map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key", "exportEventsToIgnore": "$pageview,$identify", "exportEventsBufferSeconds": "30", "exportEventsBufferBytes": "1048576"},
			wantKeys: []string{"host", "port", "mode", "apiKey", "exportEventsBufferBytes", "exportEventsBufferSeconds", "exportEventsToIgnore"},
		},
		{
			name:    "reserved key given a map",
			values:  map[string]any{"exportEventsToIgnore": map[string]any{}},
			wantErr: []string{prefix + `"exportEventsToIgnore": expected a string, got a map`},
		},
		{
			name:    "required missing",
			values:  map[string]any{"host": nil},
			wantErr: []string{prefix + `"host": required but not set (set a value)`},
		},
		{
			name:    "empty string counts as missing",
			values:  map[string]any{"host": ""},
			wantErr: []string{prefix + `"host": required but not set`},
		},
		{
			name:   "empty string overrides a default",
			values: map[string]any{"port": ""},
			want:   map[string]string{"host": "example.com", "port": "", "mode": "safe", "apiKey": "s3cr3t-key"},
		},
		{
			name:    "required_if with a value that matches",
			values:  map[string]any{"mode": "fast"},
			wantErr: []string{prefix + `"region": required because "mode" is "fast", but not set`},
		},
		{
			name:   "required_if that does not match",
			values: map[string]any{"mode": "safe"},
			want:   map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key"},
		},
		{
			name:   "required_if needs every pair: key-only pair on an empty key",
			values: map[string]any{"apiKey": "enterprise-key"},
			want:   map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "enterprise-key"},
		},
		{
			name:    "required_if with every pair matching, secret condition hidden",
			values:  map[string]any{"apiKey": "enterprise-key", "credentials": `{"user": "u"}`},
			wantErr: []string{prefix + `"passphrase": required because "apiKey" is (secret) and "credentials" is set, but not set`},
		},
		{
			name:        "secrets are collected for redaction",
			values:      map[string]any{"token": "beta", "credentials": map[string]any{"pw": "hunter2"}},
			wantSecrets: []string{"s3cr3t-key", "beta", `{"pw":"hunter2"}`},
			want:        map[string]string{"host": "example.com", "port": "443", "mode": "safe", "apiKey": "s3cr3t-key", "token": "beta", "credentials": `{"pw":"hunter2"}`},
		},
		{
			name:    "secret choice value stays out of the error",
			values:  map[string]any{"token": "gamma-s3cr3t"},
			wantErr: []string{prefix + `"token": value (secret) is not one of the choices "alpha", "beta"`},
		},
		{
			name:    "secret json value stays out of the error",
			values:  map[string]any{"credentials": "Xs3cr3t"},
			wantErr: []string{prefix + `"credentials": expected JSON text, got invalid JSON (secret value not shown)`},
		},
		{
			name:    "every error at once, schema order then unknown keys",
			values:  map[string]any{"host": nil, "apiKey": nil, "mode": "slow", "filters": "{", "zzz": 1, "aaa": 2},
			wantErr: []string{`"host": required`, `"mode": value "slow"`, `"apiKey": required`, `"filters": expected JSON`},
		},
	} {
		for _, form := range []string{"array-form", "object-form"} {
			t.Run(form+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				m, err := LoadManifest(filepath.Join("testdata", "manifest", form))
				require.NoError(t, err)
				values := map[string]any{}
				for k, v := range base {
					values[k] = v
				}
				for k, v := range tc.values {
					values[k] = v
				}

				rc, err := m.ResolveConfig(values, tc.attachments)
				if tc.wantErr != nil {
					require.Error(t, err)
					msg := err.Error()
					last := -1
					for _, want := range tc.wantErr {
						at := strings.Index(msg, want)
						require.GreaterOrEqual(t, at, 0, "%q not in:\n%s", want, msg)
						assert.Greater(t, at, last, "%q out of order in:\n%s", want, msg)
						last = at
					}
					for _, secret := range []string{"s3cr3t", "enterprise-key", "hunter2"} {
						assert.NotContains(t, msg, secret, "a secret value leaked into the error")
					}
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tc.want, rc.Values)
				if tc.wantKeys != nil {
					assert.Equal(t, tc.wantKeys, rc.Keys)
				}
				for _, key := range rc.Keys {
					assert.Contains(t, rc.Values, key)
				}
				assert.Len(t, rc.Keys, len(rc.Values))
				if tc.wantAttach != nil {
					assert.Equal(t, tc.wantAttach, rc.Attachments)
				}
				if tc.wantSecrets != nil {
					assert.Equal(t, tc.wantSecrets, rc.Secrets)
				}
				if tc.wantWarning == "" {
					assert.Empty(t, rc.Warning)
				} else {
					assert.True(t, strings.HasPrefix(rc.Warning, tc.wantWarning), "warning:\n%s\nwant prefix:\n%s", rc.Warning, tc.wantWarning)
				}
			})
		}
	}
}

func TestConfigResolveJoinsErrors(t *testing.T) {
	t.Parallel()
	m, err := LoadManifest(filepath.Join("testdata", "manifest", "array-form"))
	require.NoError(t, err)
	_, err = m.ResolveConfig(map[string]any{"hots": "x"}, nil)
	require.Error(t, err)
	var joined interface{ Unwrap() []error }
	require.ErrorAs(t, err, &joined)
	assert.Len(t, joined.Unwrap(), 2, "host and apiKey missing; hots is only undeclared")
}

func TestConfigResolveNoSchema(t *testing.T) {
	t.Parallel()
	m := &Manifest{Name: "bare"}
	rc, err := m.ResolveConfig(nil, nil)
	require.NoError(t, err)
	assert.Empty(t, rc.Keys)
	assert.Empty(t, rc.Values)
	assert.NotNil(t, rc.Values, "meta.config is an object even when empty")

	_, err = m.ResolveConfig(nil, map[string]string{"file": "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `plugin "bare": config key "file": attachment given for an unknown key; attachment keys: (none)`)
}

func TestConfigRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"no secrets", nil, "token abc", "token abc"},
		{"one secret, every occurrence", []string{"abc"}, "abc and abc", "*** and ***"},
		{"longest first", []string{"abc", "abcdef"}, "key=abcdef short=abc", "key=*** short=***"},
		{"duplicates and empties are harmless", []string{"", "abc", "abc"}, "abc", "***"},
		{"json secret", []string{`{"pw":"hunter2"}`}, `config {"pw":"hunter2"}`, "config ***"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &ResolvedConfig{Secrets: tc.secrets}
			assert.Equal(t, tc.want, c.Redact(tc.in))
		})
	}
	var nilConfig *ResolvedConfig
	assert.Equal(t, "abc", nilConfig.Redact("abc"))
}

func TestConfigScalar(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"x", "x"}, {true, "true"}, {false, "false"}, {5, "5"}, {int64(-7), "-7"}, {uint8(255), "255"},
		{1.5, "1.5"}, {float64(100), "100"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"},
		{0.000001, "0.000001"}, {1e-7, "1e-07"}, {float32(0.1), "0.1"},
	} {
		got, err := configScalar(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%#v", tc.in)
	}
	_, err := configScalar([]string{"a"})
	assert.EqualError(t, err, "expected a string, got a list")
}
