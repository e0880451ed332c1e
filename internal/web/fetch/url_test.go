package fetch

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/node/querystring"
	nodeurl "github.com/hogpipe/hogpipe/internal/node/url"
	weburl "github.com/hogpipe/hogpipe/internal/web/url"
)

// TestWhatwgURLFetch checks that fetch sends the path and query the URL
// class gives, trailing slash included, and that require('url') serves the
// same classes as the globals.
func TestWhatwgURLFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.RequestURI)
	}))
	t.Cleanup(srv.Close)
	f := New(Options{})
	t.Cleanup(f.Close)
	env := nodetest.New(t, nodetest.Modules(nodeurl.Module(), querystring.Module(), Module()),
		nodetest.Globals(buffer.Global(), weburl.Global(), f.Global()))
	base := srv.URL
	env.Run(t, []nodetest.Case{
		{"request url", `new Request('HTTP://H/api/projects/?a=b c#f').url`, "http://h/api/projects/?a=b%20c#f"},
		{"module exports the globals", `[require('url').URL === URL, require('url').URLSearchParams === URLSearchParams, require('url').format(new URL('http://h/a/'))].join()`, "true,true,http://h/a/"},
	})
	for _, tc := range []struct{ path, want string }{
		{"/api/projects/", "/api/projects/"},
		{"/api/projects/?a=b c&q='x'", "/api/projects/?a=b%20c&q=%27x%27"},
		{"/a/./b/../c/", "/a/c/"},
		{"/e/?ip=1&_=1700000000000", "/e/?ip=1&_=1700000000000"},
	} {
		src := "fetch(" + whatwgJSQuote(base+tc.path) + ").then((r) => r.text())"
		assert.Equal(t, tc.want, env.Eval(src), "fetch %s", tc.path)
	}
}

// whatwgJSQuote makes s a JavaScript string literal.
func whatwgJSQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
