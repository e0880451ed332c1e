package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// BoltFileName is the file that OpenBolt keeps in the state directory.
const BoltFileName = "hogpipe-state.db"

// boltOpenTimeout bounds the wait for the file lock that another process holds.
const boltOpenTimeout = 2 * time.Second

// boltBucket holds every key.
const boltBucket = "storage"

// Bolt is a durable Storage in a bbolt file, for a single process without
// Redis. Each call is one transaction; writes are synced before they return.
type Bolt struct {
	db        *bbolt.DB
	path      string
	closeOnce sync.Once
	closeErr  error
}

var _ Storage = (*Bolt)(nil)

// OpenBolt opens (creating it and dir when needed) dir/hogpipe-state.db. The
// file is locked while open: a second process using the same dir gets an
// error after a short wait.
func OpenBolt(dir string) (*Bolt, error) {
	return openBolt(dir, boltOpenTimeout)
}

func openBolt(dir string, timeout time.Duration) (*Bolt, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("failed to create state_dir: %w", err)
	}
	path := filepath.Join(dir, BoltFileName)
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("state file %s is locked by another hogpipe process; give each process its own state_dir or use redis_url", path)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to open state file %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(boltBucket))
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("failed to initialise state file %s: %w", path, err)
	}
	return &Bolt{db: db, path: path}, nil
}

// Path is the file's path.
func (b *Bolt) Path() string { return b.path }

// Close closes the file and releases its lock; it is idempotent.
func (b *Bolt) Close() error {
	b.closeOnce.Do(func() {
		if err := b.db.Close(); err != nil {
			b.closeErr = fmt.Errorf("failed to close state file %s: %w", b.path, err)
		}
	})
	return b.closeErr
}

//------------------------------------------------------------------------------

// Get returns the value of key.
func (b *Bolt) Get(ctx context.Context, key string) (value string, found bool, err error) {
	err = b.view(ctx, func(bk *bbolt.Bucket) error {
		if v := bk.Get([]byte(key)); v != nil {
			value, found = string(v), true // string() copies out of the mmap
		}
		return nil
	})
	return value, found, err
}

// Set stores value under key.
func (b *Bolt) Set(ctx context.Context, key, value string) error {
	return b.update(ctx, func(bk *bbolt.Bucket) error {
		return bk.Put([]byte(key), []byte(value))
	})
}

// Del removes key; a missing key is not an error.
func (b *Bolt) Del(ctx context.Context, key string) error {
	return b.update(ctx, func(bk *bbolt.Bucket) error {
		return bk.Delete([]byte(key))
	})
}

// SetNX stores value only when key does not exist, in one transaction.
func (b *Bolt) SetNX(ctx context.Context, key, value string) (set bool, err error) {
	err = b.update(ctx, func(bk *bbolt.Bucket) error {
		set = false
		if bk.Get([]byte(key)) != nil {
			return nil
		}
		set = true
		return bk.Put([]byte(key), []byte(value))
	})
	return set, err
}

// IncrBy adds by to the integer at key in one transaction, like Redis INCRBY.
func (b *Bolt) IncrBy(ctx context.Context, key string, by int64) (n int64, err error) {
	err = b.update(ctx, func(bk *bbolt.Bucket) error {
		n = 0
		if v := bk.Get([]byte(key)); v != nil {
			cur, ok := parseInt(string(v))
			if !ok {
				return ErrNotInteger
			}
			n = cur
		}
		sum, err := addInt64(n, by)
		if err != nil {
			return err
		}
		n = sum
		return bk.Put([]byte(key), strconv.AppendInt(nil, n, 10))
	})
	return n, err
}

//------------------------------------------------------------------------------

func (b *Bolt) view(ctx context.Context, fn func(*bbolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.wrap(b.db.View(func(tx *bbolt.Tx) error {
		return fn(tx.Bucket([]byte(boltBucket)))
	}))
}

func (b *Bolt) update(ctx context.Context, fn func(*bbolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.wrap(b.db.Update(func(tx *bbolt.Tx) error {
		return fn(tx.Bucket([]byte(boltBucket)))
	}))
}

// wrap gives I/O errors the file's path and leaves Redis-like replies as they are.
func (b *Bolt) wrap(err error) error {
	switch {
	case err == nil, errors.Is(err, ErrNotInteger), errors.Is(err, ErrOverflow):
		return err
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	}
	return fmt.Errorf("state file %s: %w", b.path, err)
}
