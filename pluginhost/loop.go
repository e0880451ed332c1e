package pluginhost

import (
	"runtime/debug"
	"sync"
)

// eventLoop owns one goja runtime: every use of the runtime, and of any value
// derived from it, happens in a function submitted here, on the loop's single
// goroutine. Other goroutines (timers, I/O, callers) only submit.
type eventLoop struct {
	mu      sync.Mutex
	queue   []func()
	wake    chan struct{}
	stopped bool
	done    chan struct{}

	// onPanic receives a Go panic raised by a submitted function (a host
	// bug); the loop survives it, so no panic reaches Benthos.
	onPanic func(recovered any, stack []byte)
}

func newEventLoop() *eventLoop {
	l := &eventLoop{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go l.run()
	return l
}

// submit queues fn to run on the loop and reports false when the loop has
// stopped (fn will then never run). Safe from any goroutine, never blocks.
func (l *eventLoop) submit(fn func()) bool {
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

func (l *eventLoop) run() {
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

func (l *eventLoop) runSafely(fn func()) {
	defer func() {
		if r := recover(); r != nil && l.onPanic != nil {
			l.onPanic(r, debug.Stack())
		}
	}()
	fn()
}

// stop lets the functions already queued run, refuses new ones and waits for
// the loop goroutine to exit. It must not be called from the loop itself.
func (l *eventLoop) stop() {
	l.stopNoWait()
	<-l.done
}

// stopNoWait is stop for use on the loop.
func (l *eventLoop) stopNoWait() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}
