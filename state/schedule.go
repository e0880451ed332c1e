package state

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Locks are keys with an owner and an expiry, for the scheduler's tick claims
// and task leases. They share the keyspace of the cache: a lock is a plain
// string holding its owner, with a ttl.
type Locks interface {
	// Claim sets key to owner for ttl unless key exists (SET NX PX), and
	// reports whether it did.
	Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// Renew gives key a new ttl when owner holds it, and reports whether it did.
	Renew(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// Release deletes key when owner holds it, and reports whether it did.
	Release(ctx context.Context, key, owner string) (bool, error)
}

// Locks are the locks of the cache backend: Redis, so every process sharing
// it sees them, or the process's memory store.
func (b *Backend) Locks() Locks {
	switch c := b.cache.(type) {
	case redisCache:
		return redisLocks(c)
	case memCache:
		return memLocks(c)
	}
	return nil
}

// Durable reports whether the storage backend survives a restart of the
// process (Redis or a bbolt file, not the memory store).
func (b *Backend) Durable() bool {
	_, inMemory := b.storage.(memStorage)
	return !inMemory
}

// Locks returns the Redis backend as Locks.
func (r *Redis) Locks() Locks { return redisLocks{r.pipe} }

// Locks returns the memory store as Locks.
func (m *Memory) Locks() Locks { return memLocks{m} }

//------------------------------------------------------------------------------

type redisLocks struct{ p *autoPipeline }

// The owner checks and the change happen in one script, so that a lock that
// expired and was taken by another owner meanwhile is left alone.
const (
	renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`
	releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`
)

func (l redisLocks) Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, errSetExpire
	}
	cmd := redis.NewBoolCmd(ctx, "set", key, owner, "nx", "px", millis(ttl))
	if err := l.p.do(ctx, cmd); err != nil {
		return false, err
	}
	return cmd.Val(), nil
}

func (l redisLocks) Renew(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, errSetExpire
	}
	cmd := redis.NewIntCmd(ctx, "eval", renewScript, 1, key, owner, millis(ttl))
	if err := l.p.do(ctx, cmd); err != nil {
		return false, err
	}
	return cmd.Val() == 1, nil
}

func (l redisLocks) Release(ctx context.Context, key, owner string) (bool, error) {
	cmd := redis.NewIntCmd(ctx, "eval", releaseScript, 1, key, owner)
	if err := l.p.do(ctx, cmd); err != nil {
		return false, err
	}
	return cmd.Val() == 1, nil
}

//------------------------------------------------------------------------------

type memLocks struct{ m *Memory }

func (l memLocks) Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, errSetExpire
	}
	now, unlock, err := l.m.lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	if l.m.lookup(key, now) != nil {
		return false, nil
	}
	l.m.data[key] = &memValue{str: owner, expireAt: now.Add(ttl)}
	l.m.expiring[key] = struct{}{}
	return true, nil
}

func (l memLocks) Renew(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, errSetExpire
	}
	now, unlock, err := l.m.lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	v := l.m.lookup(key, now)
	if v == nil || v.isList || v.str != owner {
		return false, nil
	}
	v.expireAt = now.Add(ttl)
	l.m.expiring[key] = struct{}{}
	return true, nil
}

func (l memLocks) Release(ctx context.Context, key, owner string) (bool, error) {
	now, unlock, err := l.m.lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	v := l.m.lookup(key, now)
	if v == nil || v.isList || v.str != owner {
		return false, nil
	}
	l.m.del(key)
	return true, nil
}
