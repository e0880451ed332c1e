package pluginhost

import (
	"context"

	"github.com/dop251/goja"
)

// geoipObject builds meta.geoip: locate(ip) resolves to the City model of
// @maxmind/geoip2-node, or null for an unknown or invalid address.
func (v *vm) geoipObject() *goja.Object {
	obj := v.rt.NewObject()
	_ = obj.Set("locate", func(call goja.FunctionCall) goja.Value {
		ip := call.Argument(0).String()
		return asyncResult(v, true, func(context.Context) ([]byte, error) {
			return v.plugin.geoip.Locate(ip)
		}, func(city []byte) (goja.Value, error) {
			if city == nil {
				return goja.Null(), nil
			}
			return decodeJSON(v.rt, city)
		})
	})
	return obj
}
