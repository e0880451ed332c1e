package outputs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/pgtest"
)

// pgRetryLog keeps every log line of a stream, for waiting on what the
// components did rather than on time.
type pgRetryLog struct {
	mu   sync.Mutex
	text strings.Builder
}

func (l *pgRetryLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.Write(p)
}

func (l *pgRetryLog) has(substr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.text.String(), substr)
}

func (l *pgRetryLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

func (l *pgRetryLog) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.text.String(), substr)
}

// TestPluginOutputPostgresExportJobRetriedWhileDatabaseDown: the database
// goes down after the plugin created its table and before the upload job
// runs. The job fails at connecting (postgres-export's connect is outside its
// own retry), and with job_max_retries the posthog_schedule input runs it
// again until the database is back: every event lands, exactly once.
func TestPluginOutputPostgresExportJobRetriedWhileDatabaseDown(t *testing.T) {
	plugin := sharedPlugin(t, "postgres-export")
	srv := pgtest.Start(t)
	pluginOutTestState(t)
	env, _ := pluginOutTestEnv(t)
	logs := &pgRetryLog{}
	builder := env.NewStreamBuilder()
	builder.SetLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	conf := fmt.Sprintf(`{databaseUrl: %q, hasSelfSignedCert: "Yes", tableName: "posthog_event"}`, srv.URL())
	require.NoError(t, builder.SetYAML(fmt.Sprintf(`
input:
  posthog_schedule:
    path: %[1]s
    plugin_config_id: 9310
    config: %[2]s
    job_max_retries: 50
    job_retry_initial_interval: 100ms
    job_retry_max_interval: 1s
output:
  posthog_plugin:
    path: %[1]s
    plugin_config_id: 9310
    vms: 1
    batching: {count: 3}
    config: %[2]s
`, plugin, conf)))
	produce, err := builder.AddProducerFunc()
	require.NoError(t, err)
	stream, err := builder.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- stream.Run(ctx) }()
	defer func() {
		require.NoError(t, stream.Stop(context.Background()))
		<-done
	}()

	// Both components ran setupPlugin (each creates the table) before the
	// database goes down.
	require.Eventually(t, func() bool {
		return logs.has("running tasks none and its jobs") && logs.has("Output type posthog_plugin is now active")
	}, time.Minute, 20*time.Millisecond, "the input and the output did not start:\n%s", logs)
	require.Equal(t, [][]string{{"t"}}, srv.Exec(`SELECT to_regclass('public.posthog_event') IS NOT NULL`))
	srv.Stop()

	// exportEvents only enqueues the upload job, so the batch is acked while
	// the database is down.
	var wg sync.WaitGroup
	for n := 1; n <= 3; n++ {
		body := fmt.Sprintf(`{"event":"e%[1]d","uuid":"00000000-0000-0000-0000-00000000000%[1]d","distinct_id":"d%[1]d","team_id":2,"timestamp":"2024-05-06T07:08:09.000Z","properties":{"n":%[1]d}}`, n)
		wg.Go(func() { assert.NoError(t, produce(ctx, service.NewMessage([]byte(body)))) })
	}
	wg.Wait()

	require.Eventually(t, func() bool {
		return logs.has(`job \"uploadBatchToPostgres\" failed (attempt 1 of 51)`)
	}, time.Minute, 20*time.Millisecond, "the upload job did not fail while the database was down:\n%s", logs)
	srv.Restart()

	require.Eventually(t, func() bool {
		return srv.Exec(`SELECT count(*) FROM posthog_event`)[0][0] == "3"
	}, time.Minute, 100*time.Millisecond, "the batch did not land once the database came back")
	rows := srv.Exec(`SELECT uuid, count(*) FROM posthog_event GROUP BY uuid ORDER BY uuid`)
	assert.Equal(t, [][]string{
		{"00000000-0000-0000-0000-000000000001", "1"},
		{"00000000-0000-0000-0000-000000000002", "1"},
		{"00000000-0000-0000-0000-000000000003", "1"},
	}, rows, "each event exactly once")
	assert.Zero(t, logs.count(`dropped`), "no job was dropped")
	require.Eventually(t, func() bool { return logs.has(`job \"uploadBatchToPostgres\" recovered after`) }, 10*time.Second, 20*time.Millisecond,
		"the rows came from a retry of the failed job:\n%s", logs)
}
