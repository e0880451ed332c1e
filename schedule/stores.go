package schedule

import (
	"context"
	"strconv"
	"time"

	"github.com/hogpipe/hogpipe/state"
)

// Locks are short-lived keys with an owner and an expiry: tick claims and
// task leases. They live where every process of the cluster sees them
// (Redis), or in the process (its memory store) without Redis.
type Locks interface {
	// Claim sets key to owner for ttl unless the key exists (SET NX PX) and
	// reports whether it did.
	Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// Renew gives key a new ttl when owner still holds it.
	Renew(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	// Release deletes key when owner holds it.
	Release(ctx context.Context, key, owner string) (bool, error)
}

// JobStore is the durable queue of jobs, ordered by due time (state.JobStore
// satisfies it). A job leaves it only when the worker that leased it acks it
// after the run; a lease that ends before (the worker died) makes the job due
// again: at-least-once.
type JobStore interface {
	// PushJob adds item, due at due, to queue; id makes it unique.
	PushJob(ctx context.Context, queue string, due time.Time, id, item string) error
	// LeaseDueJobs leases, atomically, up to max items of queue due at or
	// before now, earliest first, until until; no two callers get the same
	// item under one lease.
	LeaseDueJobs(ctx context.Context, queue string, now, until time.Time, max int) ([]state.LeasedJob, error)
	// RenewJob extends a lease to until, returning its new name; ok is
	// false when the lease has ended.
	RenewJob(ctx context.Context, queue, lease string, until time.Time) (renewed string, ok bool, err error)
	// AckJob removes a leased item.
	AckJob(ctx context.Context, queue, lease string) error
	// ReleaseJob ends a lease early, making the item due at due.
	ReleaseJob(ctx context.Context, queue, lease string, due time.Time) error
	// RetryJob replaces a leased item with item, due at due, its lease
	// count starting again; ok is false when the lease has ended.
	RetryJob(ctx context.Context, queue, lease string, due time.Time, item string) (ok bool, err error)
	// NextJobDue is the due time of queue's earliest item.
	NextJobDue(ctx context.Context, queue string) (due time.Time, found bool, err error)
}

// Marks are values with a ttl, for the heartbeat of schedule inputs
// (state.Cache satisfies it).
type Marks interface {
	Get(ctx context.Context, key string) (string, bool, error)
	Set(ctx context.Context, key, value string, ttl time.Duration) error
}

// Records are values that persist where possible, for the last completed
// tick of each task (state.Storage satisfies it).
type Records interface {
	Get(ctx context.Context, key string) (string, bool, error)
	Set(ctx context.Context, key, value string) error
	SetNX(ctx context.Context, key, value string) (bool, error)
}

// Stores is the state a scheduler works with.
type Stores struct {
	Locks   Locks
	Marks   Marks
	Records Records
	Jobs    JobStore
	// Durable says that Records survive a restart (Redis, a state_dir); only
	// then can a tick missed while no process ran be caught up.
	Durable bool
}

//------------------------------------------------------------------------------

// Keys, under a prefix no plugin key can take (plugins' keys start with
// "@plugin/" and "@plugin-storage/").

func keyPrefix(pluginConfigID int64) string {
	return "@hogpipe-schedule/" + strconv.FormatInt(pluginConfigID, 10) + "/"
}

func tickKey(pluginConfigID int64, task string, tick time.Time) string {
	return keyPrefix(pluginConfigID) + "tick/" + task + "/" + strconv.FormatInt(tick.UnixMilli(), 10)
}

func leaseKey(pluginConfigID int64, task string) string {
	return keyPrefix(pluginConfigID) + "lease/" + task
}

func lastRunKey(pluginConfigID int64, task string) string {
	return keyPrefix(pluginConfigID) + "last/" + task
}

func heartbeatKey(pluginConfigID int64) string {
	return keyPrefix(pluginConfigID) + "heartbeat"
}

// JobQueueName is the queue that holds the jobs of a plugin instance.
func JobQueueName(pluginConfigID int64) string {
	return "@hogpipe-jobs/" + strconv.FormatInt(pluginConfigID, 10)
}
