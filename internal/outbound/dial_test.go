package outbound

import (
	"context"
	"errors"
	"net"
	"testing"
)

func TestClientDial(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	for _, tc := range []struct {
		name string
		opts Options
		rule string // "" when the dial succeeds
	}{
		{"no rules", Options{}, ""},
		{"allowed host", Options{Allow: []string{"127.0.0.1"}}, ""},
		{"host not allowed", Options{Allow: []string{"db.example.com"}}, "fetch_allow"},
		{"private denied", Options{DenyPrivate: true}, "fetch_deny_private"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := New(tc.opts).Dial(context.Background(), "tcp", addr)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				_ = conn.Close()
				return
			}
			var refused *RefusedError
			if !errors.As(err, &refused) || refused.Rule != tc.rule {
				t.Fatalf("got %v, want a refusal by %s", err, tc.rule)
			}
		})
	}
}
