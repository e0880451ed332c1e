// Package testutil holds the helpers that the tests of several packages
// share: a recording logger, a goroutine-leak check, a free loopback address
// and gzip. Only tests import it.
package testutil

import (
	"bytes"
	"compress/gzip"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// IgnoreRedisWaiter is a goleak option for the goroutine that redistest
// leaves waiting on each redis-server it starts until the server stops.
var IgnoreRedisWaiter = goleak.IgnoreAnyFunction("github.com/hogpipe/hogpipe/state/redistest.(*Server).start.func1")

// NoLeaks checks, when the test's cleanups registered before it have run
// (all of them, when called first), that the test left no goroutine behind
// but those running when NoLeaks was called and those opts ignore.
func NoLeaks(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	opts = append(opts, goleak.IgnoreCurrent())
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

// FreeAddr returns a loopback host:port that nothing listens on: a port the
// system just handed out and took back.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// Gzip compresses s.
func Gzip(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
