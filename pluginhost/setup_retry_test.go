package pluginhost

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

func TestSetupRetryIntervals(t *testing.T) {
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}, DefaultSetupRetry.Intervals())
	assert.Equal(t, 80*time.Second, DefaultSetupRetry.Last())
	assert.Nil(t, SetupRetry{}.Intervals())
	assert.Equal(t, time.Second, SetupRetry{Initial: time.Second}.Last())
}

func setupRetryAttempts(t *testing.T, p *Plugin) int {
	t.Helper()
	n, _, err := p.opts.Cache.Get(t.Context(), p.cacheNS+"setup-attempts")
	require.NoError(t, err)
	i, _ := strconv.Atoi(n)
	return i
}

func TestSetupRetryThenSuccess(t *testing.T) {
	testutil.NoLeaks(t)
	p, _, log := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-setup-retry"), map[string]any{"failTimes": "2"})
	pool, err := p.StartWithRetry(t.Context(), SetupRetry{Initial: 20 * time.Millisecond, MaxRetries: 3})
	require.NoError(t, err)
	defer pool.Close(context.Background())
	assert.Equal(t, 3, setupRetryAttempts(t, p))
	warnings := log.Messages("WARN") // one before each wait, naming it
	require.Len(t, warnings, 2)
	assert.Contains(t, warnings[0], "RetryError: database not ready; retry 1 of 3 in 20ms")
	assert.Contains(t, warnings[1], "RetryError: database not ready; retry 2 of 3 in 40ms", "waited 20ms then 40ms")

	res, err := pool.OnEvents(t.Context(), exportTestEvents(`{"event":"e"}`))
	require.NoError(t, err)
	assert.NoError(t, res.Events[0].Err, "setupPlugin completed before the first call")
}

func TestSetupRetryExhausted(t *testing.T) {
	testutil.NoLeaks(t)
	p, _, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-setup-retry"), map[string]any{"failTimes": "10"})
	_, err := p.StartWithRetry(t.Context(), SetupRetry{Initial: time.Millisecond, MaxRetries: 2})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "after 2 retries")
	assert.Contains(t, err.Error(), "database not ready")
	assert.Equal(t, 3, setupRetryAttempts(t, p))

	// Start (no retry) fails at the first RetryError.
	_, err = p.Start(t.Context())
	assert.True(t, IsSetupRetry(err), "%v", err)
}

func TestSetupRetryOtherErrorFailsAtOnce(t *testing.T) {
	testutil.NoLeaks(t)
	p, _, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-setup-retry"), map[string]any{"fatal": "yes"})
	_, err := p.StartWithRetry(t.Context(), SetupRetry{Initial: time.Millisecond, MaxRetries: 5})
	require.Error(t, err)
	assert.Equal(t, `plugin "export-setup-retry": setupPlugin: Error: invalid API key`, err.Error())
	assert.Equal(t, 1, setupRetryAttempts(t, p))
}

func TestSetupRetryInterruptedByContext(t *testing.T) {
	testutil.NoLeaks(t)
	p, _, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-setup-retry"), map[string]any{"failTimes": "10"})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := p.StartWithRetry(ctx, DefaultSetupRetry)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "gave up retrying setupPlugin", "the 5s wait ended with the context")
	assert.Contains(t, err.Error(), "database not ready")
}
