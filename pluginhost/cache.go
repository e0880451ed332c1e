package pluginhost

import (
	"context"
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// maxLPushElements is the original's limit on one lpush call.
const maxLPushElements = 1000

// cacheObject builds meta.cache: Redis-like volatile values under the
// original's key layout "@plugin/<plugin_id>/<team or @all>/<key>".
// Values are JSON unless {jsonSerialize: false}; every method returns a promise.
func (v *vm) cacheObject() *goja.Object {
	rt := v.rt
	cache := v.plugin.opts.Cache
	inline := isInline(cache)
	ns := v.plugin.cacheNS
	obj := rt.NewObject()

	_ = obj.Set("set", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		value := call.Argument(1)
		ttl := call.Argument(2)
		opts := call.Argument(3)
		text := v.serialize(value, opts)
		ttlDur := ttlSeconds(ttl)
		return asyncResult(v, inline, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, cache.Set(ctx, ns+key, text, ttlDur)
		}, func(struct{}) (goja.Value, error) { return goja.Undefined(), nil })
	})
	_ = obj.Set("get", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		def := call.Argument(1)
		opts := call.Argument(2)
		jsonValues := jsonSerialize(opts)
		return asyncResult(v, inline, func(ctx context.Context) (getResult, error) {
			val, found, err := cache.Get(ctx, ns+key)
			return getResult{val, found}, err
		}, func(r getResult) (goja.Value, error) { return v.deserialize(r, def, jsonValues) })
	})
	_ = obj.Set("incr", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		return asyncResult(v, inline, func(ctx context.Context) (int64, error) {
			return cache.Incr(ctx, ns+key)
		}, v.intValue)
	})
	_ = obj.Set("expire", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		ttl := call.Argument(1)
		ttlDur := ttlSeconds(ttl)
		return asyncResult(v, inline, func(ctx context.Context) (bool, error) {
			return cache.Expire(ctx, ns+key, ttlDur)
		}, func(ok bool) (goja.Value, error) { return rt.ToValue(ok), nil })
	})
	_ = obj.Set("lpush", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		elements := call.Argument(1)
		values := v.stringList(elements)
		if len(values) > maxLPushElements {
			panic(rt.NewGoError(fmt.Errorf("lpush accepts at most %d elements at a time, got %d", maxLPushElements, len(values))))
		}
		return asyncResult(v, inline, func(ctx context.Context) (int64, error) {
			return cache.LPush(ctx, ns+key, values...)
		}, v.intValue)
	})
	_ = obj.Set("lrange", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		start := call.Argument(1).ToInteger()
		end := call.Argument(2).ToInteger()
		return asyncResult(v, inline, func(ctx context.Context) ([]string, error) {
			return cache.LRange(ctx, ns+key, start, end)
		}, v.stringArray)
	})
	_ = obj.Set("llen", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		return asyncResult(v, inline, func(ctx context.Context) (int64, error) {
			return cache.LLen(ctx, ns+key)
		}, v.intValue)
	})
	_ = obj.Set("lpop", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		count := call.Argument(1)
		n := int64(1)
		if count != nil && !goja.IsUndefined(count) {
			n = count.ToInteger()
		}
		return asyncResult(v, inline, func(ctx context.Context) ([]string, error) {
			return cache.LPop(ctx, ns+key, n)
		}, v.stringArray)
	})
	_ = obj.Set("lrem", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		count := call.Argument(1).ToInteger()
		element := call.Argument(2).String()
		return asyncResult(v, inline, func(ctx context.Context) (int64, error) {
			return cache.LRem(ctx, ns+key, count, element)
		}, v.intValue)
	})
	return obj
}

type getResult struct {
	value string
	found bool
}

// serialize is JSON.stringify(value) unless opts.jsonSerialize is false, in
// which case the value is stored as its string form, as the original did.
func (v *vm) serialize(value goja.Value, opts goja.Value) string {
	if !jsonSerialize(opts) {
		return safeString(value)
	}
	encoded, err := encodeJSON(v.rt, nil, value)
	if err == errNotJSONable {
		return "null"
	}
	if err != nil {
		panic(v.rt.NewTypeError(err.Error()))
	}
	return string(encoded)
}

func (v *vm) deserialize(r getResult, def goja.Value, jsonValues bool) (goja.Value, error) {
	if !r.found {
		// The default as given: undefined when there is none, as the
		// original returned.
		if def == nil {
			return goja.Undefined(), nil
		}
		return def, nil
	}
	if !jsonValues {
		return v.rt.ToValue(r.value), nil
	}
	val, err := decodeJSON(v.rt, []byte(r.value))
	if err != nil {
		return nil, fmt.Errorf("stored value is not JSON (was it set with jsonSerialize: false?): %w", err)
	}
	return val, nil
}

func jsonSerialize(opts goja.Value) bool {
	obj, ok := opts.(*goja.Object)
	if !ok {
		return true
	}
	flag := obj.Get("jsonSerialize")
	return flag == nil || goja.IsUndefined(flag) || flag.ToBoolean()
}

func ttlSeconds(ttl goja.Value) time.Duration {
	if ttl == nil || goja.IsUndefined(ttl) || goja.IsNull(ttl) {
		return 0
	}
	seconds := ttl.ToFloat()
	if seconds <= 0 {
		return 0
	}
	return time.Duration(seconds * float64(time.Second))
}

func (v *vm) intValue(n int64) (goja.Value, error) { return v.rt.ToValue(n), nil }

func (v *vm) stringArray(items []string) (goja.Value, error) {
	vals := make([]any, len(items))
	for i, s := range items {
		vals[i] = s
	}
	return v.rt.NewArray(vals...), nil
}

// stringList reads a string or an array of strings.
func (v *vm) stringList(val goja.Value) []string {
	obj, ok := val.(*goja.Object)
	if !ok || obj.ClassName() != "Array" {
		return []string{safeString(val)}
	}
	n := int(obj.Get("length").ToInteger())
	out := make([]string, n)
	for i := range out {
		out[i] = safeString(obj.Get(fmt.Sprint(i)))
	}
	return out
}
