package state

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.etcd.io/bbolt"
)

// JobStore is a durable queue of items ordered by due time: the plugin jobs
// of meta.jobs. Workers lease items: a leased item stays stored, due again
// when its lease ends, until the worker acks it after the run. A worker that
// dies mid-run loses nothing: the item is leased again once the lease ends
// (at-least-once).
type JobStore interface {
	// PushJob adds item to queue, due at due; id (unique, no newline and no
	// \x1e) keeps equal items apart and orders items due at the same
	// millisecond.
	PushJob(ctx context.Context, queue string, due time.Time, id, item string) error
	// LeaseDueJobs leases, in one atomic step, up to max items of queue due
	// at or before now, earliest first: each is due again at until, under a
	// new lease, so no other caller gets it meanwhile.
	LeaseDueJobs(ctx context.Context, queue string, now, until time.Time, max int) ([]LeasedJob, error)
	// RenewJob extends a lease to until, returning the lease's new name;
	// ok is false when the lease has ended (the item was acked, or leased
	// again since).
	RenewJob(ctx context.Context, queue, lease string, until time.Time) (renewed string, ok bool, err error)
	// AckJob removes a leased item; an ended lease (the item was leased
	// again since) is left alone.
	AckJob(ctx context.Context, queue, lease string) error
	// ReleaseJob ends a lease early: the item is due at due (a run
	// interrupted by shutdown, for the next worker to take at once).
	ReleaseJob(ctx context.Context, queue, lease string, due time.Time) error
	// RetryJob replaces a leased item, in one atomic step, with item due at
	// due, as if pushed anew under its id: its lease count starts again
	// (a retry of a failed run is not a redelivery). ok is false, and
	// nothing changes, when the lease has ended.
	RetryJob(ctx context.Context, queue, lease string, due time.Time, item string) (ok bool, err error)
	// TakeDueJobs removes and returns, in one atomic step, up to max items
	// of queue due at or before now, earliest first: for tools that only
	// look; workers lease.
	TakeDueJobs(ctx context.Context, queue string, now time.Time, max int) ([]string, error)
	// NextJobDue is the due time (to the millisecond) of queue's earliest item.
	NextJobDue(ctx context.Context, queue string) (due time.Time, found bool, err error)
}

// LeasedJob is an item under lease.
type LeasedJob struct {
	// Lease names the item under this lease for AckJob and ReleaseJob.
	Lease string
	Item  string
	// Attempt counts the leases of the item, this one included: above 1,
	// an earlier worker stopped before acking.
	Attempt int
}

// leaseSep separates a job's id from its lease count and token.
const leaseSep = "\x1e"

// leasedID is the id of the next lease of an item stored under id.
func leasedID(id, token string) (string, int) {
	base, rest, leased := strings.Cut(id, leaseSep)
	attempt := 0
	if leased {
		n, _, _ := strings.Cut(rest, leaseSep)
		attempt, _ = strconv.Atoi(n)
	}
	attempt++
	return base + leaseSep + strconv.Itoa(attempt) + leaseSep + token, attempt
}

// baseID is the id an item was pushed under, from its stored id.
func baseID(id string) string {
	base, _, _ := strings.Cut(id, leaseSep)
	return base
}

// leaseToken returns a fresh token prefix for one LeaseDueJobs call.
func leaseToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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

var errJobID = errors.New("a job id must be non-empty and hold no newline nor \\x1e")

func checkJobID(id string) error {
	if id == "" || strings.ContainsAny(id, "\n"+leaseSep) {
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

// leaseJobsScript re-scores each due member under a new lease id (see
// leasedID), returning the new members.
const leaseJobsScript = `local items = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'limit', 0, ARGV[2])
local out = {}
for i, m in ipairs(items) do
  local nl = string.find(m, '\n', 1, true)
  local id, item = string.sub(m, 1, nl - 1), string.sub(m, nl + 1)
  local base, attempt = id, 0
  local sep = string.find(id, '\30', 1, true)
  if sep then
    base = string.sub(id, 1, sep - 1)
    local rest = string.sub(id, sep + 1)
    local sep2 = string.find(rest, '\30', 1, true)
    attempt = tonumber(string.sub(rest, 1, (sep2 or 0) - 1)) or 0
  end
  local nm = base .. '\30' .. (attempt + 1) .. '\30' .. ARGV[4] .. '-' .. i .. '\n' .. item
  redis.call('zrem', KEYS[1], m)
  redis.call('zadd', KEYS[1], ARGV[3], nm)
  out[#out + 1] = nm
end
return out`

func (j redisJobs) LeaseDueJobs(ctx context.Context, queue string, now, until time.Time, max int) ([]LeasedJob, error) {
	out := []LeasedJob{}
	if max <= 0 {
		return out, nil
	}
	cmd := redis.NewStringSliceCmd(ctx, "eval", leaseJobsScript, 1, queue, now.UnixMilli(), max, until.UnixMilli(), leaseToken())
	if err := j.p.do(ctx, cmd); err != nil {
		return nil, err
	}
	for _, member := range cmd.Val() {
		id, item, _ := strings.Cut(member, "\n")
		out = append(out, LeasedJob{Lease: member, Item: item, Attempt: leaseAttempt(id)})
	}
	return out, nil
}

// leaseAttempt reads the lease count of a leased id.
func leaseAttempt(id string) int {
	_, rest, _ := strings.Cut(id, leaseSep)
	n, _, _ := strings.Cut(rest, leaseSep)
	attempt, _ := strconv.Atoi(n)
	return attempt
}

const renewJobScript = `if redis.call('zscore', KEYS[1], ARGV[2]) then
  redis.call('zadd', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`

func (j redisJobs) RenewJob(ctx context.Context, queue, lease string, until time.Time) (string, bool, error) {
	cmd := redis.NewIntCmd(ctx, "eval", renewJobScript, 1, queue, until.UnixMilli(), lease)
	if err := j.p.do(ctx, cmd); err != nil {
		return lease, false, err
	}
	return lease, cmd.Val() == 1, nil
}

func (j redisJobs) AckJob(ctx context.Context, queue, lease string) error {
	return j.p.do(ctx, redis.NewIntCmd(ctx, "zrem", queue, lease))
}

func (j redisJobs) ReleaseJob(ctx context.Context, queue, lease string, due time.Time) error {
	return j.p.do(ctx, redis.NewIntCmd(ctx, "zadd", queue, "xx", due.UnixMilli(), lease))
}

// retryJobScript swaps a current lease's member for the pushed id and the
// new item.
const retryJobScript = `if not redis.call('zscore', KEYS[1], ARGV[1]) then
  return 0
end
redis.call('zrem', KEYS[1], ARGV[1])
redis.call('zadd', KEYS[1], ARGV[2], ARGV[3])
return 1`

func (j redisJobs) RetryJob(ctx context.Context, queue, lease string, due time.Time, item string) (bool, error) {
	id, _, _ := strings.Cut(lease, "\n")
	cmd := redis.NewIntCmd(ctx, "eval", retryJobScript, 1, queue, lease, due.UnixMilli(), baseID(id)+"\n"+item)
	if err := j.p.do(ctx, cmd); err != nil {
		return false, err
	}
	return cmd.Val() == 1, nil
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
	memInsert(v, fmt.Sprintf("%016x%s\n%s", dueKey(due), id, item))
	return nil
}

// memInsert puts entry into the sorted list.
func memInsert(v *memValue, entry string) {
	i := sort.SearchStrings(v.list, entry)
	v.list = append(v.list, "")
	copy(v.list[i+1:], v.list[i:])
	v.list[i] = entry
}

func (j memJobs) LeaseDueJobs(ctx context.Context, queue string, now, until time.Time, max int) ([]LeasedJob, error) {
	at, unlock, err := j.m.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	out := []LeasedJob{}
	v := j.m.lookup(queue, at)
	if v == nil || max <= 0 {
		return out, nil
	}
	if !v.isList {
		return nil, ErrWrongType
	}
	limit := dueKey(now)
	token := leaseToken()
	n := 0
	for n < len(v.list) && n < max {
		k, _ := strconv.ParseUint(v.list[n][:16], 16, 64)
		if k > limit {
			break
		}
		n++
	}
	taken := slices.Clone(v.list[:n])
	v.list = slices.Delete(v.list, 0, n)
	for i, entry := range taken {
		id, item, _ := strings.Cut(entry[16:], "\n")
		newID, attempt := leasedID(id, token+"-"+strconv.Itoa(i))
		lease := fmt.Sprintf("%016x%s", dueKey(until), newID)
		memInsert(v, lease+"\n"+item)
		out = append(out, LeasedJob{Lease: lease, Item: item, Attempt: attempt})
	}
	return out, nil
}

// memFind is the index of the entry leased as lease, or -1.
func memFind(v *memValue, lease string) int {
	i := sort.SearchStrings(v.list, lease+"\n")
	if i < len(v.list) && strings.HasPrefix(v.list[i], lease+"\n") {
		return i
	}
	return -1
}

func (j memJobs) RenewJob(ctx context.Context, queue, lease string, until time.Time) (string, bool, error) {
	at, unlock, err := j.m.lock(ctx)
	if err != nil {
		return lease, false, err
	}
	defer unlock()
	v := j.m.lookup(queue, at)
	if v == nil {
		return lease, false, nil
	}
	if !v.isList {
		return lease, false, ErrWrongType
	}
	i := memFind(v, lease)
	if i < 0 || len(lease) < 16 {
		return lease, false, nil
	}
	entry := v.list[i]
	v.list = slices.Delete(v.list, i, i+1)
	renewed := fmt.Sprintf("%016x", dueKey(until)) + lease[16:]
	memInsert(v, renewed+entry[len(lease):])
	return renewed, true, nil
}

func (j memJobs) AckJob(ctx context.Context, queue, lease string) error {
	at, unlock, err := j.m.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	v := j.m.lookup(queue, at)
	if v == nil {
		return nil
	}
	if !v.isList {
		return ErrWrongType
	}
	if i := memFind(v, lease); i >= 0 {
		v.list = slices.Delete(v.list, i, i+1)
	}
	if len(v.list) == 0 {
		j.m.del(queue)
	}
	return nil
}

func (j memJobs) ReleaseJob(ctx context.Context, queue, lease string, due time.Time) error {
	at, unlock, err := j.m.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	v := j.m.lookup(queue, at)
	if v == nil {
		return nil
	}
	if !v.isList {
		return ErrWrongType
	}
	i := memFind(v, lease)
	if i < 0 || len(lease) < 16 {
		return nil
	}
	entry := v.list[i]
	v.list = slices.Delete(v.list, i, i+1)
	memInsert(v, fmt.Sprintf("%016x", dueKey(due))+entry[16:])
	return nil
}

func (j memJobs) RetryJob(ctx context.Context, queue, lease string, due time.Time, item string) (bool, error) {
	at, unlock, err := j.m.lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	v := j.m.lookup(queue, at)
	if v == nil {
		return false, nil
	}
	if !v.isList {
		return false, ErrWrongType
	}
	i := memFind(v, lease)
	if i < 0 || len(lease) < 16 {
		return false, nil
	}
	v.list = slices.Delete(v.list, i, i+1)
	memInsert(v, fmt.Sprintf("%016x%s\n%s", dueKey(due), baseID(lease[16:]), item))
	return true, nil
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

// LeaseDueJobs leases up to max due items of queue in one transaction.
func (b *Bolt) LeaseDueJobs(ctx context.Context, queue string, now, until time.Time, max int) ([]LeasedJob, error) {
	out := []LeasedJob{}
	if max <= 0 {
		return out, nil
	}
	limit := dueKey(now)
	token := leaseToken()
	err := b.updateJobs(ctx, queue, func(q *bbolt.Bucket) error {
		out = out[:0]
		type entry struct{ key, item []byte }
		var taken []entry
		c := q.Cursor()
		for k, v := c.First(); k != nil && len(taken) < max; k, v = c.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k) > limit {
				break
			}
			taken = append(taken, entry{append([]byte(nil), k...), append([]byte(nil), v...)})
		}
		for i, e := range taken {
			if err := q.Delete(e.key); err != nil {
				return err
			}
			newID, attempt := leasedID(string(e.key[8:]), token+"-"+strconv.Itoa(i))
			key := append(binary.BigEndian.AppendUint64(nil, dueKey(until)), newID...)
			if err := q.Put(key, e.item); err != nil {
				return err
			}
			out = append(out, LeasedJob{Lease: string(key), Item: string(e.item), Attempt: attempt})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RenewJob extends a lease to until.
func (b *Bolt) RenewJob(ctx context.Context, queue, lease string, until time.Time) (string, bool, error) {
	renewed, ok := lease, false
	err := b.updateJobs(ctx, queue, func(q *bbolt.Bucket) error {
		item := q.Get([]byte(lease))
		if item == nil || len(lease) < 8 {
			return nil
		}
		item = append([]byte(nil), item...)
		if err := q.Delete([]byte(lease)); err != nil {
			return err
		}
		key := append(binary.BigEndian.AppendUint64(nil, dueKey(until)), lease[8:]...)
		renewed, ok = string(key), true
		return q.Put(key, item)
	})
	return renewed, ok, err
}

// AckJob removes a leased item.
func (b *Bolt) AckJob(ctx context.Context, queue, lease string) error {
	return b.updateJobs(ctx, queue, func(q *bbolt.Bucket) error {
		return q.Delete([]byte(lease))
	})
}

// ReleaseJob makes a leased item due at due.
func (b *Bolt) ReleaseJob(ctx context.Context, queue, lease string, due time.Time) error {
	return b.updateJobs(ctx, queue, func(q *bbolt.Bucket) error {
		item := q.Get([]byte(lease))
		if item == nil || len(lease) < 8 {
			return nil
		}
		item = append([]byte(nil), item...)
		if err := q.Delete([]byte(lease)); err != nil {
			return err
		}
		return q.Put(append(binary.BigEndian.AppendUint64(nil, dueKey(due)), lease[8:]...), item)
	})
}

// RetryJob replaces a leased item with item, due at due, under its pushed id.
func (b *Bolt) RetryJob(ctx context.Context, queue, lease string, due time.Time, item string) (bool, error) {
	ok := false
	err := b.updateJobs(ctx, queue, func(q *bbolt.Bucket) error {
		if len(lease) < 8 || q.Get([]byte(lease)) == nil {
			return nil
		}
		if err := q.Delete([]byte(lease)); err != nil {
			return err
		}
		ok = true
		return q.Put(append(binary.BigEndian.AppendUint64(nil, dueKey(due)), baseID(lease[8:])...), []byte(item))
	})
	return ok && err == nil, err
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
