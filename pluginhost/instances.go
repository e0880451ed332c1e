package pluginhost

import (
	"fmt"
	"sync"
)

// Instances tracks the plugin instances loaded in one process by
// plugin_config_id, which keys their storage, cursors, jobs, schedules and
// (without plugin_id) cache. One instance may be loaded by several
// components (a processor and the posthog_schedule input running its
// tasks): the same id with the same plugin folder is that. The same id with
// another folder is two plugins about to share state — typically two
// plugins with the same plugin.json name, whose ids are derived from it —
// and is refused.
type Instances struct {
	mu   sync.Mutex
	byID map[int64]*instanceClaim
}

type instanceClaim struct {
	dir  string // the plugin's folder, symlinks resolved
	name string
	refs int
}

// Claim registers p; release undoes it (call it when p is closed).
func (r *Instances) Claim(p *Plugin) (release func(), err error) {
	dir, err := realPath(p.manifest.Dir)
	if err != nil {
		return nil, pluginErrorf(p.manifest.Name, "plugin folder", "%w", err)
	}
	id := p.opts.PluginConfigID
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = make(map[int64]*instanceClaim)
	}
	claim := r.byID[id]
	switch {
	case claim == nil:
		claim = &instanceClaim{dir: dir, name: p.manifest.Name}
		r.byID[id] = claim
	case claim.dir != dir:
		how := ""
		if p.configIDSource != "set" {
			how = " (" + p.configIDSource + ", as no plugin_config_id is set)"
		}
		return nil, fmt.Errorf("plugin %q in %s and plugin %q in %s would be one instance, plugin_config_id %d%s, sharing storage, jobs, schedules and cache: "+
			"set a different plugin_config_id on each (and plugin_id, if they are different plugins)",
			claim.name, claim.dir, p.manifest.Name, dir, id, how)
	}
	claim.refs++
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if claim.refs--; claim.refs == 0 && r.byID[id] == claim {
				delete(r.byID, id)
			}
		})
	}, nil
}
