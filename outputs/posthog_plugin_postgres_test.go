package outputs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/hogpipe/hogpipe/inputs"
	"github.com/hogpipe/hogpipe/internal/pgtest"
)

// sharedPlugin finds a pinned public plugin in the shared plugins folder
// next to the checkout (../shared/plugins/<name> of some parent), so tests
// load it in place; HOGPIPE_SHARED_PLUGINS names the folder elsewhere.
func sharedPlugin(t *testing.T, name string) string {
	t.Helper()
	if dir := os.Getenv("HOGPIPE_SHARED_PLUGINS"); dir != "" {
		return filepath.Join(dir, name)
	}
	wd, err := os.Getwd()
	require.NoError(t, err)
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "plugins", name)
		if _, err := os.Stat(filepath.Join(p, "plugin.json")); err == nil {
			return p
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	msg := fmt.Sprintf("plugin %s not found in a shared/plugins folder above %s; set HOGPIPE_SHARED_PLUGINS", name, wd)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestPluginOutputPostgresExport runs the real postgres-export plugin,
// unmodified, against a real PostgreSQL: setupPlugin creates the table,
// exportEvents enqueues the batch as a job, and the posthog_schedule input
// of the same instance runs it, inserting the rows with the plugin's column
// mapping.
func TestPluginOutputPostgresExport(t *testing.T) {
	plugin := sharedPlugin(t, "postgres-export")
	srv := pgtest.Start(t)
	pluginOutTestState(t)
	stop := postgresExportStream(t, plugin, srv.URL(), 1)
	defer stop()

	var rows [][]string
	require.Eventually(t, func() bool {
		rows = srv.Exec(`SELECT to_regclass('public.posthog_event') IS NOT NULL`)
		if rows[0][0] != "t" {
			return false
		}
		rows = srv.Exec(`SELECT uuid, event, properties::text, elements::text, set::text, set_once::text, distinct_id, team_id::text, ip, site_url, timestamp AT TIME ZONE 'UTC' FROM posthog_event ORDER BY uuid`)
		return len(rows) == 3
	}, time.Minute, 100*time.Millisecond, "the batch did not land")
	assert.Equal(t, [][]string{
		{"00000000-0000-0000-0000-000000000001", "e1", `{"n": 1, "$ip": "5.6.7.8", "$set": {"a": 1}}`, "[]", `{"a": 1}`, "{}", "d1", "2", "5.6.7.8", "", "2024-05-06 07:08:09"},
		{"00000000-0000-0000-0000-000000000002", "e2", `{"n": 2, "$ip": "5.6.7.8", "$set": {"a": 1}}`, "[]", `{"a": 1}`, "{}", "d2", "2", "5.6.7.8", "", "2024-05-06 07:08:09"},
		{"00000000-0000-0000-0000-000000000004", "e4", `{"n": 4, "$ip": "5.6.7.8", "$set": {"a": 1}}`, "[]", `{"a": 1}`, "{}", "d4", "2", "5.6.7.8", "", "2024-05-06 07:08:09"},
	}, rows, "the plugin's column mapping (properties as the output shapes them: $set copied in; site_url is not carried by the output), the ignored event left out")
	assert.False(t, strings.Contains(fmt.Sprint(rows), "skipped"))
}

// TestPluginOutputPostgresExportDatabaseDown starts the plugin while the
// database is down: setupPlugin fails, the output keeps reconnecting, and
// once the database is back the batch lands, nothing lost.
func TestPluginOutputPostgresExportDatabaseDown(t *testing.T) {
	plugin := sharedPlugin(t, "postgres-export")
	srv := pgtest.Start(t)
	pluginOutTestState(t)
	srv.Stop()
	stop := postgresExportStream(t, plugin, srv.URL(), 2)
	defer stop()
	time.Sleep(2 * time.Second) // let the output fail to connect a few times; not a measurement
	srv.Restart()
	require.Eventually(t, func() bool {
		rows := srv.Exec(`SELECT count(*) FROM pg_tables WHERE tablename = 'posthog_event'`)
		if rows[0][0] != "1" {
			return false
		}
		rows = srv.Exec(`SELECT count(*) FROM posthog_event`)
		return rows[0][0] == "3"
	}, time.Minute, 100*time.Millisecond, "the batch did not land once the database came back")
	rows := srv.Exec(`SELECT uuid FROM posthog_event ORDER BY uuid`)
	assert.Equal(t, [][]string{{"00000000-0000-0000-0000-000000000001"}, {"00000000-0000-0000-0000-000000000002"}, {"00000000-0000-0000-0000-000000000004"}}, rows, "each event once")
}

// postgresExportStream runs a stream of four events (one of them ignored by
// the plugin's config) into postgres-export, with the posthog_schedule
// input that runs the plugin's upload jobs; stop ends it.
func postgresExportStream(t *testing.T, plugin, url string, configID int) (stop func()) {
	t.Helper()
	env, _ := pluginOutTestEnv(t)
	conf := fmt.Sprintf(`{databaseUrl: %q, hasSelfSignedCert: "Yes", tableName: "posthog_event", eventsToIgnore: "skipped"}`, url)
	builder := env.NewStreamBuilder()
	require.NoError(t, builder.SetYAML(fmt.Sprintf(`
input:
  broker:
    inputs:
      - generate:
          count: 4
          interval: ""
          mapping: |
            let n = counter()
            root = {"event": if $n == 3 { "skipped" } else { "e" + $n.string() }, "uuid": "00000000-0000-0000-0000-00000000000" + $n.string(), "distinct_id": "d" + $n.string(), "team_id": 2, "ip": "1.2.3.4", "site_url": "https://example.com", "timestamp": "2024-05-06T07:08:09.000Z", "properties": {"n": $n, "$ip": "5.6.7.8"}, "$set": {"a": 1}}
      - posthog_schedule:
          path: %[1]s
          plugin_config_id: %[3]d
          setup_retry_initial_interval: 100ms
          setup_max_retries: 1
          config: %[2]s
output:
  posthog_plugin:
    path: %[1]s
    plugin_config_id: %[3]d
    setup_retry_initial_interval: 100ms
    setup_max_retries: 1
    vms: 1
    batching: {count: 4}
    config: %[2]s
logger: {level: warn}
`, plugin, conf, 9300+configID)))
	stream, err := builder.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	done := make(chan error, 1)
	go func() { done <- stream.Run(ctx) }()

	return func() {
		require.NoError(t, stream.Stop(context.Background()))
		<-done
		cancel()
	}
}
