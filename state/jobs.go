package state

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.etcd.io/bbolt"
)

// JobStore is a durable queue of items ordered by due time: the plugin jobs
// of meta.jobs. An item is taken by exactly one caller.
type JobStore interface {
	// PushJob adds item to queue, due at due; id (unique, no newline) keeps
	// equal items apart and orders items due at the same millisecond.
	PushJob(ctx context.Context, queue string, due time.Time, id, item string) error
	// TakeDueJobs removes and returns, in one atomic step, up to max items
	// of queue due at or before now, earliest first.
	TakeDueJobs(ctx context.Context, queue string, now time.Time, max int) ([]string, error)
	// NextJobDue is the due time (to the millisecond) of queue's earliest item.
	NextJobDue(ctx context.Context, queue string) (due time.Time, found bool, err error)
}

// Jobs is the job queue of the storage backend: a Redis sorted set, the
// bbolt file, or the process's memory store.
func (b *Backend) Jobs() JobStore {
	switch s := b.storage.(type) {
	case redisStorage:
		return redisJobs(s)
	case *Bolt:
		return s
	case memStorage:
		return memJobs(s)
	}
	return nil
}

// Jobs returns the Redis backend as a JobStore.
func (r *Redis) Jobs() JobStore { return redisJobs{r.pipe} }

// Jobs returns the memory store as a JobStore.
func (m *Memory) Jobs() JobStore { return memJobs{m} }

var errJobID = errors.New("a job id must be non-empty and hold no newline")

func checkJobID(id string) error {
	if id == "" || strings.ContainsRune(id, '\n') {
		return errJobID
	}
	return nil
}

//------------------------------------------------------------------------------

// redisJobs keeps a queue in a sorted set scored by the due time in Unix
// milliseconds; each member is "<id>\n<item>".
type redisJobs struct{ p *autoPipeline }

const takeJobsScript = `local items = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'limit', 0, ARGV[2])
if #items > 0 then
  redis.call('zrem', KEYS[1], unpack(items))
end
return items`

func (j redisJobs) PushJob(ctx context.Context, queue string, due time.Time, id, item string) error {
	if err := checkJobID(id); err != nil {
		return err
	}
	return j.p.do(ctx, redis.NewIntCmd(ctx, "zadd", queue, due.UnixMilli(), id+"\n"+item))
}

func (j redisJobs) TakeDueJobs(ctx context.Context, queue string, now time.Time, max int) ([]string, error) {
	if max <= 0 {
		return []string{}, nil
	}
	cmd := redis.NewStringSliceCmd(ctx, "eval", takeJobsScript, 1, queue, now.UnixMilli(), max)
	if err := j.p.do(ctx, cmd); err != nil {
		return nil, err
	}
	items := cmd.Val()
	out := make([]string, len(items))
	for i, member := range items {
		_, out[i], _ = strings.Cut(member, "\n")
	}
	return out, nil
}

func (j redisJobs) NextJobDue(ctx context.Context, queue string) (time.Time, bool, error) {
	cmd := redis.NewZSliceCmd(ctx, "zrange", queue, 0, 0, "withscores")
	if err := j.p.do(ctx, cmd); err != nil {
		return time.Time{}, false, err
	}
	if len(cmd.Val()) == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(int64(cmd.Val()[0].Score)).UTC(), true, nil
}

//------------------------------------------------------------------------------

// Sort keys of the embedded queues: the due time in milliseconds with the
// sign bit flipped, big-endian, so that byte order is time order.

func dueKey(due time.Time) uint64 { return uint64(due.UnixMilli()) ^ 1<<63 }

func dueFromKey(k uint64) time.Time { return time.UnixMilli(int64(k ^ 1<<63)).UTC() }

// memJobs keeps a queue as a list value of the memory store, sorted by
// "<16 hex digits of the due key><id>\n<item>", earliest first.
type memJobs struct{ m *Memory }

func (j memJobs) PushJob(ctx context.Context, queue string, due time.Time, id, item string) error {
	if err := checkJobID(id); err != nil {
		return err
	}
	now, unlock, err := j.m.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	v := j.m.lookup(queue, now)
	if v == nil {
		v = &memValue{isList: true}
		j.m.data[queue] = v
	} else if !v.isList {
		return ErrWrongType
	}
	entry := fmt.Sprintf("%016x%s\n%s", dueKey(due), id, item)
	i := sort.SearchStrings(v.list, entry)
	v.list = append(v.list, "")
	copy(v.list[i+1:], v.list[i:])
	v.list[i] = entry
	return nil
}

func (j memJobs) TakeDueJobs(ctx context.Context, queue string, now time.Time, max int) ([]string, error) {
	at, unlock, err := j.m.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	out := []string{}
	v := j.m.lookup(queue, at)
	if v == nil || max <= 0 {
		return out, nil
	}
	if !v.isList {
		return nil, ErrWrongType
	}
	limit := dueKey(now)
	n := 0
	for n < len(v.list) && n < max {
		k, _ := strconv.ParseUint(v.list[n][:16], 16, 64)
		if k > limit {
			break
		}
		_, item, _ := strings.Cut(v.list[n][16:], "\n")
		out = append(out, item)
		n++
	}
	clear(v.list[:n])
	v.list = v.list[n:]
	if len(v.list) == 0 {
		j.m.del(queue)
	}
	return out, nil
}

func (j memJobs) NextJobDue(ctx context.Context, queue string) (time.Time, bool, error) {
	now, unlock, err := j.m.lock(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	defer unlock()
	v := j.m.lookup(queue, now)
	if v == nil {
		return time.Time{}, false, nil
	}
	if !v.isList {
		return time.Time{}, false, ErrWrongType
	}
	k, _ := strconv.ParseUint(v.list[0][:16], 16, 64)
	return dueFromKey(k), true, nil
}

//------------------------------------------------------------------------------

// boltJobsBucket holds one nested bucket per queue, keyed by the 8-byte due
// key followed by the id.
const boltJobsBucket = "jobs"

// PushJob adds item to queue in the state file.
func (b *Bolt) PushJob(ctx context.Context, queue string, due time.Time, id, item string) error {
	if err := checkJobID(id); err != nil {
		return err
	}
	return b.updateJobs(ctx, queue, func(q *bbolt.Bucket) error {
		key := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), dueKey(due))
		return q.Put(append(key, id...), []byte(item))
	})
}

// TakeDueJobs removes and returns up to max due items of queue in one transaction.
func (b *Bolt) TakeDueJobs(ctx context.Context, queue string, now time.Time, max int) ([]string, error) {
	out := []string{}
	if max <= 0 {
		return out, nil
	}
	limit := dueKey(now)
	err := b.updateJobs(ctx, queue, func(q *bbolt.Bucket) error {
		out = out[:0]
		var keys [][]byte
		c := q.Cursor()
		for k, v := c.First(); k != nil && len(out) < max; k, v = c.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k) > limit {
				break
			}
			out = append(out, string(v)) // string() copies out of the mmap
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := q.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NextJobDue is the due time of queue's earliest item.
func (b *Bolt) NextJobDue(ctx context.Context, queue string) (due time.Time, found bool, err error) {
	err = b.viewJobs(ctx, queue, func(q *bbolt.Bucket) error {
		if k, _ := q.Cursor().First(); len(k) >= 8 {
			due, found = dueFromKey(binary.BigEndian.Uint64(k)), true
		}
		return nil
	})
	return due, found, err
}

func (b *Bolt) updateJobs(ctx context.Context, queue string, fn func(*bbolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.wrap(b.db.Update(func(tx *bbolt.Tx) error {
		jobs, err := tx.CreateBucketIfNotExists([]byte(boltJobsBucket))
		if err != nil {
			return err
		}
		q, err := jobs.CreateBucketIfNotExists([]byte(queue))
		if err != nil {
			return err
		}
		return fn(q)
	}))
}

func (b *Bolt) viewJobs(ctx context.Context, queue string, fn func(*bbolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.wrap(b.db.View(func(tx *bbolt.Tx) error {
		jobs := tx.Bucket([]byte(boltJobsBucket))
		if jobs == nil {
			return nil
		}
		q := jobs.Bucket([]byte(queue))
		if q == nil {
			return nil
		}
		return fn(q)
	}))
}
