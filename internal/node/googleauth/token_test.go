package googleauth

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/node/googleauth/authtest"
)

func credentials(t *testing.T, js string) Credentials {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(js), &m))
	return Credentials{ClientEmail: m["client_email"], PrivateKey: m["private_key"], PrivateKeyID: m["private_key_id"], TokenURI: m["token_uri"]}
}

// TestTokens: a token is minted once and reused until near its expiry;
// refusals and bad keys give errors that never quote the key.
func TestTokens(t *testing.T) {
	srv := authtest.Start(t, http.NotFoundHandler())
	creds := credentials(t, srv.Credentials())
	tokens := NewTokens()
	// The first token is minted 56 minutes in the past, so it is within
	// 5 minutes of expiry at the real now.
	now := time.Now().Add(-56 * time.Minute)
	tokens.now = func() time.Time { return now }
	scopes := []string{"https://www.googleapis.com/auth/cloud-platform"}

	for range 3 {
		tok, err := tokens.Token(t.Context(), http.DefaultClient, creds, scopes)
		require.NoError(t, err)
		assert.Equal(t, srv.Token, tok)
	}
	assert.Equal(t, 1, srv.Mints(), "cached")
	now = time.Now()
	_, err := tokens.Token(t.Context(), http.DefaultClient, creds, scopes)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Mints(), "refreshed within 5 minutes of expiry")

	oneLine := creds
	oneLine.PrivateKey = strings.ReplaceAll(creds.PrivateKey, "\n", `\n`)
	_, err = NewTokens().Token(t.Context(), http.DefaultClient, oneLine, scopes)
	require.NoError(t, err, "a key pasted on one line with literal \\n")

	wrong := credentials(t, srv.WrongCredentials(t))
	_, err = NewTokens().Token(t.Context(), http.DefaultClient, wrong, scopes)
	var te *TokenError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "invalid_grant: Invalid JWT Signature.", err.Error())
	assert.Equal(t, 400, te.Status)

	for _, c := range []struct{ name, key, want string }{
		{"not pem", "secret-material", "credentials.private_key is not a PEM-encoded private key"},
		{"not a key", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LW1hdGVyaWFs\n-----END PRIVATE KEY-----\n", "credentials.private_key cannot be parsed as a PKCS#8 or PKCS#1 RSA key"},
	} {
		bad := creds
		bad.PrivateKey = c.key
		_, err = NewTokens().Token(t.Context(), http.DefaultClient, bad, scopes)
		require.EqualError(t, err, c.want, c.name)
	}
	_, err = NewTokens().Token(t.Context(), http.DefaultClient, Credentials{}, scopes)
	require.ErrorIs(t, err, ErrNoCredentials)
}
