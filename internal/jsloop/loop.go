// Package jsloop is the event loop that owns a goja runtime: every use of the
// runtime happens in a function submitted to its one goroutine.
package jsloop

import (
	"runtime/debug"
	"sync"
)

// Loop owns one goja runtime: every use of the runtime, and of any value
// derived from it, happens in a function submitted here, on the loop's single
// goroutine. Other goroutines (timers, I/O, callers) only submit.
type Loop struct {
	mu      sync.Mutex
	queue   []func()
	wake    chan struct{}
	stopped bool
	done    chan struct{}

	// OnPanic receives a Go panic raised by a submitted function (a host
	// bug); the loop survives it, so no panic reaches Benthos.
	OnPanic func(recovered any, stack []byte)
}

// New starts a loop; its owner ends it with Stop.
func New() *Loop {
	l := &Loop{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go l.run()
	return l
}

// Submit queues fn to run on the loop and reports false when the loop has
// stopped (fn will then never run). Safe from any goroutine, never blocks.
func (l *Loop) Submit(fn func()) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return true
}

func (l *Loop) run() {
	defer close(l.done)
	var batch []func()
	for {
		l.mu.Lock()
		batch, l.queue = l.queue, batch[:0]
		stopped := l.stopped
		l.mu.Unlock()
		for i, fn := range batch {
			l.runSafely(fn)
			batch[i] = nil
		}
		if stopped && len(batch) == 0 {
			return
		}
		if len(batch) == 0 {
			<-l.wake
		}
	}
}

func (l *Loop) runSafely(fn func()) {
	defer func() {
		if r := recover(); r != nil && l.OnPanic != nil {
			l.OnPanic(r, debug.Stack())
		}
	}()
	fn()
}

// Stop lets the functions already queued run, refuses new ones and waits for
// the loop goroutine to exit. It must not be called from the loop itself.
func (l *Loop) Stop() {
	l.StopNoWait()
	<-l.done
}

// StopNoWait is Stop for use on the loop.
func (l *Loop) StopNoWait() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}
