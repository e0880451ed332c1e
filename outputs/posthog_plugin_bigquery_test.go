package outputs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/node/bigquery/bqtest"
	"github.com/hogpipe/hogpipe/internal/testutil"
)

// bigQueryExportYAML is a stream of count events (the second one's
// timestamp is bad when badTimestamp) into the bigquery-export fixture,
// dead-lettering to test_sink.
func bigQueryExportYAML(t *testing.T, srv *bqtest.Server, count int, badTimestamp bool, retries int) string {
	t.Helper()
	key := filepath.Join(t.TempDir(), "key.json")
	require.NoError(t, os.WriteFile(key, []byte(srv.Credentials()), 0o600))
	ts := `"2026-01-02T03:04:05.000Z"`
	if badTimestamp {
		ts = `if $n == 2 { "not-a-time" } else { "2026-01-02T03:04:05.000Z" }`
	}
	return fmt.Sprintf(`
input:
  generate:
    count: %d
    interval: ""
    mapping: |
      let n = counter()
      root = {"event": "e", "uuid": "u" + $n.string(), "distinct_id": "d", "team_id": 2, "timestamp": %s, "properties": {"n": $n}}
output:
  fallback:
    - posthog_plugin:
        path: ../testdata/plugins/bigquery-export
        config:
          datasetId: analytics
          tableId: events
          apiEndpoint: %s
        attachments:
          googleCloudKeyJson: %s
        plugin_id: 9401
        vms: 1
        batching: {count: %d}
        max_in_flight: 1
        retry_initial_interval: 10ms
        max_retries: %d
    - test_sink: {}
`, count, ts, srv.URL, key, count, retries)
}

// TestPluginOutputBigQueryExport runs the bigquery-export fixture against
// the local BigQuery stand-in: setup creates the partitioned table, the
// batch lands in one insertAll keyed by the events' uuids, under the token
// minted from the service account's signed JWT.
func TestPluginOutputBigQueryExport(t *testing.T) {
	testutil.NoLeaks(t)
	srv := bqtest.Start(t, "analytics")
	env, sink := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, bigQueryExportYAML(t, srv, 4, false, 1)+"logger: {level: none}\n")
	assert.Empty(t, sink.bodies(), "nothing dead-lettered")

	md := srv.Table("analytics.events")
	require.NotNil(t, md, "setupPlugin created the table")
	assert.Equal(t, map[string]any{"type": "DAY", "field": "timestamp"}, md["timePartitioning"])
	inserts := srv.Inserts()
	require.Len(t, inserts, 1, "one insertAll for the batch")
	assert.False(t, *inserts[0].SkipInvalidRows)
	assert.False(t, *inserts[0].IgnoreUnknownValues)
	var ids []string
	for _, r := range inserts[0].Rows {
		ids = append(ids, r.InsertID)
		assert.Equal(t, r.InsertID, r.JSON["uuid"])
		assert.Equal(t, "e", r.JSON["event"])
		assert.Equal(t, "d", r.JSON["distinct_id"])
		assert.Equal(t, float64(2), r.JSON["team_id"])
		assert.Equal(t, "2026-01-02T03:04:05.000Z", r.JSON["timestamp"])
		assert.Regexp(t, `^\{"n":\d\}$`, r.JSON["properties"])
	}
	sort.Strings(ids)
	assert.Equal(t, []string{"u1", "u2", "u3", "u4"}, ids)
	assert.Len(t, srv.Rows("analytics.events"), 4)
	assert.Equal(t, 1, srv.Mints(), "one token for setup and export")
}

// TestPluginOutputBigQueryExportAddsColumns: a table missing some of the
// plugin's columns gets them through getMetadata and setMetadata.
func TestPluginOutputBigQueryExportAddsColumns(t *testing.T) {
	testutil.NoLeaks(t)
	srv := bqtest.Start(t, "analytics")
	srv.CreateTable("analytics", "events", "uuid", "event", "custom")
	env, sink := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, bigQueryExportYAML(t, srv, 2, false, 1)+"logger: {level: none}\n")
	assert.Empty(t, sink.bodies())
	assert.Equal(t, 1, srv.Patches())
	var names []string
	for _, f := range srv.Table("analytics.events")["schema"].(map[string]any)["fields"].([]any) {
		names = append(names, f.(map[string]any)["name"].(string))
	}
	assert.Equal(t, []string{"uuid", "event", "custom", "distinct_id", "team_id", "properties", "timestamp", "exported_at"}, names)
	assert.Len(t, srv.Rows("analytics.events"), 2)
}

// TestPluginOutputBigQueryExportFailures: a 5xx answer makes the plugin
// throw RetryError and the batch goes again, nothing lost; a row BigQuery
// refuses reaches the plugin as a PartialFailureError, and the batch is
// dead-lettered, not dropped.
func TestPluginOutputBigQueryExportFailures(t *testing.T) {
	t.Run("server error then success", func(t *testing.T) {
		testutil.NoLeaks(t)
		srv := bqtest.Start(t, "analytics")
		srv.FailInserts(503, 500)
		env, sink := pluginOutTestEnv(t)
		pluginOutTestRun(t, env, bigQueryExportYAML(t, srv, 3, false, 3)+"logger: {level: none}\n")
		assert.Empty(t, sink.bodies(), "nothing dead-lettered")
		assert.Len(t, srv.Inserts(), 3, "two failed attempts, then the one that landed")
		assert.Len(t, srv.Rows("analytics.events"), 3, "every event stored once")
	})
	t.Run("server errors until the retries run out", func(t *testing.T) {
		testutil.NoLeaks(t)
		srv := bqtest.Start(t, "analytics")
		srv.FailInserts(503, 503, 503)
		env, sink := pluginOutTestEnv(t)
		pluginOutTestRun(t, env, bigQueryExportYAML(t, srv, 3, false, 2)+"logger: {level: none}\n")
		assert.Len(t, sink.bodies(), 3, "every event dead-lettered")
		assert.Len(t, srv.Inserts(), 3, "the first attempt and two retries")
		assert.Empty(t, srv.Rows("analytics.events"))
	})
	t.Run("refused row", func(t *testing.T) {
		testutil.NoLeaks(t)
		srv := bqtest.Start(t, "analytics")
		env, sink := pluginOutTestEnv(t)
		watch := pluginOutTestWatch("BigQuery refused 1 of 3 rows: u2: Could not parse 'not-a-time' as a timestamp.")
		builder := env.NewStreamBuilder()
		builder.SetLogger(slog.New(slog.NewTextHandler(watch, nil)))
		require.NoError(t, builder.SetYAML(bigQueryExportYAML(t, srv, 3, true, 2)))
		stream, err := builder.Build()
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		require.NoError(t, stream.Run(ctx))
		watch.wait(t, "the plugin's PartialFailureError message was not logged")
		assert.Len(t, sink.bodies(), 3, "the whole batch dead-lettered")
		assert.Len(t, srv.Inserts(), 1, "a refused row is not retried")
		assert.Empty(t, srv.Rows("analytics.events"))
	})
}
