package pluginhost

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/job"
)

// This file runs what a schedule input calls: the scheduled tasks
// (runEveryMinute, runEveryHour, runEveryDay) and the functions of the jobs
// export. Each call is bounded by the timeout its caller gives (tasks and
// jobs may run far longer than an event's call); a call that exceeds it is
// interrupted and its VM rebuilt.

// TaskNames are the scheduled tasks a plugin may export, in schedule order.
var TaskNames = []string{"runEveryMinute", "runEveryHour", "runEveryDay"}

// ErrUnknownJob is returned by RunJob for a job name the plugin's jobs
// export does not have.
var ErrUnknownJob = job.ErrUnknown

// Exports are the scheduled tasks and jobs a plugin exports.
type Exports struct {
	Tasks []string // of TaskNames, in that order
	Jobs  []string // names of the jobs export's functions, sorted
}

// InspectExports runs the plugin's code in a throwaway VM, without
// setupPlugin, and lists its tasks and jobs, so that a schedule input can
// check its configuration before it starts the plugin.
func (p *Plugin) InspectExports() (Exports, error) {
	v, err := newBareVM(p, nil)
	if err != nil {
		return Exports{}, err
	}
	defer v.shutdown()
	done := make(chan Exports, 1)
	if !v.loop.Submit(func() { done <- Exports{Tasks: v.taskNames(), Jobs: v.jobNames()} }) {
		return Exports{}, errVMGone
	}
	select {
	case exports := <-done:
		return exports, nil
	case <-v.gone:
		return Exports{}, v.goneErr
	}
}

// Tasks are the scheduled tasks the plugin exports, of TaskNames.
func (pool *Pool) Tasks() []string {
	names, _ := onSomeVM(pool, func(v *vm) []string { return v.taskNames() })
	return names
}

// Jobs are the names of the functions in the plugin's jobs export, sorted.
func (pool *Pool) Jobs() []string {
	names, _ := onSomeVM(pool, func(v *vm) []string { return v.jobNames() })
	return names
}

// RunTask calls the scheduled task name (runEveryMinute, …) with meta and
// waits until it settles or timeout passes. captures receives the events it
// emits with posthog.capture; it runs on the VM's loop and must not block.
func (pool *Pool) RunTask(ctx context.Context, name string, timeout time.Duration, captures func([]byte)) error {
	_, err := withVM(ctx, pool, func(v *vm) (struct{}, error) {
		return struct{}{}, v.invokeWith(ctx, name, timeout, captures, func() (goja.Callable, []goja.Value, error) {
			fn, ok := v.function(name)
			if !ok || !isTaskName(name) {
				return nil, nil, fmt.Errorf("plugin %q exports no scheduled task %q", pool.plugin.manifest.Name, name)
			}
			return fn, []goja.Value{v.meta}, nil
		})
	})
	return err
}

// RunJob calls jobs[name] as the original server did: job(payload, meta)
// when the JSON payload is truthy, else job(meta); it waits until the job
// settles or timeout passes. captures is as for RunTask. A name the jobs
// export lacks gives an error matching ErrUnknownJob.
func (pool *Pool) RunJob(ctx context.Context, name string, payload []byte, timeout time.Duration, captures func([]byte)) error {
	_, err := withVM(ctx, pool, func(v *vm) (struct{}, error) {
		return struct{}{}, v.invokeWith(ctx, "jobs."+name, timeout, captures, func() (goja.Callable, []goja.Value, error) {
			fn, ok := v.jobFunction(name)
			if !ok {
				known := "none"
				if names := v.jobNames(); len(names) > 0 {
					known = strings.Join(names, ", ")
				}
				return nil, nil, pluginErrorf(pool.plugin.manifest.Name, fmt.Sprintf("job %q", name), "%w (its jobs: %s)", ErrUnknownJob, known)
			}
			arg, err := decodeJSON(v.rt, payload)
			if err != nil {
				return nil, nil, pluginErrorf(pool.plugin.manifest.Name, fmt.Sprintf("job %q", name), "payload is not JSON: %w", err)
			}
			if arg != nil && arg.ToBoolean() {
				return fn, []goja.Value{arg, v.meta}, nil
			}
			return fn, []goja.Value{v.meta}, nil
		})
	})
	return err
}

//------------------------------------------------------------------------------

// taskNames lists the exported tasks; it runs on the loop.
func (v *vm) taskNames() []string {
	var names []string
	for _, name := range TaskNames {
		if _, ok := v.function(name); ok {
			names = append(names, name)
		}
	}
	return names
}

// jobNames lists the jobs export's own functions; it runs on the loop.
func (v *vm) jobNames() []string {
	obj, ok := v.exports["jobs"].(*goja.Object)
	if !ok {
		return nil
	}
	var names []string
	for _, key := range obj.Keys() {
		if _, ok := goja.AssertFunction(obj.Get(key)); ok {
			names = append(names, key)
		}
	}
	sort.Strings(names)
	return names
}

// jobFunction is the job name: an own property of the jobs export (never an
// inherited one such as toString).
func (v *vm) jobFunction(name string) (goja.Callable, bool) {
	obj, ok := v.exports["jobs"].(*goja.Object)
	if !ok {
		return nil, false
	}
	for _, key := range obj.Keys() {
		if key == name {
			return goja.AssertFunction(obj.Get(key))
		}
	}
	return nil, false
}

func isTaskName(name string) bool {
	for _, t := range TaskNames {
		if t == name {
			return true
		}
	}
	return false
}

// onSomeVM runs fn on the loop of a live VM and returns its result.
func onSomeVM[T any](pool *Pool, fn func(*vm) T) (T, error) {
	return withVM(context.Background(), pool, func(v *vm) (T, error) {
		done := make(chan T, 1)
		if !v.loop.Submit(func() {
			if v.dead {
				close(done)
				return
			}
			done <- fn(v)
		}) {
			var zero T
			return zero, errVMGone
		}
		select {
		case res, ok := <-done:
			if !ok {
				return res, errVMGone
			}
			return res, nil
		case <-v.gone:
			var zero T
			return zero, v.goneErr
		}
	})
}
