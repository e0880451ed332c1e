package natsconf

import (
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, yaml string) (Config, error) {
	t.Helper()
	conf, err := service.NewConfigSpec().Fields(Fields()...).ParseYAML(yaml, nil)
	require.NoError(t, err)
	return FromParsed(conf)
}

func TestFromParsed(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, servers, err string
	}{
		{"one", "urls: [nats://a:4222]", "nats://a:4222", ""},
		{"comma separated", "urls: ['nats://a:4222, nats://b:4222', nats://c:4222]", "nats://a:4222,nats://b:4222,nats://c:4222", ""},
		{"credentials are not shown", "urls: [nats://user:secret@a:4222]", "nats://a:4222", ""},
		{"empty", "urls: ['', ' , ']", "", "urls must name at least one server"},
		{"not a url", "urls: ['nats://a:4222/%zz']", "", "is not a URL"},
		{"token and user", "urls: [nats://a]\nauth: {user: u, token: t}", "", "auth takes one of"},
		{"creds and token", "urls: [nats://a]\nauth: {user_credentials_file: f, token: t}", "", "auth takes one of"},
		{"password alone", "urls: [nats://a]\nauth: {password: p}", "", "auth.password is set without auth.user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.yaml)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.servers, c.Servers())
		})
	}
}
