package pluginhost

import (
	"context"
	"strconv"

	"github.com/dop251/goja"
)

// storageObject builds meta.storage: durable JSON values per plugin instance.
func (v *vm) storageObject() *goja.Object {
	storage := v.plugin.opts.Storage
	inline := isInline(storage)
	ns := v.plugin.storageNS
	obj := v.rt.NewObject()

	_ = obj.Set("get", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		def := call.Argument(1)
		return asyncResult(v, inline, func(ctx context.Context) (getResult, error) {
			val, found, err := storage.Get(ctx, ns+key)
			return getResult{val, found}, err
		}, func(r getResult) (goja.Value, error) { return v.deserialize(r, def, true) })
	})
	_ = obj.Set("set", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		value := call.Argument(1)
		if value == nil || goja.IsUndefined(value) {
			return asyncResult(v, inline, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, storage.Del(ctx, ns+key)
			}, v.undefinedValue)
		}
		text := v.serialize(value, nil)
		return asyncResult(v, inline, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, storage.Set(ctx, ns+key, text)
		}, v.undefinedValue)
	})
	_ = obj.Set("del", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		return asyncResult(v, inline, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, storage.Del(ctx, ns+key)
		}, v.undefinedValue)
	})
	return obj
}

// utilsObject builds meta.utils; its cursor lives in storage, so
// storage.get(key) reads a cursor's value.
func (v *vm) utilsObject() *goja.Object {
	storage := v.plugin.opts.Storage
	inline := isInline(storage)
	ns := v.plugin.storageNS
	cursor := v.rt.NewObject()
	_ = cursor.Set("init", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		initial := call.Argument(1)
		start := int64(0)
		if initial != nil && !goja.IsUndefined(initial) {
			start = initial.ToInteger()
		}
		return asyncResult(v, inline, func(ctx context.Context) (bool, error) {
			return storage.SetNX(ctx, ns+key, strconv.FormatInt(start, 10))
		}, func(bool) (goja.Value, error) { return goja.Undefined(), nil })
	})
	_ = cursor.Set("increment", func(call goja.FunctionCall) goja.Value {
		key := call.Argument(0).String()
		by := call.Argument(1)
		step := int64(1)
		if by != nil && !goja.IsUndefined(by) {
			step = by.ToInteger()
		}
		return asyncResult(v, inline, func(ctx context.Context) (int64, error) {
			return storage.IncrBy(ctx, ns+key, step)
		}, v.intValue)
	})
	utils := v.rt.NewObject()
	_ = utils.Set("cursor", cursor)
	return utils
}

func (v *vm) undefinedValue(struct{}) (goja.Value, error) { return goja.Undefined(), nil }
