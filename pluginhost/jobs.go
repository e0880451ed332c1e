package pluginhost

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// jobUnits are the units of runIn. A month is 30 days and a quarter 91 days
// (the original's 30 and 13 weeks were a bug).
var jobUnits = map[string]time.Duration{
	"millisecond": time.Millisecond,
	"second":      time.Second,
	"minute":      time.Minute,
	"hour":        time.Hour,
	"day":         24 * time.Hour,
	"week":        7 * 24 * time.Hour,
	"month":       30 * 24 * time.Hour,
	"quarter":     91 * 24 * time.Hour,
	"year":        365 * 24 * time.Hour,
}

// jobUnit parses a unit name, singular or plural.
func jobUnit(name string) (time.Duration, bool) {
	d, ok := jobUnits[strings.TrimSuffix(name, "s")]
	return d, ok
}

// jobsObject builds meta.jobs: any property is a job name, a function of a
// payload returning {runNow, runIn, runAt}.
func (v *vm) jobsObject() *goja.Object {
	return v.rt.NewDynamicObject(jobsProxy{v: v})
}

type jobsProxy struct{ v *vm }

func (j jobsProxy) Get(name string) goja.Value {
	v := j.v
	return v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		payload := []byte("null")
		if arg := call.Argument(0); !goja.IsUndefined(arg) {
			encoded, err := encodeJSON(v.rt, nil, arg)
			if err != nil && err != errNotJSONable {
				v.throwTypeError("jobs.%s: payload: %v", name, err)
			}
			if err == nil {
				payload = encoded
			}
		}
		enqueue := func(at time.Time) goja.Value {
			job := Job{PluginConfigID: v.plugin.opts.PluginConfigID, Name: name, Payload: payload, RunAt: at}
			return asyncResult(v, v.plugin.opts.Jobs == nil, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, v.plugin.enqueueJob(ctx, job)
			}, v.undefinedValue)
		}
		builder := v.rt.NewObject()
		_ = builder.Set("runNow", func(goja.FunctionCall) goja.Value {
			return enqueue(v.plugin.opts.Now())
		})
		_ = builder.Set("runIn", func(call goja.FunctionCall) goja.Value {
			unitName := call.Argument(1).String()
			unit, ok := jobUnit(unitName)
			if !ok {
				panic(v.rt.NewGoError(fmt.Errorf("Unknown time unit: %s", unitName)))
			}
			delay := time.Duration(call.Argument(0).ToFloat() * float64(unit))
			return enqueue(v.plugin.opts.Now().Add(delay))
		})
		_ = builder.Set("runAt", func(call goja.FunctionCall) goja.Value {
			at, ok := call.Argument(0).Export().(time.Time)
			if !ok {
				v.throwTypeError("jobs.%s: runAt expects a Date", name)
			}
			return enqueue(at)
		})
		return builder
	})
}

func (jobsProxy) Set(string, goja.Value) bool { return false }
func (jobsProxy) Has(string) bool             { return true }
func (jobsProxy) Delete(string) bool          { return false }
func (jobsProxy) Keys() []string              { return nil }

// enqueueJob hands a job to the queue, or says once why it cannot run.
func (p *Plugin) enqueueJob(ctx context.Context, job Job) error {
	if p.opts.Jobs == nil {
		p.warnNoJobQueue.Do(func() {
			p.log.Warnf("plugin %q enqueued job %q but no job queue is configured; jobs run only in a posthog_schedule input for this plugin instance (plugin_config_id %d)",
				p.manifest.Name, job.Name, p.opts.PluginConfigID)
		})
		return nil
	}
	return p.opts.Jobs.EnqueueJob(ctx, job)
}
