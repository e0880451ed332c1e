package pgtest

import "github.com/hogpipe/hogpipe/internal/testutil"

const (
	certFile = "server.crt"
	keyFile  = "server.key"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key to dir.
func writeCert(dir string) error {
	return testutil.WriteSelfSignedCert(dir, certFile, keyFile, "pgtest")
}
