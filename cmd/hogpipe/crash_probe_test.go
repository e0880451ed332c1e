package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/pluginhost"
	"github.com/hogpipe/hogpipe/schedule"
	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

func cliRun(args []string) (int, error) {
	return runCLIArgs(context.Background(), append([]string{"hogpipe"}, args...))
}

// startHogpipe runs `hogpipe <args>` in a child process, killed when the test ends.
func startHogpipe(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join(args, "\n"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// waitForLine waits (a hang guard, not a timing assertion) until file holds
// a line containing want.
func waitForLine(t *testing.T, file, want string, within time.Duration) string {
	var line string
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(file)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, want) {
				line = l
				return true
			}
		}
		return false
	}, within, 50*time.Millisecond, "no line with %q in %s", want, file)
	return line
}

// Probe: a hogpipe process killed with SIGKILL in the middle of a job loses
// nothing: another process runs the job once the lease ends.
func TestProbeJobSurvivesAKilledWorker(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.WithAppendOnly())
	dir := t.TempDir()
	plugin, err := filepath.Abs("../../testdata/plugins/hostile/job-crash")
	require.NoError(t, err)

	r, err := state.OpenRedis(t.Context(), srv.URL(), nil)
	require.NoError(t, err)
	defer r.Close()
	q := schedule.NewQueue(r.Jobs(), nil, nil)
	require.NoError(t, q.EnqueueJob(t.Context(), pluginhost.Job{PluginConfigID: 77, Name: "work", Payload: []byte(`{"n":1}`), RunAt: time.Now()}))

	config := func(out string) string {
		path := filepath.Join(dir, out+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(`
input:
  posthog_schedule:
    path: `+plugin+`
    plugin_config_id: 77
    redis_url: `+srv.URL()+`
    task_timeout: 10m
output:
  file:
    path: `+filepath.Join(dir, out+".jsonl")+`
    codec: lines
logger:
  level: warn
`), 0o600))
		return path
	}

	first := startHogpipe(t, "-c", config("first"))
	waitForLine(t, filepath.Join(dir, "first.jsonl"), `"job started"`, 60*time.Second)
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_ = first.Wait()

	startHogpipe(t, "-c", config("second"))
	done := waitForLine(t, filepath.Join(dir, "second.jsonl"), `"job done"`, 90*time.Second)
	assert.Contains(t, done, `"attempt":2`)
	assert.Contains(t, done, `"n":1`)
}
