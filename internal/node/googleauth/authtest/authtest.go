// Package authtest starts a local stand-in for a Google API for tests of
// the Google host packages and the plugins using them: a token endpoint
// that verifies a service account's signed JWT the way Google's does, and
// the API behind it, reached only with the access token it issued.
package authtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// ClientEmail is the service account the server knows.
const ClientEmail = "hogpipe-test@hogpipe-test.iam.gserviceaccount.com"

// ProjectID is the project of the test credentials.
const ProjectID = "hogpipe-test"

// Server is a running token endpoint (at /token) in front of an API.
type Server struct {
	URL string
	// Token is the access token the server issues and accepts.
	Token string
	key   *rsa.PrivateKey
	mints atomic.Int64
}

var (
	keysOnce sync.Once
	keys     [2]*rsa.PrivateKey
)

// testKeys are generated once per test binary: RSA generation is slow.
func testKeys(t testing.TB) [2]*rsa.PrivateKey {
	keysOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = k
		}
	})
	return keys
}

// Start serves api behind the token check until the test ends. api sees
// only requests bearing the issued token; others get Google's 401 answer.
func Start(t testing.TB, api http.Handler) *Server {
	t.Helper()
	s := &Server{Token: "ya29.hogpipe-test-token", key: testKeys(t)[0]}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+s.Token {
			WriteError(w, http.StatusUnauthorized, "required", "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
			return
		}
		api.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Mints is how many tokens the server issued.
func (s *Server) Mints() int { return int(s.mints.Load()) }

// Credentials is a service account key for the server, as a JSON object
// (which is also a JavaScript object literal).
func (s *Server) Credentials() string { return s.credentials(s.key) }

// WrongCredentials is a key of the same account the server does not know.
func (s *Server) WrongCredentials(t testing.TB) string { return s.credentials(testKeys(t)[1]) }

func (s *Server) credentials(key *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     ProjectID,
		"private_key_id": "test-key-1",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   ClientEmail,
		"token_uri":      s.URL + "/token",
	})
	return string(b)
}

// token checks the JWT bearer grant: its signature by the account's key,
// issuer, audience and lifetime.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	refuse := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		refuse("unsupported_grant_type", "Invalid grant_type: "+r.FormValue("grant_type"))
		return
	}
	parts := strings.Split(r.FormValue("assertion"), ".")
	if len(parts) != 3 {
		refuse("invalid_request", "Invalid JWT.")
		return
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err != nil || rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA256, digest[:], sig) != nil {
		refuse("invalid_grant", "Invalid JWT Signature.")
		return
	}
	var header struct{ Alg, Typ string }
	var claims struct {
		Iss, Scope, Aud string
		Iat, Exp        int64
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(h, &header) != nil || json.Unmarshal(c, &claims) != nil || header.Alg != "RS256" {
		refuse("invalid_request", "Invalid JWT.")
		return
	}
	now := time.Now().Unix()
	switch {
	case claims.Iss != ClientEmail:
		refuse("invalid_grant", "Invalid grant: account not found")
	case claims.Aud != s.URL+"/token":
		refuse("invalid_grant", "Invalid JWT: Failed audience check.")
	case claims.Exp <= now || claims.Iat > now+60 || claims.Exp-claims.Iat > 3600:
		refuse("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
	case claims.Scope == "":
		refuse("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
	default:
		s.mints.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": s.Token, "expires_in": 3599, "token_type": "Bearer"})
	}
}

// WriteError answers as Google's JSON APIs do: {error: {code, message,
// errors: [{message, domain, reason}], status}}.
func WriteError(w http.ResponseWriter, code int, reason, message string) {
	status := map[int]string{400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
		404: "NOT_FOUND", 409: "ALREADY_EXISTS", 500: "INTERNAL", 503: "UNAVAILABLE"}[code]
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": message, "status": status,
		"errors": []map[string]string{{"message": message, "domain": "global", "reason": reason}},
	}})
}
