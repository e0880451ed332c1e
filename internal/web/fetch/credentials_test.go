package fetch

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddCredentials(t *testing.T) {
	creds := &Credentials{Origin: "https://us.posthog.com:443", Bearer: "phx_k", Token: "phc_k"}
	cases := []struct {
		name, method, url, auth, body string
		wantURL, wantAuth, wantBody   string
	}{
		{name: "get", method: "GET", url: "https://us.posthog.com/api/x?limit=2",
			wantURL: "https://us.posthog.com/api/x?limit=2&token=phc_k", wantAuth: "Bearer phx_k"},
		{name: "get without query", method: "GET", url: "https://US.PostHog.com./api/x",
			wantURL: "https://US.PostHog.com./api/x?token=phc_k", wantAuth: "Bearer phx_k"},
		{name: "delete keeps the plugin's token", method: "DELETE", url: "https://us.posthog.com/api/x?token=mine",
			wantURL: "https://us.posthog.com/api/x?token=mine", wantAuth: "Bearer phx_k"},
		{name: "post", method: "POST", url: "https://us.posthog.com/api/x", body: `{"a":1}`,
			wantURL: "https://us.posthog.com/api/x", wantAuth: "Bearer phx_k", wantBody: `{"token":"phc_k","a":1}`},
		{name: "put empty object", method: "PUT", url: "https://us.posthog.com/api/x", body: `{}`,
			wantURL: "https://us.posthog.com/api/x", wantAuth: "Bearer phx_k", wantBody: `{"token":"phc_k"}`},
		{name: "post keeps the plugin's token and authorization", method: "POST", url: "https://us.posthog.com/x", auth: "Bearer mine", body: `{"token":"mine"}`,
			wantURL: "https://us.posthog.com/x", wantAuth: "Bearer mine", wantBody: `{"token":"mine"}`},
		{name: "post of a non-object", method: "POST", url: "https://us.posthog.com/x", body: `[1]`,
			wantURL: "https://us.posthog.com/x", wantAuth: "Bearer phx_k", wantBody: `[1]`},
		{name: "another host", method: "GET", url: "https://evil.example/x",
			wantURL: "https://evil.example/x"},
		{name: "another scheme", method: "GET", url: "http://us.posthog.com/x",
			wantURL: "http://us.posthog.com/x"},
		{name: "another port", method: "POST", url: "https://us.posthog.com:8443/x", body: `{}`,
			wantURL: "https://us.posthog.com:8443/x", wantBody: `{}`},
		{name: "a subdomain", method: "GET", url: "https://eu.us.posthog.com/x",
			wantURL: "https://eu.us.posthog.com/x"},
		{name: "userinfo trick", method: "GET", url: "https://us.posthog.com@evil.example/x",
			wantURL: "https://us.posthog.com@evil.example/x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			require.NoError(t, err)
			spec := &fetchSpec{url: u, method: tc.method, header: http.Header{}}
			if tc.auth != "" {
				spec.header.Set("Authorization", tc.auth)
			}
			if tc.body != "" {
				spec.body = []byte(tc.body)
			}
			spec.host = "evil.example" // as if a hooked Headers had added Host
			var foreign []string
			c := *creds
			c.Foreign = func(u *url.URL) { foreign = append(foreign, u.String()) }
			addCredentials(spec, &c)
			assert.Equal(t, tc.wantURL, spec.url.String())
			assert.Equal(t, tc.wantAuth, spec.header.Get("Authorization"))
			assert.Equal(t, tc.wantBody, string(spec.body))
			if tc.wantAuth == "" && tc.auth == "" {
				assert.Equal(t, []string{tc.url}, foreign, "a request elsewhere is reported")
				assert.Empty(t, spec.credOrigin)
				assert.Equal(t, "evil.example", spec.host, "a request elsewhere is left as the plugin made it")
			} else {
				assert.Equal(t, "https://us.posthog.com:443", spec.credOrigin)
				assert.Empty(t, spec.host, "a credentialed request goes to the origin's own host name")
			}
		})
	}
}
