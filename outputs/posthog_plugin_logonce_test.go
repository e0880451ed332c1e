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

	"github.com/hogpipe/hogpipe/internal/logonce"
	"github.com/hogpipe/hogpipe/internal/node/awssdk/s3test"
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/schedule"
)

// ppoTestLogs is an slog handler keeping "LEVEL message" lines.
type ppoTestLogs struct {
	mu    *sync.Mutex
	lines *[]string
}

func newPPOTestLogs() ppoTestLogs { return ppoTestLogs{mu: &sync.Mutex{}, lines: &[]string{}} }

func (h ppoTestLogs) Enabled(context.Context, slog.Level) bool { return true }
func (h ppoTestLogs) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.lines = append(*h.lines, r.Level.String()+" "+r.Message)
	return nil
}
func (h ppoTestLogs) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h ppoTestLogs) WithGroup(string) slog.Handler      { return h }

// containing returns the lines holding substr.
func (h ppoTestLogs) containing(substr string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range *h.lines {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// TestPluginOutputLogsFailureOncePerCause runs the real s3-export plugin
// against a bucket that does not exist yet: batch after batch fails and is
// retried, and the output logs one WARN, the repeats at DEBUG, a summary
// once the failure has gone on for the summary period, and one INFO line
// when the bucket appears and a batch goes through.
func TestPluginOutputLogsFailureOncePerCause(t *testing.T) {
	testutil.NoLeaks(t)
	dir := sharedPlugin(t, "s3-export")
	srv := s3test.Start(t)
	conf, err := pluginOutputSpec().ParseYAML(fmt.Sprintf(`
path: %q
config:
  awsAccessKey: %s
  awsSecretAccessKey: secret
  s3BucketName: later
  s3BucketEndpoint: %s
  s3ForcePathStyle: "true"
plugin_id: 9303
vms: 1
retry_initial_interval: 1ms
max_retries: 2
`, dir, s3test.AccessKey, srv.URL), nil)
	require.NoError(t, err)
	logs := newPPOTestLogs()
	res := service.MockResources(service.MockResourcesOptUseLogger(service.NewLoggerFromSlog(slog.New(logs))))
	o, _, _, err := newPluginOutputFromParsed(conf, res)
	require.NoError(t, err)
	clock := schedule.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	o.failures = logonce.New(o.log, logonce.Options{Every: time.Minute, Now: clock.Now})
	ctx := t.Context()
	require.NoError(t, o.Connect(ctx))

	write := func() error {
		return o.WriteBatch(ctx, service.MessageBatch{service.NewMessage([]byte(`{"event":"e","distinct_id":"d","properties":{}}`))})
	}
	const line = `plugin "S3 Export Plugin": exportEvents: RetryError; retrying 1 event(s) in `
	// Three batches, each tried three times: six retries of one cause.
	for range 3 {
		require.ErrorContains(t, write(), "gave up after 2 retries")
	}
	assert.Equal(t, []string{
		"WARN " + line + "1ms (retry 1 of 2)",
		"DEBUG " + line + "2ms (retry 2 of 2) (repeated)",
		"DEBUG " + line + "1ms (retry 1 of 2) (repeated)",
		"DEBUG " + line + "2ms (retry 2 of 2) (repeated)",
		"DEBUG " + line + "1ms (retry 1 of 2) (repeated)",
		"DEBUG " + line + "2ms (retry 2 of 2) (repeated)",
	}, logs.containing(`plugin "S3 Export Plugin": exportEvents`))
	assert.Len(t, logs.containing("Error uploading to S3: The specified bucket does not exist"), 9, "the plugin's own console line for each attempt is its own")

	clock.Advance(2 * time.Minute)
	require.ErrorContains(t, write(), "gave up after 2 retries")
	assert.Equal(t, []string{
		"WARN " + line + "1ms (retry 1 of 2) (repeated 6 times in the last 2m0s)",
		"DEBUG " + line + "2ms (retry 2 of 2) (repeated)",
	}, logs.containing(`plugin "S3 Export Plugin": exportEvents`)[6:])

	require.NoError(t, srv.Backend.CreateBucket("later"))
	require.NoError(t, write())
	require.NoError(t, write())
	assert.Equal(t, []string{
		`INFO plugin "S3 Export Plugin": exportEvents recovered after 8 failures in 2m0s`,
	}, logs.containing(`plugin "S3 Export Plugin": exportEvents`)[8:])
	assert.Len(t, srv.Keys(t, "later"), 2)
	require.NoError(t, o.Close(context.Background()))
	assert.Len(t, logs.containing(`plugin "S3 Export Plugin": exportEvents`), 9, "nothing left to summarize at close")
}
