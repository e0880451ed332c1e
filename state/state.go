// Package state holds the backends behind a plugin's meta.cache, meta.storage
// and meta.utils.cursor: an in-process store by default, Redis when a URL is
// given, and a bbolt file for durable storage without Redis.
//
// Keys reach this package already namespaced by the plugin host; values are
// opaque strings (the host does the JSON encoding), so every backend stores
// exactly what the original plugin server stored in Redis.
package state

import (
	"context"
	"time"
)

// Cache backs meta.cache: fast values that may expire or be evicted.
type Cache interface {
	// Get returns the value of key; found is false when it does not exist.
	Get(ctx context.Context, key string) (value string, found bool, err error)
	// Set stores value under key; a ttl of zero keeps it until deleted.
	Set(ctx context.Context, key, value string, ttl time.Duration) error
	// Incr adds one to the integer at key (a missing key counts as 0).
	Incr(ctx context.Context, key string) (int64, error)
	// Expire sets a ttl on key; it reports false when key does not exist.
	Expire(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// LPush prepends values one by one (as Redis LPUSH) and returns the new length.
	LPush(ctx context.Context, key string, values ...string) (int64, error)
	// LRange returns the elements from start to stop inclusive; negative
	// indexes count from the end, as in Redis.
	LRange(ctx context.Context, key string, start, stop int64) ([]string, error)
	// LLen returns the length of the list at key (0 when missing).
	LLen(ctx context.Context, key string) (int64, error)
	// LPop removes and returns up to count elements from the head.
	LPop(ctx context.Context, key string, count int64) ([]string, error)
	// LRem removes count occurrences of value (all when count is 0, from the
	// tail when negative) and returns how many were removed.
	LRem(ctx context.Context, key string, count int64, value string) (int64, error)
}

// Storage backs meta.storage and meta.utils.cursor: values that persist.
type Storage interface {
	Get(ctx context.Context, key string) (value string, found bool, err error)
	Set(ctx context.Context, key, value string) error
	Del(ctx context.Context, key string) error
	// SetNX stores value only when key does not exist and reports whether it did.
	SetNX(ctx context.Context, key, value string) (bool, error)
	// IncrBy adds by to the integer at key (a missing key counts as 0).
	IncrBy(ctx context.Context, key string, by int64) (int64, error)
}

// Logger is the part of Benthos' logger that backends use to report outages.
type Logger interface {
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
}

// Immediate is implemented by backends whose calls never wait on I/O, so the
// plugin host may run them on its event loop instead of a goroutine.
type Immediate interface {
	Immediate()
}
