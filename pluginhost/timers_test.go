package pluginhost

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestTimerOrder(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	res, err := fp.run(t, "order", nil)
	require.NoError(t, err)
	// Where setImmediate and the short timeouts fall relative to each other
	// depends on how long the synchronous part took (as in Node): a loaded
	// machine can let the 0 ms and even the 10 ms timers come due first. The
	// orderings below hold whatever the timing.
	order, ok := res.([]any)
	require.True(t, ok, "%#v", res)
	require.ElementsMatch(t, []any{
		"sync", "microtask", "immediate",
		"timeout 0 a", "microtask of a", "timeout 0 b",
		"timeout 10", "timeout 30",
	}, order)
	at := func(name string) int { return slices.Index(order, any(name)) }
	assert.Equal(t, []any{"sync", "microtask"}, order[:2], "synchronous code, then its microtasks")
	assert.Equal(t, at("timeout 0 a")+1, at("microtask of a"), "a timer's microtasks run before the next timer")
	assert.Less(t, at("timeout 0 a"), at("timeout 0 b"), "equal delays run in creation order")
	assert.Less(t, at("timeout 10"), at("timeout 30"), "shorter delays first")
	assert.Equal(t, "timeout 30", order[len(order)-1])
}

func TestTimerArgs(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	res := fp.mustRun(t, "args", nil)
	assert.Equal(t, []any{"x", 2.0}, res["fromTimeout"])
	assert.Equal(t, "y", res["fromImmediate"])
}

func TestTimerIntervalAndClear(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	res, err := fp.run(t, "interval", nil)
	require.NoError(t, err)
	assert.Equal(t, 3.0, res, "cleared after the third tick")
}

func TestTimerHandles(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	res := fp.mustRun(t, "handles", nil)
	assert.Equal(t, "object", res["type"])
	assert.Equal(t, true, res["numeric"])
	assert.Equal(t, true, res["chain"])
	assert.Equal(t, []any{true, false}, res["hasRef"])
	assert.Equal(t, true, res["immediateRef"])
	assert.Equal(t, []any{"kept", "refreshed"}, res["fired"])
	assert.Equal(t, []any{"kept"}, res["beforeRefresh"], "refresh restarts the delay")
}

func TestTimerBadCallback(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	res := fp.mustRun(t, "badCallback", nil)
	assert.Equal(t, "TypeError", res["name"])
	assert.Equal(t, "ERR_INVALID_ARG_TYPE", res["code"])
	assert.Equal(t, `The "callback" argument must be of type function. Received type string ('code string')`, res["message"])
}

// A callback's error is logged as a plugin error; the VM keeps serving.
func TestTimerErrorsLogged(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	_, err := fp.run(t, "throwLater", nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return fp.log.Count(`plugin "timers": setTimeout callback: Error: boom from a timer`) == 1 &&
			fp.log.Count(`plugin "timers": setTimeout callback: Error: async boom`) == 1
	}, 5*time.Second, 10*time.Millisecond, "%v", fp.log.Lines())
	res, err := fp.run(t, "ping", nil)
	require.NoError(t, err)
	assert.Equal(t, "pong", res)
	assert.Zero(t, fp.log.Count("VM discarded"))
}

// A callback that never returns is interrupted after the plugin timeout and
// the VM is discarded and rebuilt, as for any call.
func TestTimerInfiniteLoopInterrupted(t *testing.T) {
	fp := ftStart(t, "timers", func(o *Options) { o.Timeout = 300 * time.Millisecond }, nil)
	_, err := fp.run(t, "spinLater", nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return fp.log.Count("setTimeout callback timed out after 300ms") > 0 &&
			fp.log.Count("VM discarded and being rebuilt") > 0
	}, 5*time.Second, 10*time.Millisecond, "%v", fp.log.Lines())
	res, err := fp.run(t, "ping", nil)
	require.NoError(t, err)
	assert.Equal(t, "pong", res)
}

// A pending timer does not hold the VM: other events are served at once.
func TestTimerPendingDoesNotBlock(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	// Half the 60s timer: a call that waited for the first timer would end
	// with this deadline instead of "scheduled".
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for range 5 {
		res, err := fp.runCtx(ctx, t, "longTimer", nil)
		require.NoError(t, err)
		assert.Equal(t, "scheduled", res)
	}
	assert.Zero(t, fp.log.Count("long timer fired"))
}

// posthog.capture in a timer callback has no stream to join: it warns.
func TestTimerCapture(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	_, err := fp.run(t, "captureLater", nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return fp.log.Count("posthog.capture in setTimeout callback has no stream to join") == 1
	}, 5*time.Second, 10*time.Millisecond, "%v", fp.log.Lines())
}

// Closing the pool cancels every timer (setupPlugin's interval, the long
// timers) and leaves no goroutine or timer behind.
func TestTimerTeardownCancels(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	fp := ftStart(t, "timers", nil, nil)
	require.Eventually(t, func() bool { return fp.log.Count("tick") >= 3 }, 5*time.Second, 5*time.Millisecond)
	for range 3 {
		_, err := fp.run(t, "longTimer", nil)
		require.NoError(t, err)
	}
	fp.close()
	ticks := fp.log.Count("tick")
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, ticks, fp.log.Count("tick"), "no tick after close")
	goleak.VerifyNone(t, ignore)
}

// Discarding a VM cancels its timers too.
func TestTimerDiscardCancels(t *testing.T) {
	fp := ftStart(t, "timers", func(o *Options) { o.Timeout = 300 * time.Millisecond }, nil)
	require.Eventually(t, func() bool { return fp.log.Count("tick") >= 1 }, 5*time.Second, 5*time.Millisecond)

	fp.pool.mu.Lock()
	old := fp.pool.vms[0]
	fp.pool.mu.Unlock()
	done := make(chan int, 1)
	old.loop.Submit(func() {
		old.discard(&PluginError{Plugin: "timers", Function: "test", Message: "discarded by the test"})
		done <- len(old.timers.pending)
	})
	select {
	case n := <-done:
		assert.Zero(t, n, "no pending timer left on the discarded VM")
	case <-time.After(5 * time.Second):
		t.Fatal("discard did not run")
	}
	// The rebuilt VM runs setupPlugin again and ticks on.
	require.Eventually(t, func() bool {
		fp.pool.mu.Lock()
		defer fp.pool.mu.Unlock()
		return fp.pool.vms[0] != nil && fp.pool.vms[0] != old
	}, 10*time.Second, 10*time.Millisecond)
	before := fp.log.Count("tick")
	require.Eventually(t, func() bool { return fp.log.Count("tick") > before }, 5*time.Second, 5*time.Millisecond)
}

// A timer callback failing again and again for one cause is logged once at
// ERROR, its repeats at DEBUG, and its recovery once.
func TestTimerRepeatedErrorLoggedOnce(t *testing.T) {
	fp := ftStart(t, "timers", nil, nil)
	_, err := fp.run(t, "failingFlush", nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return fp.log.Count("recovered after") == 1 }, 5*time.Second, 5*time.Millisecond, "%v", fp.log.Lines())
	const line = `plugin "timers": setInterval callback: Error: flush failed: connect ECONNREFUSED 127.0.0.1:5432 (attempt `
	assert.Equal(t, []string{line + "1)"}, fp.log.Messages("ERROR"))
	assert.Equal(t, []string{line + "2) (repeated)", line + "3) (repeated)", line + "4) (repeated)"}, fp.log.Messages("DEBUG"))
	assert.Equal(t, 1, fp.log.Count(`INFO plugin "timers": setInterval callback recovered after 4 failures in `), "%v", fp.log.Lines())
}
