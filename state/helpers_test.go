package state_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

// verifyNoLeaks checks that no goroutine outlives the backends, ignoring those
// that ran before (ignore is goleak.IgnoreCurrent() taken then) and the
// redis-server waiter that redistest starts on Restart.
func verifyNoLeaks(t *testing.T, ignore goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, ignore, testutil.IgnoreRedisWaiter)
}
