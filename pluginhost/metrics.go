package pluginhost

import "github.com/dop251/goja"

// metricMethods maps a declared metric kind to the method meta.metrics gives it.
var metricMethods = map[string]string{"sum": "increment", "max": "max", "min": "min"}

// metricsObject builds meta.metrics from the plugin's `metrics` export: each
// declared name gets the one method of its kind. Undeclared names are
// undefined, so using one throws, as in the original.
func (v *vm) metricsObject() *goja.Object {
	obj := v.rt.NewObject()
	declared, ok := v.exports["metrics"].(*goja.Object)
	if !ok {
		return obj
	}
	for _, name := range declared.Keys() {
		kind := declared.Get(name).String()
		method, known := metricMethods[kind]
		if !known {
			v.plugin.log.Warnf("plugin %q: metric %q has unknown kind %q (want sum, max or min)", v.plugin.manifest.Name, name, kind)
			continue
		}
		metric := v.rt.NewObject()
		_ = metric.Set(method, func(call goja.FunctionCall) goja.Value {
			value := 1.0
			if arg := call.Argument(0); !goja.IsUndefined(arg) {
				value = arg.ToFloat()
			}
			if sink := v.plugin.opts.Metrics; sink != nil {
				sink.PluginMetric(name, kind, value)
			}
			return goja.Undefined()
		})
		_ = obj.Set(name, metric)
	}
	return obj
}
