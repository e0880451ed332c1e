package state_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/state"
)

func TestBoltContract(t *testing.T) {
	t.Parallel()
	runStorageContract(t, func(t *testing.T) state.Storage {
		b, err := state.OpenBolt(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, b.Close()) })
		return b
	})
}

func TestBoltFileAndReopen(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "state")
	b, err := state.OpenBolt(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "hogpipe-state.db"), b.Path())
	require.NoError(t, b.Set(t.Context(), "k", "v"))
	_, err = b.IncrBy(t.Context(), "cursor", 3)
	require.NoError(t, err)
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
	_, _, err = b.Get(t.Context(), "k")
	assert.ErrorIs(t, err, state.ErrClosed)

	b, err = state.OpenBolt(dir)
	require.NoError(t, err)
	defer b.Close()
	v, found, err := b.Get(t.Context(), "k")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "v", v)
	n, err := b.IncrBy(t.Context(), "cursor", 1)
	require.NoError(t, err)
	assert.Equal(t, int64(4), n)
}

func TestBoltLockedByAnotherOpener(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := state.OpenBolt(dir)
	require.NoError(t, err)
	defer b.Close()

	_, err = state.OpenBoltTimeout(dir, 100*time.Millisecond)
	require.Error(t, err)
	// The lock timeout's own error: it gave up instead of waiting for the lock.
	assert.Equal(t, "state file "+filepath.Join(dir, "hogpipe-state.db")+
		" is locked by another hogpipe process; give each process its own state_dir or use redis_url", err.Error())
}

func TestBoltUnusableDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := state.OpenBolt(file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "state_dir")
}
