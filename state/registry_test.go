package state_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// The registry is process-wide, so these tests do not run in parallel with
// each other (goleak and RegistryLen would see the other tests' backends).

func TestAcquireSharesOneRedisClientPerURL(t *testing.T) {
	srv := redistest.Start(t)
	ignore := goleak.IgnoreCurrent()
	first, second := &testutil.Logger{}, &testutil.Logger{}
	ctx := t.Context()

	b1, err := state.Acquire(state.Options{RedisURL: srv.URL(), Logger: first})
	require.NoError(t, err)
	b2, err := state.Acquire(state.Options{RedisURL: srv.URL(), StateDir: t.TempDir(), Logger: second})
	require.NoError(t, err)
	r := state.RedisOf(b1)
	require.NotNil(t, r)
	assert.Same(t, r, state.RedisOf(b2), "one client per URL")
	assert.Nil(t, state.BoltOf(b2), "redis_url wins over state_dir")
	assert.Equal(t, 1, state.RegistryLen())
	assert.Len(t, first.Messages("WARN"), 1, "the AOF warning, once, to the first holder")
	assert.Empty(t, second.Messages("WARN"))

	require.NoError(t, b1.Storage().Set(ctx, "k", "v"))
	require.NoError(t, b1.Release())
	require.NoError(t, b1.Release(), "Release is idempotent")
	v, _, err := b2.Storage().Get(ctx, "k")
	require.NoError(t, err, "the client stays open while a holder is left")
	assert.Equal(t, "v", v)

	// With the first holder gone, its successor gets the messages.
	srv.Stop()
	_, _, err = b2.Cache().Get(ctx, "k")
	require.ErrorIs(t, err, state.ErrUnavailable)
	assert.Len(t, first.Messages("WARN"), 1)
	assert.Len(t, second.Messages("WARN"), 1)
	srv.Restart()

	require.NoError(t, b2.Release())
	assert.Zero(t, state.RegistryLen())
	_, _, err = r.Cache().Get(ctx, "k")
	assert.ErrorIs(t, err, state.ErrClosed, "the last Release closed the client")

	b3, err := state.Acquire(state.Options{RedisURL: srv.URL()})
	require.NoError(t, err)
	assert.NotSame(t, r, state.RedisOf(b3))
	require.NoError(t, b3.Release())
	verifyNoLeaks(t, ignore)
}

func TestAcquireSharesMemoryAndBolt(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	ctx := t.Context()
	dir := t.TempDir()

	plain, err := state.Acquire(state.Options{})
	require.NoError(t, err)
	durable, err := state.Acquire(state.Options{StateDir: dir})
	require.NoError(t, err)
	again, err := state.Acquire(state.Options{StateDir: filepath.Join(dir, ".")})
	require.NoError(t, err)

	m := state.MemoryOf(plain)
	require.NotNil(t, m)
	assert.Same(t, m, state.MemoryOf(durable), "one memory store per process")
	assert.Nil(t, state.BoltOf(plain))
	require.NotNil(t, state.BoltOf(durable))
	assert.Same(t, state.BoltOf(durable), state.BoltOf(again), "one bolt file per state_dir")
	assert.Equal(t, 2, state.RegistryLen())

	require.NoError(t, plain.Cache().Set(ctx, "c", "shared", 0))
	v, _, err := durable.Cache().Get(ctx, "c")
	require.NoError(t, err)
	assert.Equal(t, "shared", v)

	require.NoError(t, durable.Storage().Set(ctx, "s", "on disk"))
	_, found, err := plain.Storage().Get(ctx, "s")
	require.NoError(t, err)
	assert.False(t, found, "without state_dir, storage is the memory store")
	v, _, err = again.Storage().Get(ctx, "s")
	require.NoError(t, err)
	assert.Equal(t, "on disk", v)

	require.NoError(t, plain.Release())
	require.NoError(t, durable.Release())
	require.NoError(t, again.Release())
	assert.Zero(t, state.RegistryLen())
	verifyNoLeaks(t, ignore)

	// Re-acquired: the file kept its data, the memory store starts empty.
	b, err := state.Acquire(state.Options{StateDir: dir})
	require.NoError(t, err)
	v, _, err = b.Storage().Get(ctx, "s")
	require.NoError(t, err)
	assert.Equal(t, "on disk", v)
	_, found, err = b.Cache().Get(ctx, "c")
	require.NoError(t, err)
	assert.False(t, found)
	require.NoError(t, b.Release())
	verifyNoLeaks(t, ignore)
}

func TestAcquireFailureLeavesNothingOpen(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	_, err := state.Acquire(state.Options{RedisURL: "redis://127.0.0.1:1"})
	require.ErrorIs(t, err, state.ErrUnavailable)
	_, err = state.Acquire(state.Options{RedisURL: "http://nope"})
	require.Error(t, err)

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = state.Acquire(state.Options{StateDir: file})
	require.ErrorContains(t, err, "state_dir")
	assert.Zero(t, state.RegistryLen(), "the memory store taken before the bolt file was given back")
	verifyNoLeaks(t, ignore)
}

func TestAcquireRedisSharesTheStateClient(t *testing.T) {
	srv := redistest.Start(t)
	b, err := state.Acquire(state.Options{RedisURL: srv.URL()})
	require.NoError(t, err)
	r, release, err := state.AcquireRedis(srv.URL(), nil)
	require.NoError(t, err)
	assert.Same(t, state.RedisOf(b), r)
	require.NoError(t, b.Release())
	require.NoError(t, r.Client().Ping(t.Context()).Err(), "open while a holder is left")
	require.NoError(t, release())
	require.NoError(t, release(), "release is idempotent")
	assert.Zero(t, state.RegistryLen())

	_, _, err = state.AcquireRedis("redis://127.0.0.1:1/0", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redis 127.0.0.1:1 unreachable")
}
