package state

import "context"

type queuedKey struct{}

// WithQueued returns a context whose calls report, through queued, the moment
// their command is queued for the server, before its reply is awaited. A
// caller that starts calls from several goroutines can wait for that signal
// to keep them in the order it made them, as a single connection would.
// Backends without a queue never call it; the caller treats the call's
// return as the signal then.
func WithQueued(ctx context.Context, queued func()) context.Context {
	return context.WithValue(ctx, queuedKey{}, queued)
}

// signalQueued calls the WithQueued callback of ctx, if any.
func signalQueued(ctx context.Context) {
	if queued, ok := ctx.Value(queuedKey{}).(func()); ok {
		queued()
	}
}
