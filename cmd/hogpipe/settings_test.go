package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/hogpipe/hogpipe/internal/docsgen"
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// settingsFixture is what the settings need to be valid: files, a Redis, a
// PostHog /batch/ endpoint over TLS, the brokers.
type settingsFixture struct {
	brokers
	dir                       string
	certPEM, keyPEM           string
	certFile, keyFile, encKey string
	mmdb, lookup              string
	redisURL                  string
	posthog                   *httptest.Server
	captureAddr               string

	mu      sync.Mutex
	batches []string
}

func newSettingsFixture(t *testing.T) *settingsFixture {
	f := &settingsFixture{dir: t.TempDir()}
	f.certPEM, f.keyPEM = selfSignedCert(t)
	f.certFile = f.write(t, "cert.pem", f.certPEM)
	f.keyFile = f.write(t, "key.pem", f.keyPEM)
	block, _ := pem.Decode([]byte(f.keyPEM))
	//nolint:staticcheck // Benthos reads encrypted PKCS#1-style PEM keys only in this legacy form.
	enc, err := x509.EncryptPEMBlock(rand.Reader, block.Type, block.Bytes, []byte("s3cret"), x509.PEMCipherAES256)
	require.NoError(t, err)
	f.encKey = f.write(t, "key-enc.pem", string(pem.EncodeToMemory(enc)))
	f.mmdb = writeCityDB(t, f.dir)
	f.lookup = f.write(t, "lookup.txt", "looked up\n")
	f.redisURL = redistest.Start(t, redistest.WithPassword("redis-pass")).URL()
	f.captureAddr = testutil.FreeAddr(t)

	f.posthog = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.batches = append(f.batches, r.URL.Path+" "+string(body))
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"status": 1}`))
	}))
	cert, err := tls.X509KeyPair([]byte(f.certPEM), []byte(f.keyPEM))
	require.NoError(t, err)
	f.posthog.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	f.posthog.StartTLS()
	t.Cleanup(f.posthog.Close)
	f.startBrokers(t)
	return f
}

func (f *settingsFixture) write(t *testing.T, name, content string) string {
	path := filepath.Join(f.dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func (f *settingsFixture) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches)
}

// pluginSettings sets every field pluginconf.Fields declares.
func (f *settingsFixture) pluginSettings(stateDir string) map[string]any {
	return map[string]any{
		"path":                         "../../testdata/plugins/settings",
		"config":                       map[string]any{"greeting": "hi there"},
		"attachments":                  map[string]any{"lookup": f.lookup},
		"geoip_database":               f.mmdb,
		"fetch_allow":                  []any{"api.example.com", "*.example.org"},
		"fetch_deny_private":           true,
		"timeout":                      "5s",
		"max_memory":                   "1GiB",
		"setup_retry_initial_interval": "1s",
		"setup_max_retries":            2,
		"vms":                          1,
		"event_concurrency":            3,
		"plugin_id":                    9001,
		"plugin_config_id":             9002,
		"team_id":                      2,
		"posthog_host":                 "https://posthog.example.com",
		"posthog_project_api_key":      "phc_project",
		"posthog_personal_api_key":     "phx_personal",
		"redis_url":                    f.redisURL,
		"state_dir":                    filepath.Join(f.dir, stateDir),
	}
}

func (f *settingsFixture) clientCerts() []any {
	return []any{map[string]any{
		"cert": f.certPEM, "key": f.keyPEM,
		"cert_file": f.certFile, "key_file": f.encKey, "password": "s3cret",
	}}
}

func (f *settingsFixture) batching() map[string]any {
	return map[string]any{
		"count":      5,
		"byte_size":  1 << 20,
		"period":     "50ms",
		"check":      `this.event == "flush"`,
		"processors": []any{map[string]any{"mapping": "root = this"}},
	}
}

// settings holds a valid non-default value for every field of every hogpipe
// component, keyed by "<kind> <name>" and the field's full name.
func (f *settingsFixture) settings() map[string]map[string]any {
	processor := f.pluginSettings("processor")
	processor["record_plugin_runs"] = false

	schedule := f.pluginSettings("schedule")
	schedule["task_timeout"] = "30s"
	schedule["intervals"] = map[string]any{"runEveryMinute": "1s"}
	schedule["job_max_retries"] = 3
	schedule["job_retry_initial_interval"] = "1s"
	schedule["job_retry_max_interval"] = "10s"

	exporter := f.pluginSettings("exporter")
	setAll(exporter, map[string]any{
		"batching":               f.batching(),
		"max_in_flight":          2,
		"retry_initial_interval": "100ms",
		"max_retries":            1,
	})

	out := map[string]map[string]any{
		"processor posthog_plugin": processor,
		"processor posthog_envelope": {
			"operation": "encode",
		},
		"input posthog_schedule": schedule,
		"output posthog_plugin":  exporter,
		"input posthog_capture": {
			"address":                f.captureAddr,
			"path_prefix":            "/ingest",
			"tls":                    map[string]any{"enabled": true, "cert_file": f.certFile, "key_file": f.keyFile},
			"api_keys":               []any{"phc_settings"},
			"teams":                  map[string]any{"phc_settings": 2},
			"trust_forwarded_for":    true,
			"site_url":               "https://capture.example.com",
			"ack_timeout":            "20s",
			"max_body_bytes":         1 << 20,
			"max_events_per_request": 50,
			"read_timeout":           "20s",
			"idle_timeout":           "30s",
			"allowed_origins":        []any{"https://app.example.com"},
			"trusted_proxies":        []any{"10.0.0.0/8", "127.0.0.1"},
			"upstream_url":           f.posthog.URL + "/upstream",
			"upstream_assets_url":    f.posthog.URL + "/assets",
		},
		"output posthog": {
			"url":               f.posthog.URL,
			"api_key":           "phc_output",
			"use_event_api_key": true,
			"compression":       "none",
			"timeout":           "20s",
			"max_retries":       2,
			"retry_backoff":     map[string]any{"initial_interval": "100ms", "max_interval": "1s", "max_elapsed_time": "30s"},
			"tls": map[string]any{
				"enabled": true, "skip_cert_verify": true, "enable_renegotiation": true,
				"root_cas_file": f.certFile, "client_certs": f.clientCerts(),
			},
			"max_in_flight": 2,
			"batching":      f.batching(),
		},
	}
	for comp, values := range f.brokerSettings() {
		out[comp] = values
	}
	return out
}

// setAll sets src's keys in dst and returns dst.
func setAll(dst, src map[string]any) map[string]any {
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// alternatives are fields that exclude one in settings(): each alternative
// is a copy of the component's settings with its leaves set, and nil leaves
// removed. Every alternative is linted; where stated, it is started too.
func (f *settingsFixture) alternatives() map[string][]map[string]any {
	out := map[string][]map[string]any{
		// Started: the processor stream writes through both copies.
		"output posthog": {{"tls": map[string]any{"root_cas": f.certPEM, "root_cas_file": nil}}},
	}
	for comp, alts := range f.brokerAlternatives() {
		out[comp] = alts
	}
	return out
}

// withAlternatives is a copy of values with the alternative's leaves set,
// and those that are nil removed.
func withAlternatives(values, alt map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range values {
		out[k] = v
	}
	for k, v := range alt {
		if v == nil {
			delete(out, k)
			continue
		}
		sub, isMap := v.(map[string]any)
		base, baseIsMap := out[k].(map[string]any)
		if isMap && baseIsMap {
			out[k] = withAlternatives(base, sub)
			continue
		}
		out[k] = v
	}
	return out
}

// hasKey reports whether a map in v, at any depth, has key.
func hasKey(v any, key string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			if k == key || hasKey(sub, key) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, func(sub any) bool { return hasKey(sub, key) })
	}
	return false
}

// lookupPath finds a dotted field path in nested maps.
func lookupPath(m map[string]any, path string) (any, bool) {
	parts := strings.Split(path, ".")
	var cur any = m
	for _, p := range parts {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// TestEverySettingLintsAndStarts takes the fields from the registered specs:
// a field added without a value here fails the test, so every setting of
// every hogpipe component is linted and started at least once.
func TestEverySettingLintsAndStarts(t *testing.T) {
	f := newSettingsFixture(t)
	settings := f.settings()
	alternatives := f.alternatives()

	checked := map[string]int{}
	walk := func(kind string) func(string, *service.ConfigView) {
		return func(name string, view *service.ConfigView) {
			if !docsgen.Own(name) {
				return
			}
			comp := kind + " " + name
			values, ok := settings[comp]
			if !assert.True(t, ok, "no settings for %s", comp) {
				return
			}
			data, err := view.TemplateData()
			require.NoError(t, err)
			var names []string
			for _, field := range data.Fields {
				names = append(names, field.FullName)
			}
			for _, field := range data.Fields {
				// Array elements are set with their array, objects by their children.
				if strings.Contains(field.FullName, "[]") || slices.ContainsFunc(names, func(n string) bool {
					return strings.HasPrefix(n, field.FullName+".")
				}) {
					continue
				}
				v, ok := lookupPath(values, field.FullName)
				for _, alt := range alternatives[comp] {
					if !ok || v == nil {
						v, ok = lookupPath(alt, field.FullName)
					}
				}
				ok = ok && v != nil
				if !assert.True(t, ok, "%s: field %s has no value in settings()", comp, field.FullName) {
					continue
				}
				if field.DefaultMarshalled != "" {
					got, err := json.Marshal(v)
					require.NoError(t, err)
					assert.NotEqual(t, field.DefaultMarshalled, string(got), "%s: field %s is set to its default", comp, field.FullName)
				}
				checked[comp]++
			}
		}
	}
	env := service.GlobalEnvironment()
	env.WalkInputs(walk("input"))
	env.WalkProcessors(walk("processor"))
	env.WalkOutputs(walk("output"))
	require.Len(t, checked, len(settings), "components checked: %v", checked)

	// The exporter's event reaches the plugin's onEvent, the others flow to
	// the posthog output.
	configs := map[string]map[string]any{
		"processor": {
			"input":    map[string]any{"generate": map[string]any{"count": 1, "interval": "", "mapping": `root = {"event": "flush", "distinct_id": "d1", "properties": {"$ip": "1.2.3.4"}, "api_key": "phc_event"}`}},
			"pipeline": map[string]any{"processors": []any{map[string]any{"posthog_plugin": settings["processor posthog_plugin"]}}},
			"output": map[string]any{"broker": map[string]any{"pattern": "fan_out", "outputs": []any{
				map[string]any{"posthog": settings["output posthog"]},
				map[string]any{"posthog": withAlternatives(settings["output posthog"], alternatives["output posthog"][0])},
			}}},
		},
		"capture": {
			"input":  map[string]any{"posthog_capture": settings["input posthog_capture"]},
			"output": map[string]any{"posthog_plugin": settings["output posthog_plugin"]},
		},
		"envelope": {
			"input":    map[string]any{"generate": map[string]any{"count": 1, "interval": "", "mapping": `root = {"uuid": "u1", "event": "e", "distinct_id": "d3", "properties": {}}`}},
			"pipeline": map[string]any{"processors": []any{map[string]any{"posthog_envelope": settings["processor posthog_envelope"]}}},
			"output":   map[string]any{"drop": map[string]any{}},
		},
		"schedule": {
			"input":  map[string]any{"posthog_schedule": settings["input posthog_schedule"]},
			"output": map[string]any{"drop": map[string]any{}},
		},
	}
	pairs := map[string][]brokerPair{}
	for _, name := range []string{"kafka", "nats_jetstream", "redis_streams"} {
		in, out := settings["input "+name], settings["output "+name]
		pairs[name] = []brokerPair{f.brokerPair(name, out, in)}
		require.Len(t, alternatives["output "+name], len(alternatives["input "+name]), "%s: alternatives go in input/output pairs", name)
		for i, alt := range alternatives["input "+name] {
			pairs[name] = append(pairs[name], f.brokerPair(name,
				withAlternatives(out, alternatives["output "+name][i]), withAlternatives(in, alt)))
		}
		for i, pair := range pairs[name] {
			configs[fmt.Sprintf("%s producer %d", name, i)] = pair.producer
			configs[fmt.Sprintf("%s consumer %d", name, i)] = pair.consumer
		}
	}
	// A component with settings and no config would be checked and never
	// linted nor started.
	for comp := range settings {
		name := comp[strings.Index(comp, " ")+1:]
		require.True(t, slices.ContainsFunc(slices.Collect(maps.Values(configs)), func(conf map[string]any) bool {
			return hasKey(conf, name)
		}), "%s is in no config", comp)
	}

	yamls := map[string]string{}
	for name, conf := range configs {
		out, err := yaml.Marshal(conf)
		require.NoError(t, err)
		yamls[name] = string(out)
		path := f.write(t, strings.ReplaceAll(name, " ", "-")+".yaml", string(out))
		code, err := runCLI(t, "lint", path)
		require.NoError(t, err)
		require.Equal(t, 0, code, "hogpipe lint %s:\n%s", name, out)
	}

	t.Run("processor and posthog output", func(t *testing.T) {
		builder := service.NewStreamBuilder()
		require.NoError(t, builder.SetYAML(yamls["processor"]))
		stream, err := builder.Build()
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		require.NoError(t, stream.Run(ctx))
		got := f.received()
		require.Len(t, got, 2)
		for _, batch := range got {
			assert.Contains(t, batch, `"greeting":"hi there"`)
			assert.Contains(t, batch, `"lookup":"looked up"`)
			assert.Contains(t, batch, `"api_key":"phc_event"`)
			assert.True(t, strings.HasPrefix(batch, "/batch/ "), batch)
		}
	})

	t.Run("capture input and exporter", func(t *testing.T) {
		builder := service.NewStreamBuilder()
		require.NoError(t, builder.SetYAML(yamls["capture"]))
		stream, err := builder.Build()
		require.NoError(t, err)
		streamtest.Run(t, stream)

		pool := x509.NewCertPool()
		require.True(t, pool.AppendCertsFromPEM([]byte(f.certPEM)))
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		url := "https://" + f.captureAddr + "/ingest/i/v0/e/"
		body := `{"api_key": "phc_settings", "event": "flush", "distinct_id": "d2"}`
		var resp *http.Response
		require.Eventually(t, func() bool {
			resp, err = client.Post(url, "application/json", strings.NewReader(body))
			return err == nil
		}, 20*time.Second, 50*time.Millisecond, "capture input did not start: %v", err)
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusOK, resp.StatusCode, string(answer))
	})

	t.Run("envelope processor", func(t *testing.T) {
		builder := service.NewStreamBuilder()
		require.NoError(t, builder.SetYAML(yamls["envelope"]))
		msgs := streamtest.Collect(t, builder, 1)
		stream, err := builder.Build()
		require.NoError(t, err)
		streamtest.Run(t, stream)
		select {
		case msg := <-msgs:
			b, err := msg.AsBytes()
			require.NoError(t, err)
			assert.Contains(t, string(b), `"data":`)
		case <-time.After(30 * time.Second):
			t.Fatal("no envelope within 30s")
		}
	})

	t.Run("schedule input", func(t *testing.T) {
		builder := service.NewStreamBuilder()
		require.NoError(t, builder.SetYAML(yamls["schedule"]))
		msgs := streamtest.Collect(t, builder, 4)
		stream, err := builder.Build()
		require.NoError(t, err)
		streamtest.Run(t, stream)
		select {
		case msg := <-msgs:
			b, err := msg.AsBytes()
			require.NoError(t, err)
			assert.Contains(t, string(b), `"greeting":"hi there"`)
			assert.Contains(t, string(b), `"team_id":2`)
		case <-time.After(30 * time.Second):
			t.Fatal("no tick within 30s")
		}
	})

	t.Run("kafka input and output", func(t *testing.T) {
		// librdkafka's mock cluster speaks neither TLS nor SASL (it resets
		// the connection at the SASL handshake): every copy is built from
		// all its settings, and the stream runs without those two.
		for _, pair := range pairs["kafka"] {
			constructKafka(t, pair.input, pair.output)
		}
		noAuth := map[string]any{"tls": nil, "sasl": nil}
		pair := f.brokerPair("kafka", withAlternatives(pairs["kafka"][0].output, noAuth), withAlternatives(pairs["kafka"][0].input, noAuth))
		m := runBrokerPair(t, kafkaMockEnv(t), pair)
		key, _ := m.MetaGet("kafka_key")
		assert.Equal(t, brokerDistinctID, key)
		origin, _ := m.MetaGet("settings_origin")
		assert.Equal(t, "generate", origin, "metadata.include_prefixes makes it a header")
	})

	// The user/password server, the token server with the certificate
	// verified, the operator-mode server with a credentials file.
	for i, pair := range pairs["nats_jetstream"] {
		t.Run(fmt.Sprintf("nats_jetstream input and output %d", i), func(t *testing.T) {
			m := runBrokerPair(t, service.GlobalEnvironment(), pair)
			subject, _ := m.MetaGet("nats_subject")
			assert.Equal(t, "settings.in", subject)
		})
	}

	// Plain, then TLS.
	for i, pair := range pairs["redis_streams"] {
		t.Run(fmt.Sprintf("redis_streams input and output %d", i), func(t *testing.T) {
			runBrokerPair(t, service.GlobalEnvironment(), pair)
		})
	}
}

func selfSignedCert(t *testing.T) (certPEM, keyPEM string) {
	certBytes, keyBytes, err := testutil.SelfSignedCert("hogpipe settings test")
	require.NoError(t, err)
	return string(certBytes), string(keyBytes)
}

// writeCityDB writes a one-network MaxMind City database.
func writeCityDB(t *testing.T, dir string) string {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 28})
	require.NoError(t, err)
	_, network, err := net.ParseCIDR("1.2.3.0/24")
	require.NoError(t, err)
	require.NoError(t, tree.Insert(network, mmdbtype.Map{
		"country": mmdbtype.Map{"iso_code": mmdbtype.String("SE")},
	}))
	path := filepath.Join(dir, "city.mmdb")
	out, err := os.Create(path)
	require.NoError(t, err)
	_, err = tree.WriteTo(out)
	require.NoError(t, err)
	require.NoError(t, out.Close())
	return path
}

// TestDurationLintRules runs the duration rules as `hogpipe lint` does: they
// parse in Bloblang's core environment, and must accept every positive
// duration and refuse the rest.
func TestDurationLintRules(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"5s", true}, {"30s", true}, {"0.5s", true}, {"1m30s", true}, {"100ms", true}, {"1h", true},
		{"0s", false}, {"0", false}, {"-1s", false}, {"0.0s", false}, {"0h0m", false},
	} {
		for _, conf := range []string{
			"pipeline:\n  processors:\n    - posthog_plugin:\n        path: ./p\n        timeout: " + tc.value + "\n",
			"input:\n  posthog_schedule:\n    path: ./p\n    task_timeout: " + tc.value + "\n",
		} {
			path := filepath.Join(dir, "c.yaml")
			require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
			code, err := runCLI(t, "lint", path)
			require.NoError(t, err)
			assert.Equal(t, tc.ok, code == 0, "%s", conf)
		}
	}
}

// TestJobRetryLintRules: job_max_retries is 0 to 1000, its waits positive.
func TestJobRetryLintRules(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		fields string
		ok     bool
	}{
		{"job_max_retries: 0", true}, {"job_max_retries: 10", true}, {"job_max_retries: 1000", true},
		{"job_max_retries: -1", false}, {"job_max_retries: 1001", false},
		{"job_retry_initial_interval: 500ms", true}, {"job_retry_initial_interval: 0s", false},
		{"job_retry_max_interval: 1h", true}, {"job_retry_max_interval: -1m", false},
	} {
		conf := "input:\n  posthog_schedule:\n    path: ./p\n    " + tc.fields + "\n"
		path := filepath.Join(dir, "c.yaml")
		require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
		code, err := runCLI(t, "lint", path)
		require.NoError(t, err)
		assert.Equal(t, tc.ok, code == 0, "%s", conf)
	}
}

// TestDocumentedConfigsLint runs `hogpipe lint` on every example config a
// user reads: the component specs' examples, the README's YAML blocks and
// configs/*.yaml.
func TestDocumentedConfigsLint(t *testing.T) {
	docs := map[string]string{}
	examples, err := docsgen.Examples(service.GlobalEnvironment())
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	for name, conf := range examples {
		docs[name] = conf
	}

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, blocks)
	for i, b := range blocks {
		docs[fmt.Sprintf("README.md yaml block %d", i+1)] = b[1]
	}

	files, err := filepath.Glob("../../configs/*.yaml")
	require.NoError(t, err)
	for _, file := range files {
		if strings.HasSuffix(file, "_test.yaml") {
			continue
		}
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		docs[file] = string(b)
	}

	// The examples read secrets from the environment, as a user runs them;
	// variables with a default keep it.
	envVar := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	for _, conf := range docs {
		for _, m := range envVar.FindAllStringSubmatch(conf, -1) {
			t.Setenv(m[1], "value-of-"+m[1])
		}
	}

	dir := t.TempDir()
	i := 0
	for name, conf := range docs {
		i++
		path := filepath.Join(dir, fmt.Sprintf("doc%d.yaml", i))
		require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
		code, err := runCLI(t, "lint", path)
		require.NoError(t, err, name)
		assert.Equal(t, 0, code, "hogpipe lint fails on %s:\n%s", name, conf)
	}
}
