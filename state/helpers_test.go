package state_test

import (
	"fmt"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// recLogger records what a backend logs.
type recLogger struct {
	mu    sync.Mutex
	infos []string
	warns []string
}

func (l *recLogger) Infof(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.infos = append(l.infos, fmt.Sprintf(format, args...))
}

func (l *recLogger) Warnf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.warns = append(l.warns, fmt.Sprintf(format, args...))
}

func (l *recLogger) Infos() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.infos...)
}

func (l *recLogger) Warns() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.warns...)
}

// verifyNoLeaks checks that no goroutine outlives the backends, ignoring those
// that ran before (ignore is goleak.IgnoreCurrent() taken then) and the
// redis-server waiter that redistest starts on Restart.
func verifyNoLeaks(t *testing.T, ignore goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, ignore, goleak.IgnoreAnyFunction("github.com/hogpipe/hogpipe/state/redistest.(*Server).start.func1"))
}
