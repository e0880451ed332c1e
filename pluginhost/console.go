package pluginhost

import (
	"strings"

	"github.com/dop251/goja"
)

// consoleObject builds console.*: lines go to the Benthos logger (through
// the plugin's redacting logger), objects JSON-stringified as the original did.
func (v *vm) consoleObject() *goja.Object {
	obj := v.rt.NewObject()
	levels := map[string]func(string, ...any){
		"log":   v.plugin.log.Infof,
		"info":  v.plugin.log.Infof,
		"warn":  v.plugin.log.Warnf,
		"error": v.plugin.log.Errorf,
		"debug": v.plugin.log.Debugf,
		"trace": v.plugin.log.Debugf,
	}
	for name, logf := range levels {
		_ = obj.Set(name, func(call goja.FunctionCall) goja.Value {
			logf("%s", v.formatLogArgs(call.Arguments))
			return goja.Undefined()
		})
	}
	return obj
}

func (v *vm) formatLogArgs(args []goja.Value) string {
	parts := make([]string, len(args))
	for i, arg := range args {
		parts[i] = v.formatLogArg(arg)
	}
	return strings.Join(parts, " ")
}

func (v *vm) formatLogArg(arg goja.Value) string {
	obj, ok := arg.(*goja.Object)
	if !ok {
		return safeString(arg)
	}
	if obj.ClassName() == "Error" {
		if stack := obj.Get("stack"); stack != nil && !goja.IsUndefined(stack) {
			return safeString(stack)
		}
		return safeString(obj)
	}
	if _, isFunc := goja.AssertFunction(obj); isFunc {
		return safeString(obj)
	}
	encoded, err := encodeJSON(v.rt, nil, obj)
	if err != nil {
		return safeString(obj)
	}
	return string(encoded)
}
