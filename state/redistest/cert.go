package redistest

import "github.com/hogpipe/hogpipe/internal/testutil"

const (
	certFile = "tls.crt"
	keyFile  = "tls.key"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key to dir.
func writeCert(dir string) error {
	return testutil.WriteSelfSignedCert(dir, certFile, keyFile, "redistest")
}
