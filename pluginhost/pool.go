package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hogpipe/hogpipe/internal/logonce"
)

// Pool runs a plugin instance on several VMs. Work is spread over them round
// robin; a VM discarded after a timeout is rebuilt in the background (fresh
// meta.global, setupPlugin again) while the others keep serving.
type Pool struct {
	plugin *Plugin

	mu      sync.Mutex
	vms     []*vm // nil while a slot is being rebuilt
	changed chan struct{}
	closed  bool

	next     atomic.Uint64
	rebuilds sync.WaitGroup
	stop     chan struct{}
}

// Start creates the pool's VMs, running setupPlugin in each; the first error
// stops them all.
func (p *Plugin) Start(ctx context.Context) (*Pool, error) {
	return p.StartWithRetry(ctx, SetupRetry{})
}

// StartWithRetry is Start, retrying each VM's setupPlugin while it throws a
// RetryError, as retry says (see setup_retry.go).
func (p *Plugin) StartWithRetry(ctx context.Context, retry SetupRetry) (*Pool, error) {
	pool := &Pool{plugin: p, changed: make(chan struct{}), stop: make(chan struct{})}
	pool.vms = make([]*vm, p.opts.VMs)
	for i := range pool.vms {
		v, err := newVMWithRetry(ctx, p, pool.onDiscard, retry)
		if err != nil {
			_ = pool.Close(context.Background())
			return nil, err
		}
		pool.vms[i] = v
	}
	return pool, nil
}

// Plugin is the plugin this pool runs.
func (pool *Pool) Plugin() *Plugin { return pool.plugin }

// Has reports whether the plugin exports name.
func (pool *Pool) Has(name string) bool {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for _, v := range pool.vms {
		if v != nil {
			_, ok := v.exports[name]
			return ok
		}
	}
	return false
}

// acquire picks a live VM, waiting (up to the plugin timeout) while all are
// being rebuilt.
func (pool *Pool) acquire(ctx context.Context) (*vm, error) {
	deadline := time.NewTimer(pool.plugin.opts.Timeout)
	defer deadline.Stop()
	for {
		pool.mu.Lock()
		if pool.closed {
			pool.mu.Unlock()
			return nil, errors.New("plugin pool is closed")
		}
		n := uint64(len(pool.vms))
		start := pool.next.Add(1)
		for i := uint64(0); i < n; i++ {
			if v := pool.vms[(start+i)%n]; v != nil {
				pool.mu.Unlock()
				return v, nil
			}
		}
		changed := pool.changed
		pool.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, fmt.Errorf("plugin %q: no VM available: all are restarting", pool.plugin.manifest.Name)
		}
	}
}

// withVM runs fn on a live VM and, when fn finds that VM discarded before
// its work started (errVMGone), on another one: every call into the pool
// goes through it.
func withVM[T any](ctx context.Context, pool *Pool, fn func(*vm) (T, error)) (T, error) {
	for {
		v, err := pool.acquire(ctx)
		if err != nil {
			var zero T
			return zero, err
		}
		res, err := fn(v)
		if errors.Is(err, errVMGone) {
			continue
		}
		return res, err
	}
}

// onDiscard replaces a discarded VM with a new one, retrying setupPlugin with
// back-off until it succeeds or the pool closes.
func (pool *Pool) onDiscard(old *vm) {
	pool.mu.Lock()
	slot := -1
	for i, v := range pool.vms {
		if v == old {
			slot = i
		}
	}
	if slot < 0 || pool.closed {
		pool.mu.Unlock()
		old.stopLoop()
		return
	}
	pool.vms[slot] = nil
	pool.rebuilds.Add(1)
	pool.mu.Unlock()
	defer pool.rebuilds.Done()
	old.stopLoop()

	name := pool.plugin.manifest.Name
	pool.plugin.log.Warnf("plugin %q: VM discarded and being rebuilt", name)
	backoff := time.Second
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-pool.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		v, err := newVM(ctx, pool.plugin, pool.onDiscard)
		cancel()
		scope := fmt.Sprintf("plugin %q: rebuild VM", name)
		if err == nil {
			pool.plugin.failures.Recovered(scope)
			pool.mu.Lock()
			if pool.closed {
				pool.mu.Unlock()
				_ = v.close(context.Background())
				return
			}
			pool.vms[slot] = v
			close(pool.changed)
			pool.changed = make(chan struct{})
			pool.mu.Unlock()
			return
		}
		pool.plugin.failures.Failed(logonce.Error, scope, err, "plugin %q: rebuild VM: %v (retrying in %s)", name, err, backoff)
		select {
		case <-pool.stop:
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Minute)
	}
}

// Close runs teardownPlugin on every VM (each bounded by the plugin timeout
// and by ctx) and stops them.
func (pool *Pool) Close(ctx context.Context) error {
	pool.mu.Lock()
	if pool.closed {
		pool.mu.Unlock()
		return nil
	}
	pool.closed = true
	close(pool.stop)
	vms := pool.vms
	pool.vms = nil
	pool.mu.Unlock()

	var wg sync.WaitGroup
	errs := make([]error, len(vms))
	for i, v := range vms {
		if v == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = v.close(ctx)
		}()
	}
	wg.Wait()
	pool.rebuilds.Wait()
	return errors.Join(errs...)
}
