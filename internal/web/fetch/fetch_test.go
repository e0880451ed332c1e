package fetch

import (
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFetchErrorCodes(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 81}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	code, reason := describeFetchError(refused)
	assert.Equal(t, "ECONNREFUSED", code)
	assert.Equal(t, "connect ECONNREFUSED 10.0.0.1:81", reason)

	code, reason = describeFetchError(&url.Error{Op: "Get", URL: "http://x", Err: &net.DNSError{Name: "nope.invalid", Err: "no such host", IsNotFound: true}})
	assert.Equal(t, "ENOTFOUND", code)
	assert.Equal(t, "getaddrinfo ENOTFOUND nope.invalid", reason)

	code, reason = describeFetchError(&url.Error{Op: "Get", URL: "http://x", Err: io.EOF})
	assert.Equal(t, "ECONNRESET", code)
	assert.Equal(t, "socket hang up", reason)
}
