package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v2"

	"github.com/hogpipe/hogpipe/pluginhost"
	"github.com/hogpipe/hogpipe/schedule"
	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

const jobTestPlugin = "../../testdata/plugins/schedule-tasks"

// runJobCommand runs `job ARGS...` as the CLI would.
func runJobCommand(t *testing.T, args ...string) error {
	t.Helper()
	app := &cli.App{Name: "hogpipe", Commands: []*cli.Command{pluginJobCommand()}, ExitErrHandler: func(*cli.Context, error) {}}
	return app.Run(append([]string{"hogpipe", "job"}, args...))
}

// takeJobs takes every due job of the instance from the backend.
func takeJobs(t *testing.T, opts state.Options, configID int64, until time.Time) []map[string]any {
	t.Helper()
	b, err := state.Acquire(opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Release()) }()
	items, err := b.Jobs().TakeDueJobs(t.Context(), schedule.JobQueueName(configID), until, 100)
	require.NoError(t, err)
	out := make([]map[string]any, len(items))
	for i, item := range items {
		require.NoError(t, json.Unmarshal([]byte(item), &out[i]))
	}
	return out
}

func TestPluginJobCommandRedis(t *testing.T) {
	srv := redistest.Start(t)
	require.NoError(t, runJobCommand(t, "--redis-url", srv.URL(), "--plugin-config-id", "9", "--payload", `{"name":"Ada"}`, jobTestPlugin, "greet"))
	require.NoError(t, runJobCommand(t, "--plugin-config-id", "9", jobTestPlugin, "greet", "--in", "1h", "--redis-url", srv.URL()),
		"flags after the arguments")

	jobs := takeJobs(t, state.Options{RedisURL: srv.URL()}, 9, time.Now())
	require.Len(t, jobs, 1, "the second is due in an hour")
	assert.Equal(t, "greet", jobs[0]["name"])
	assert.Equal(t, map[string]any{"name": "Ada"}, jobs[0]["payload"])
	jobs = takeJobs(t, state.Options{RedisURL: srv.URL()}, 9, time.Now().Add(2*time.Hour))
	require.Len(t, jobs, 1)
	assert.Equal(t, map[string]any{}, jobs[0]["payload"], "the default payload is {}: publicJobs get job(payload, meta)")
}

func TestPluginJobCommandReportsAndWarns(t *testing.T) {
	srv := redistest.Start(t)
	var out, errOut bytes.Buffer
	req := pluginJobRequest{path: jobTestPlugin, name: "chain", payload: "null", redisURL: srv.URL()}
	require.NoError(t, enqueuePluginJob(t.Context(), req, &out, &errOut))
	id := pluginhost.DerivePluginID("schedule-tasks")
	assert.Contains(t, out.String(), `enqueued job "chain" of plugin "schedule-tasks" (plugin_config_id `)
	assert.Contains(t, errOut.String(), `plugin "schedule-tasks" lists no public job "chain" (its publicJobs: greet)`)
	assert.Contains(t, errOut.String(), "no posthog_schedule input for plugin_config_id", "no schedule input has been seen")
	jobs := takeJobs(t, state.Options{RedisURL: srv.URL()}, id, time.Now())
	require.Len(t, jobs, 1, "plugin_config_id defaults to the derived plugin id")
	assert.Nil(t, jobs[0]["payload"])

	out.Reset()
	errOut.Reset()
	req = pluginJobRequest{path: jobTestPlugin, name: "greet", payload: "{}", redisURL: srv.URL(), pluginID: 77}
	require.NoError(t, enqueuePluginJob(t.Context(), req, &out, &errOut))
	assert.Contains(t, out.String(), "(plugin_config_id 77)", "plugin_config_id defaults to plugin_id")
}

func TestPluginJobCommandStateDir(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	req := pluginJobRequest{path: jobTestPlugin, name: "greet", payload: `{"name":"x"}`, stateDir: dir, pluginConfigID: 3}
	require.NoError(t, enqueuePluginJob(t.Context(), req, &out, &errOut))
	assert.Empty(t, errOut.String(), "no heartbeat check: the input would be in another process's memory")
	jobs := takeJobs(t, state.Options{StateDir: dir}, 3, time.Now())
	require.Len(t, jobs, 1)
	assert.Equal(t, "greet", jobs[0]["name"])
}

func TestPluginJobCommandErrors(t *testing.T) {
	for msg, args := range map[string][]string{
		"usage: hogpipe plugin job PATH NAME":    {jobTestPlugin},
		"give --redis-url or --state-dir":        {jobTestPlugin, "greet"},
		"give either --redis-url or --state-dir": {"--redis-url", "redis://x", "--state-dir", "y", jobTestPlugin, "greet"},
		"--payload is not JSON":                  {"--state-dir", t.TempDir(), "--payload", "{", jobTestPlugin, "greet"},
		"plugin.json":                            {"--state-dir", t.TempDir(), t.TempDir(), "greet"},
		"--in must not be negative":              {"--state-dir", t.TempDir(), "--in", "-1s", jobTestPlugin, "greet"},
	} {
		err := runJobCommand(t, args...)
		require.Error(t, err, msg)
		assert.Contains(t, err.Error(), msg)
	}
}
