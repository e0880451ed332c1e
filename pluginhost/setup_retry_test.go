package pluginhost

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	exportTestNoLeaks(t)
	p, _, log := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-setup-retry"), map[string]any{"failTimes": "2"})
	start := time.Now()
	pool, err := p.StartWithRetry(t.Context(), SetupRetry{Initial: 20 * time.Millisecond, MaxRetries: 3})
	require.NoError(t, err)
	defer pool.Close(context.Background())
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond, "waited 20ms then 40ms")
	assert.Equal(t, 3, setupRetryAttempts(t, p))
	require.Len(t, log.warnings(), 2)
	assert.Contains(t, log.warnings()[0], "RetryError: database not ready; retry 1 of 3 in 20ms")

	res, err := pool.OnEvents(t.Context(), exportTestEvents(`{"event":"e"}`))
	require.NoError(t, err)
	assert.NoError(t, res.Events[0].Err, "setupPlugin completed before the first call")
}

func TestSetupRetryExhausted(t *testing.T) {
	exportTestNoLeaks(t)
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
	exportTestNoLeaks(t)
	p, _, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-setup-retry"), map[string]any{"fatal": "yes"})
	_, err := p.StartWithRetry(t.Context(), SetupRetry{Initial: time.Millisecond, MaxRetries: 5})
	require.Error(t, err)
	assert.Equal(t, `plugin "export-setup-retry": setupPlugin: Error: invalid API key`, err.Error())
	assert.Equal(t, 1, setupRetryAttempts(t, p))
}

func TestSetupRetryInterruptedByContext(t *testing.T) {
	exportTestNoLeaks(t)
	p, _, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-setup-retry"), map[string]any{"failTimes": "10"})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.StartWithRetry(ctx, DefaultSetupRetry)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "database not ready")
	assert.Less(t, time.Since(start), 3*time.Second, "the 5s wait ended with the context")
}
