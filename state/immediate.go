package state

// The in-process store never waits on I/O: the plugin host runs its calls on
// the event loop.
func (memCache) Immediate()   {}
func (memStorage) Immediate() {}
