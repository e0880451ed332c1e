package state

import "time"

// Test hooks into unexported state.

// MemoryLen is the number of keys in m, expired or not.
func MemoryLen(m *Memory) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.data)
}

// PipelineStats returns how many pipelines r sent and how many commands they held.
func PipelineStats(r *Redis) (pipelines, commands int64) {
	return r.pipe.pipelines.Load(), r.pipe.commands.Load()
}

// OpenBoltTimeout is OpenBolt with another lock timeout.
func OpenBoltTimeout(dir string, timeout time.Duration) (*Bolt, error) {
	return openBolt(dir, timeout)
}

// Shared backends behind a handle (nil when the handle does not use one).

func RedisOf(b *Backend) *Redis   { return resourceOf[*Redis](b) }
func BoltOf(b *Backend) *Bolt     { return resourceOf[*Bolt](b) }
func MemoryOf(b *Backend) *Memory { return resourceOf[*Memory](b) }

func resourceOf[T any](b *Backend) T {
	var zero T
	for _, h := range b.held {
		if r, ok := h.e.res.(T); ok {
			return r
		}
	}
	return zero
}

// RegistryLen is the number of shared backends open in the process.
func RegistryLen() int {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return len(registry.entries)
}
