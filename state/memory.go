package state

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"
)

// Memory is the embedded backend: one keyspace in process memory shared by its
// Cache and Storage views, with Redis semantics (types, TTLs, list order and
// error replies). Expired keys are dropped when touched and, unless disabled,
// by a periodic sweep. It is safe for concurrent use.
type Memory struct {
	now func() time.Time

	mu       sync.Mutex
	unlock   func() // m.mu.Unlock, bound once: a method value per call allocates
	data     map[string]*memValue
	expiring map[string]struct{} // keys of data with a ttl, for the sweep
	closed   bool

	stop      chan struct{} // nil when there is no sweeper
	swept     chan struct{}
	closeOnce sync.Once
}

// memValue is a string or a list. A list is kept tail first (the head is the
// last element) so LPUSH and LPOP work at the end of the slice.
type memValue struct {
	str      string
	list     []string
	isList   bool
	expireAt time.Time // zero: no ttl
}

// DefaultSweepInterval is how often a Memory drops expired keys that nobody touches.
const DefaultSweepInterval = 10 * time.Second

type memoryConfig struct {
	now   func() time.Time
	sweep time.Duration
}

// MemoryOption configures NewMemory.
type MemoryOption func(*memoryConfig)

// WithClock makes the store read the time from now (tests advance a fake clock).
func WithClock(now func() time.Time) MemoryOption {
	return func(c *memoryConfig) { c.now = now }
}

// WithSweepInterval sets how often expired keys are swept; zero or less
// disables the sweeper goroutine (expiry is then lazy only).
func WithSweepInterval(d time.Duration) MemoryOption {
	return func(c *memoryConfig) { c.sweep = d }
}

// NewMemory returns an empty store. When a sweep interval is set (the default)
// it starts one goroutine, which Close stops.
func NewMemory(opts ...MemoryOption) *Memory {
	conf := memoryConfig{now: time.Now, sweep: DefaultSweepInterval}
	for _, o := range opts {
		o(&conf)
	}
	m := &Memory{
		now:      conf.now,
		data:     map[string]*memValue{},
		expiring: map[string]struct{}{},
	}
	m.unlock = m.mu.Unlock
	if conf.sweep > 0 {
		m.stop = make(chan struct{})
		m.swept = make(chan struct{})
		go m.sweeper(conf.sweep)
	}
	return m
}

// Cache returns the store as a Cache.
func (m *Memory) Cache() Cache { return memCache{m} }

// Storage returns the store as a Storage; it shares the keyspace of Cache, as
// both share one database in Redis.
func (m *Memory) Storage() Storage { return memStorage{m} }

// Close stops the sweeper and drops the data; later calls return ErrClosed.
// It is idempotent.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() {
		if m.stop != nil {
			close(m.stop)
			<-m.swept
		}
		m.mu.Lock()
		m.closed = true
		m.data, m.expiring = nil, nil
		m.mu.Unlock()
	})
	return nil
}

//------------------------------------------------------------------------------

type memCache struct{ m *Memory }

func (c memCache) Get(ctx context.Context, key string) (string, bool, error) {
	return c.m.get(ctx, key)
}

func (c memCache) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < 0 {
		return errSetExpire
	}
	return c.m.set(ctx, key, value, ttl)
}

func (c memCache) Incr(ctx context.Context, key string) (int64, error) {
	return c.m.incrBy(ctx, key, 1)
}

func (c memCache) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	now, unlock, err := c.m.lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	v := c.m.lookup(key, now)
	if v == nil {
		return false, nil
	}
	if ttl <= 0 { // Redis deletes a key given a ttl in the past
		c.m.del(key)
		return true, nil
	}
	v.expireAt = now.Add(ttl)
	c.m.expiring[key] = struct{}{}
	return true, nil
}

func (c memCache) LPush(ctx context.Context, key string, values ...string) (int64, error) {
	if len(values) == 0 {
		return 0, errLPushArgs
	}
	now, unlock, err := c.m.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	v := c.m.lookup(key, now)
	if v == nil {
		v = &memValue{isList: true, list: make([]string, 0, len(values))}
		c.m.data[key] = v
	} else if !v.isList {
		return 0, ErrWrongType
	}
	v.list = append(v.list, values...)
	return int64(len(v.list)), nil
}

// listAt locks the store and returns the list at key (nil when missing),
// or ErrWrongType, unlocked, when key holds a string.
func (m *Memory) listAt(ctx context.Context, key string) (*memValue, func(), error) {
	now, unlock, err := m.lock(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := m.lookup(key, now)
	if v != nil && !v.isList {
		unlock()
		return nil, nil, ErrWrongType
	}
	return v, unlock, nil
}

func (c memCache) LRange(ctx context.Context, key string, start, stop int64) ([]string, error) {
	v, unlock, err := c.m.listAt(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if v == nil {
		return []string{}, nil
	}
	n := int64(len(v.list))
	// The same clamping as Redis' lrangeGenericCommand.
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return []string{}, nil
	}
	if stop >= n {
		stop = n - 1
	}
	out := make([]string, 0, stop-start+1)
	for i := start; i <= stop; i++ {
		out = append(out, v.list[n-1-i])
	}
	return out, nil
}

func (c memCache) LLen(ctx context.Context, key string) (int64, error) {
	v, unlock, err := c.m.listAt(ctx, key)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if v == nil {
		return 0, nil
	}
	return int64(len(v.list)), nil
}

func (c memCache) LPop(ctx context.Context, key string, count int64) ([]string, error) {
	if count < 0 {
		return nil, errNegativeLPop
	}
	v, unlock, err := c.m.listAt(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if v == nil {
		return []string{}, nil
	}
	n := int64(len(v.list))
	count = min(count, n)
	out := make([]string, count)
	for i := range count {
		out[i] = v.list[n-1-i]
	}
	clear(v.list[n-count:])
	v.list = v.list[:n-count]
	if len(v.list) == 0 {
		c.m.del(key)
	}
	return out, nil
}

func (c memCache) LRem(ctx context.Context, key string, count int64, value string) (int64, error) {
	v, unlock, err := c.m.listAt(ctx, key)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if v == nil {
		return 0, nil
	}
	list := v.list
	n := len(list)
	limit := int64(n)
	if count != 0 {
		limit = min(abs(count), limit)
	}
	var removed int64
	if count < 0 {
		// From the tail, which is the front of the slice: compact forwards.
		w := 0
		for i := range n {
			if removed < limit && list[i] == value {
				removed++
				continue
			}
			list[w] = list[i]
			w++
		}
		clear(list[w:])
		list = list[:w]
	} else {
		// From the head, the end of the slice: compact backwards, then shift.
		w := n - 1
		for i := n - 1; i >= 0; i-- {
			if removed < limit && list[i] == value {
				removed++
				continue
			}
			list[w] = list[i]
			w--
		}
		kept := n - 1 - w
		copy(list, list[w+1:])
		clear(list[kept:])
		list = list[:kept]
	}
	v.list = list
	if len(list) == 0 {
		c.m.del(key)
	}
	return removed, nil
}

//------------------------------------------------------------------------------

type memStorage struct{ m *Memory }

func (s memStorage) Get(ctx context.Context, key string) (string, bool, error) {
	return s.m.get(ctx, key)
}

func (s memStorage) Set(ctx context.Context, key, value string) error {
	return s.m.set(ctx, key, value, 0)
}

func (s memStorage) Del(ctx context.Context, key string) error {
	_, unlock, err := s.m.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	s.m.del(key)
	return nil
}

func (s memStorage) SetNX(ctx context.Context, key, value string) (bool, error) {
	now, unlock, err := s.m.lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	if s.m.lookup(key, now) != nil {
		return false, nil
	}
	s.m.data[key] = &memValue{str: value}
	return true, nil
}

func (s memStorage) IncrBy(ctx context.Context, key string, by int64) (int64, error) {
	return s.m.incrBy(ctx, key, by)
}

//------------------------------------------------------------------------------

// lock takes the store's mutex and reads the clock; the caller must call
// unlock when err is nil.
func (m *Memory) lock(ctx context.Context) (now time.Time, unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, nil, err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return time.Time{}, nil, ErrClosed
	}
	return m.now(), m.unlock, nil
}

// lookup returns the live value of key, deleting it when it has expired.
// m.mu must be held.
func (m *Memory) lookup(key string, now time.Time) *memValue {
	v := m.data[key]
	if v == nil {
		return nil
	}
	if !v.expireAt.IsZero() && now.After(v.expireAt) {
		m.del(key)
		return nil
	}
	return v
}

// del removes key; m.mu must be held.
func (m *Memory) del(key string) {
	delete(m.data, key)
	delete(m.expiring, key)
}

func (m *Memory) get(ctx context.Context, key string) (string, bool, error) {
	now, unlock, err := m.lock(ctx)
	if err != nil {
		return "", false, err
	}
	defer unlock()
	v := m.lookup(key, now)
	if v == nil {
		return "", false, nil
	}
	if v.isList {
		return "", false, ErrWrongType
	}
	return v.str, true, nil
}

// set replaces key with a string, like SET: any previous type and ttl go.
func (m *Memory) set(ctx context.Context, key, value string, ttl time.Duration) error {
	now, unlock, err := m.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	v := &memValue{str: value}
	if ttl > 0 {
		v.expireAt = now.Add(ttl)
		m.expiring[key] = struct{}{}
	} else {
		delete(m.expiring, key)
	}
	m.data[key] = v
	return nil
}

// incrBy is INCRBY: a missing key counts as 0 and an existing ttl is kept.
func (m *Memory) incrBy(ctx context.Context, key string, by int64) (int64, error) {
	now, unlock, err := m.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	v := m.lookup(key, now)
	if v == nil {
		m.data[key] = &memValue{str: strconv.FormatInt(by, 10)}
		return by, nil
	}
	if v.isList {
		return 0, ErrWrongType
	}
	n, ok := parseInt(v.str)
	if !ok {
		return 0, ErrNotInteger
	}
	n, err = addInt64(n, by)
	if err != nil {
		return 0, err
	}
	v.str = strconv.FormatInt(n, 10)
	return n, nil
}

func (m *Memory) sweeper(every time.Duration) {
	defer close(m.swept)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.sweep()
		}
	}
}

// sweep drops every expired key.
func (m *Memory) sweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	now := m.now()
	for key := range m.expiring {
		m.lookup(key, now)
	}
}

// abs returns |n|, saturating at math.MaxInt64.
func abs(n int64) int64 {
	switch {
	case n == math.MinInt64:
		return math.MaxInt64
	case n < 0:
		return -n
	}
	return n
}
