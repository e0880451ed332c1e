package pluginhost

import (
	"context"
	"fmt"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"

	"github.com/hogpipe/hogpipe/state"
)

// buildMeta builds the meta object passed as the last argument of every
// plugin function. It is one object per VM, so meta.global is shared by
// every call of the VM, as in the original.
func (v *vm) buildMeta() (*goja.Object, error) {
	rt := v.rt
	meta := rt.NewObject()

	config := rt.NewObject()
	for _, key := range v.plugin.config.Keys {
		if err := config.Set(key, v.plugin.config.Values[key]); err != nil {
			return nil, err
		}
	}
	attachments := rt.NewObject()
	for key, a := range v.plugin.config.Attachments {
		att := rt.NewObject()
		_ = att.Set("content_type", a.ContentType)
		_ = att.Set("file_name", a.FileName)
		_ = att.Set("contents", buffer.WrapBytes(rt, a.Contents))
		_ = attachments.Set(key, att)
	}

	for name, value := range map[string]any{
		"config":      config,
		"attachments": attachments,
		"global":      rt.NewObject(),
		"cache":       v.cacheObject(),
		"storage":     v.storageObject(),
		"utils":       v.utilsObject(),
		"jobs":        v.jobsObject(),
		"metrics":     v.metricsObject(),
	} {
		if err := meta.Set(name, value); err != nil {
			return nil, err
		}
	}
	if v.plugin.geoip != nil {
		_ = meta.Set("geoip", v.geoipObject())
	}
	return meta, nil
}

// asyncResult starts an async host operation for the current call and
// returns its promise; convert turns the work's result into a JS value on the
// loop. work runs with the VM's context, not the call's: a write the plugin
// does not await (hello world's cache.set) must still happen after the call
// returns, and the backends bound each operation themselves. Backends that
// never block (the in-process store) run inline, saving a goroutine and a loop
// hop per call.
func asyncResult[T any](v *vm, inline bool, work func(ctx context.Context) (T, error), convert func(T) (goja.Value, error)) goja.Value {
	owner := v.current
	ctx := v.ctx
	if inline {
		res, err := work(ctx)
		var val goja.Value
		if err == nil {
			val, err = convert(res)
		}
		if err == nil && goja.IsUndefined(val) {
			return v.resolvedUndefined()
		}
		promise, resolve, reject := v.rt.NewPromise()
		if err != nil {
			_ = reject(v.rt.NewGoError(err))
		} else {
			_ = resolve(val)
		}
		return v.rt.ToValue(promise)
	}
	promise, resolve, reject := v.rt.NewPromise()
	// Calls reach the backend in the order the plugin made them (a get after
	// an unawaited set sees the set), as on one Redis connection: each waits
	// until the one before it is queued, then queues itself.
	prev := v.lastQueued
	queued := make(chan struct{})
	v.lastQueued = queued
	go func() {
		var once sync.Once
		signal := func() { once.Do(func() { close(queued) }) }
		defer signal()
		if prev != nil {
			<-prev
		}
		res, err := work(state.WithQueued(ctx, signal))
		signal()
		v.runOnLoop(owner, func() {
			if err != nil {
				_ = reject(v.rt.NewGoError(err))
				return
			}
			val, err := convert(res)
			if err != nil {
				_ = reject(v.rt.NewGoError(err))
				return
			}
			_ = resolve(val)
		})
	}()
	return v.rt.ToValue(promise)
}

// isInline reports whether calls to a state backend may run on the loop.
func isInline(backend any) bool {
	_, ok := backend.(state.Immediate)
	return ok
}

// throwTypeError makes a native function throw a JS TypeError.
func (v *vm) throwTypeError(format string, args ...any) {
	panic(v.rt.NewTypeError(fmt.Sprintf(format, args...)))
}
