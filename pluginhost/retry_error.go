package pluginhost

import (
	_ "embed"
	"errors"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/node"
)

// retryErrorSource defines RetryError, the class plugins throw to ask for a
// retry, and returns the test the host uses to recognise it.
//
//go:embed retry_error.js
var retryErrorSource string

var retryErrorProgram = goja.MustCompile("hogpipe:retry-error", retryErrorSource, true)

// retryErrorGlobal defines RetryError and keeps its instanceof test.
func (v *vm) retryErrorGlobal(rt *goja.Runtime, _ node.Host) error {
	run, err := node.Function(rt, retryErrorProgram)
	if err != nil {
		return err
	}
	helpers, err := run(goja.Undefined(), rt.GlobalObject())
	if err != nil {
		return err
	}
	isRetry, ok := goja.AssertFunction(helpers.ToObject(rt).Get("isRetryError"))
	if !ok {
		return errors.New("isRetryError missing")
	}
	v.isRetryErrorFn = isRetry
	return nil
}
