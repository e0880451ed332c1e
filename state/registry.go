package state

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"
)

// Options chooses the backends of Acquire. The cache is Redis when RedisURL is
// set and the process-wide memory store otherwise; storage is Redis when
// RedisURL is set, else a bbolt file in StateDir when that is set, else the
// memory store.
type Options struct {
	RedisURL string
	StateDir string
	// Logger receives the backends' warnings (Redis configuration, outages).
	// While several holders share a backend, the longest-standing one's
	// logger is used. It may be nil.
	Logger Logger
}

// redisConnectTimeout bounds OpenRedis inside Acquire.
const redisConnectTimeout = 5 * time.Second

// Backend is one holder's handle on shared backends; see Acquire.
type Backend struct {
	cache   Cache
	storage Storage
	held    []heldRef

	releaseOnce sync.Once
	releaseErr  error
}

type heldRef struct {
	e *regEntry
	h *logHolder
}

// Cache is the holder's meta.cache backend.
func (b *Backend) Cache() Cache { return b.cache }

// Storage is the holder's meta.storage and meta.utils.cursor backend.
func (b *Backend) Storage() Storage { return b.storage }

// Release gives the handle back: the Redis client, bolt file or memory store
// it used is closed when its last holder releases it. Release is idempotent;
// the handle's Cache and Storage must not be used afterwards.
func (b *Backend) Release() error {
	b.releaseOnce.Do(func() {
		var errs []error
		for i := len(b.held) - 1; i >= 0; i-- {
			errs = append(errs, registry.release(b.held[i]))
		}
		b.releaseErr = errors.Join(errs...)
	})
	return b.releaseErr
}

// Acquire returns a handle on the backends that opts selects, sharing them
// with every other holder in the process: one Redis client per URL, one bolt
// file per state directory, one memory store. Every component of a plugin
// instance therefore sees the same state. Call Release when done.
func Acquire(opts Options) (*Backend, error) {
	b := &Backend{}
	if opts.RedisURL != "" {
		ref, err := acquireRedis(opts.RedisURL, opts.Logger)
		if err != nil {
			return nil, err
		}
		r := ref.e.res.(*Redis)
		b.held = append(b.held, ref)
		b.cache, b.storage = r.Cache(), r.Storage()
		return b, nil
	}

	ref, err := registry.acquire("memory", opts.Logger, func(Logger) (io.Closer, error) {
		return NewMemory(), nil
	})
	if err != nil {
		return nil, err
	}
	m := ref.e.res.(*Memory)
	b.held = append(b.held, ref)
	b.cache, b.storage = m.Cache(), m.Storage()
	if opts.StateDir == "" {
		return b, nil
	}

	dir, err := filepath.Abs(opts.StateDir)
	if err != nil {
		_ = b.Release()
		return nil, fmt.Errorf("invalid state_dir: %w", err)
	}
	ref, err = registry.acquire("bolt "+dir, opts.Logger, func(Logger) (io.Closer, error) {
		return OpenBolt(dir)
	})
	if err != nil {
		_ = b.Release()
		return nil, err
	}
	b.held = append(b.held, ref)
	b.storage = ref.e.res.(*Bolt)
	return b, nil
}

// AcquireRedis returns the process's connection to the Redis at rawURL: the
// one Acquire shares for that RedisURL, so components that read or write
// Redis streams add no connection pool of their own. Call release when done;
// the connection closes with its last holder.
func AcquireRedis(rawURL string, log Logger) (r *Redis, release func() error, err error) {
	ref, err := acquireRedis(rawURL, log)
	if err != nil {
		return nil, nil, err
	}
	var once sync.Once
	var releaseErr error
	return ref.e.res.(*Redis), func() error {
		once.Do(func() { releaseErr = registry.release(ref) })
		return releaseErr
	}, nil
}

func acquireRedis(rawURL string, log Logger) (heldRef, error) {
	return registry.acquire("redis "+rawURL, log, func(log Logger) (io.Closer, error) {
		ctx, cancel := context.WithTimeout(context.Background(), redisConnectTimeout)
		defer cancel()
		return OpenRedis(ctx, rawURL, log)
	})
}

//------------------------------------------------------------------------------

// registry is the only process-wide state of the package.
var registry = &sharedRegistry{entries: map[string]*regEntry{}}

type sharedRegistry struct {
	mu      sync.Mutex
	entries map[string]*regEntry
}

// regEntry is one shared resource. ready is closed once res or err is set;
// an entry that failed to open is removed from the map before that.
type regEntry struct {
	key   string
	ready chan struct{}
	res   io.Closer
	err   error
	refs  int
	logs  loggerChain
}

// acquire returns a reference to the resource under key, opening it when it
// is not open yet. Opening happens outside the registry's lock, so a slow
// Redis does not hold up other keys; concurrent acquirers of the same key wait
// for the one opening it.
func (r *sharedRegistry) acquire(key string, log Logger, open func(Logger) (io.Closer, error)) (heldRef, error) {
	r.mu.Lock()
	e, exists := r.entries[key]
	if !exists {
		e = &regEntry{key: key, ready: make(chan struct{})}
		r.entries[key] = e
	}
	e.refs++
	h := e.logs.add(log)
	r.mu.Unlock()

	if !exists {
		res, err := open(&e.logs)
		r.mu.Lock()
		e.res, e.err = res, err
		if err != nil {
			delete(r.entries, key)
		}
		r.mu.Unlock()
		close(e.ready)
	}
	<-e.ready
	if e.err != nil {
		return heldRef{}, e.err
	}
	return heldRef{e: e, h: h}, nil
}

// release drops a reference and closes the resource with the last one. The
// close happens under the lock so that a new acquirer of the same key cannot
// open it (a bolt file, say) before the old one is closed.
func (r *sharedRegistry) release(ref heldRef) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ref.e.logs.remove(ref.h)
	ref.e.refs--
	if ref.e.refs > 0 {
		return nil
	}
	if r.entries[ref.e.key] == ref.e {
		delete(r.entries, ref.e.key)
	}
	return ref.e.res.Close()
}

//------------------------------------------------------------------------------

// loggerChain is the Logger of a shared resource: it forwards to the logger of
// the longest-standing holder, so a message is logged once however many
// holders there are, and still logged after the first holder has gone.
type loggerChain struct {
	mu      sync.Mutex
	holders []*logHolder
}

type logHolder struct{ log Logger }

func (c *loggerChain) add(log Logger) *logHolder {
	h := &logHolder{log: log}
	c.mu.Lock()
	c.holders = append(c.holders, h)
	c.mu.Unlock()
	return h
}

func (c *loggerChain) remove(h *logHolder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.holders {
		if x == h {
			c.holders = append(c.holders[:i], c.holders[i+1:]...)
			return
		}
	}
}

func (c *loggerChain) current() Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.holders {
		if h.log != nil {
			return h.log
		}
	}
	return nopLogger{}
}

func (c *loggerChain) Infof(format string, args ...any) { c.current().Infof(format, args...) }
func (c *loggerChain) Warnf(format string, args ...any) { c.current().Warnf(format, args...) }
