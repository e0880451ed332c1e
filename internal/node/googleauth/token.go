// Package googleauth is what the Google Cloud host packages share: a
// service account's OAuth2 access tokens (a signed JWT exchanged at the
// token URI, cached until near expiry) and the authorised REST request
// their JavaScript makes through the plugin's guarded HTTP client.
package googleauth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultTokenURI is where Google exchanges a service account's JWT for an
// access token, when the credentials name no token_uri.
const DefaultTokenURI = "https://oauth2.googleapis.com/token"

// refreshBefore is how long before expiry a cached token is replaced, as
// google-auth-library refreshes eagerly.
const refreshBefore = 5 * time.Minute

// Credentials are the fields of a service account key the host reads.
type Credentials struct {
	ClientEmail  string
	PrivateKey   string
	PrivateKeyID string
	TokenURI     string
}

// TokenError is a refusal by the token endpoint (wrong key, unknown
// account): google-auth-library's message is "<error>: <description>".
type TokenError struct {
	Status      int
	Code        string
	Description string
}

func (e *TokenError) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// ErrNoCredentials is the SDK's error when no service account was given.
var ErrNoCredentials = errors.New("Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.") //nolint:staticcheck // the SDK's message, as plugins match it

// Tokens caches access tokens by account, key and scopes. It is safe for
// concurrent use.
type Tokens struct {
	mu    sync.Mutex
	cache map[string]token
	now   func() time.Time
}

type token struct {
	value   string
	expires time.Time
}

// NewTokens returns an empty cache.
func NewTokens() *Tokens {
	return &Tokens{cache: make(map[string]token), now: time.Now}
}

// Token returns an access token for c with scopes, from the cache or freshly
// minted through hc. Two calls racing for a missing token both mint one;
// the later overwrites the earlier, which stays valid.
func (t *Tokens) Token(ctx context.Context, hc *http.Client, c Credentials, scopes []string) (string, error) {
	if c.ClientEmail == "" || c.PrivateKey == "" {
		return "", ErrNoCredentials
	}
	if c.TokenURI == "" {
		c.TokenURI = DefaultTokenURI
	}
	sum := sha256.Sum256([]byte(c.PrivateKey))
	key := strings.Join([]string{c.TokenURI, c.ClientEmail, base64.RawURLEncoding.EncodeToString(sum[:]), strings.Join(scopes, " ")}, "\x00")
	t.mu.Lock()
	cached, ok := t.cache[key]
	t.mu.Unlock()
	if ok && t.now().Add(refreshBefore).Before(cached.expires) {
		return cached.value, nil
	}
	fresh, err := t.mint(ctx, hc, c, scopes)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	t.cache[key] = fresh
	t.mu.Unlock()
	return fresh.value, nil
}

func (t *Tokens) mint(ctx context.Context, hc *http.Client, c Credentials, scopes []string) (token, error) {
	assertion, err := signJWT(c, scopes, t.now())
	if err != nil {
		return token{}, err
	}
	form := url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		return token{}, fmt.Errorf("invalid token_uri %q: %w", c.TokenURI, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return token{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return token{}, err
	}
	var answer struct {
		AccessToken      string `json:"access_token"`
		ExpiresIn        int64  `json:"expires_in"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &answer)
	if resp.StatusCode >= 300 || answer.AccessToken == "" {
		e := &TokenError{Status: resp.StatusCode, Code: answer.Error, Description: answer.ErrorDescription}
		if e.Code == "" {
			e.Code = fmt.Sprintf("token endpoint answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		return token{}, e
	}
	if answer.ExpiresIn <= 0 {
		answer.ExpiresIn = 3600
	}
	return token{value: answer.AccessToken, expires: t.now().Add(time.Duration(answer.ExpiresIn) * time.Second)}, nil
}

// signJWT builds the RS256-signed assertion of the JWT bearer grant
// (RFC 7523) that Google's token endpoint takes from service accounts.
// Errors never quote the key.
func signJWT(c Credentials, scopes []string, now time.Time) (string, error) {
	key, err := parseKey(c.PrivateKey)
	if err != nil {
		return "", err
	}
	header := map[string]string{"alg": "RS256", "typ": "JWT"}
	if c.PrivateKeyID != "" {
		header["kid"] = c.PrivateKeyID
	}
	claims := map[string]any{
		"iss":   c.ClientEmail,
		"scope": strings.Join(scopes, " "),
		"aud":   c.TokenURI,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
	}
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(claims)
	signing := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign the service account's JWT: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// parseKey reads a service account's private_key: PEM, PKCS#8 as Google
// issues them, or PKCS#1. A key pasted into a single-line config field
// often carries literal "\n" sequences; those are read as newlines.
func parseKey(s string) (*rsa.PrivateKey, error) {
	if !strings.Contains(s, "\n") {
		s = strings.ReplaceAll(s, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("credentials.private_key is not a PEM-encoded private key")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rsaKey, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("credentials.private_key is not an RSA key")
		}
		return rsaKey, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, errors.New("credentials.private_key cannot be parsed as a PKCS#8 or PKCS#1 RSA key")
}
