// Package natsconf is the connection part of the NATS components' configs:
// the urls, tls and auth fields, and a connection built from them that logs
// its outages and reconnects forever.
package natsconf

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/redpanda-data/benthos/v4/public/service"
)

// Field names, shared by the NATS inputs and outputs.
const (
	FieldURLs          = "urls"
	FieldTLS           = "tls"
	FieldAuth          = "auth"
	fieldAuthUser      = "user"
	fieldAuthPassword  = "password"
	fieldAuthToken     = "token"
	fieldAuthCredsFile = "user_credentials_file"
)

// Connection timings. Reconnection never gives up: a server that comes back
// is picked up again without restarting the stream.
const (
	dialTimeout   = 5 * time.Second
	reconnectWait = time.Second
	reconnectJit  = time.Second
)

// Fields are the connection fields of a NATS component's spec.
func Fields() []*service.ConfigField {
	return []*service.ConfigField{
		service.NewStringListField(FieldURLs).
			Description("The servers to connect to; an entry may list several separated by commas. Credentials in a URL (`nats://user:password@host:4222`) are used as with `auth`.").
			Example([]any{"nats://127.0.0.1:4222"}).
			Example([]any{"nats://n1:4222", "nats://n2:4222", "nats://n3:4222"}),
		service.NewTLSToggledField(FieldTLS),
		service.NewObjectField(FieldAuth,
			service.NewStringField(fieldAuthUser).
				Description("A user name, sent with `password`.").
				Default("").
				Example("hogpipe"),
			service.NewStringField(fieldAuthPassword).
				Description("The user's password.").
				Default("").
				Secret(),
			service.NewStringField(fieldAuthToken).
				Description("A token, for servers configured with `authorization { token: ... }`.").
				Default("").
				Secret(),
			service.NewStringField(fieldAuthCredsFile).
				Description("A `.creds` file (a user JWT and its NKey seed), as `nsc` writes them, for servers in operator mode.").
				Default("").
				Example("./hogpipe.creds"),
		).Description("How to authenticate; leave everything empty for a server without authentication.").
			Advanced(),
	}
}

// Config is a parsed connection config.
type Config struct {
	URLs      []string
	TLS       *tls.Config // nil: plain TCP
	User      string
	Password  string
	Token     string
	CredsFile string
}

// FromParsed reads the fields of Fields.
func FromParsed(conf *service.ParsedConfig) (Config, error) {
	var c Config
	raw, err := conf.FieldStringList(FieldURLs)
	if err != nil {
		return c, err
	}
	for _, r := range raw {
		for _, u := range strings.Split(r, ",") {
			if u = strings.TrimSpace(u); u != "" {
				c.URLs = append(c.URLs, u)
			}
		}
	}
	if len(c.URLs) == 0 {
		return c, fmt.Errorf("%s must name at least one server", FieldURLs)
	}
	for _, u := range c.URLs {
		if _, err := url.Parse(u); err != nil {
			return c, fmt.Errorf("invalid entry in %s: %q is not a URL", FieldURLs, redact(u))
		}
	}
	tlsConf, tlsOn, err := conf.FieldTLSToggled(FieldTLS)
	if err != nil {
		return c, err
	}
	if tlsOn {
		c.TLS = tlsConf
	}
	auth := conf.Namespace(FieldAuth)
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{fieldAuthUser, &c.User},
		{fieldAuthPassword, &c.Password},
		{fieldAuthToken, &c.Token},
		{fieldAuthCredsFile, &c.CredsFile},
	} {
		if *f.dst, err = auth.FieldString(f.name); err != nil {
			return c, err
		}
	}
	if c.User == "" && c.Password != "" {
		return c, fmt.Errorf("%s.%s is set without %s.%s", FieldAuth, fieldAuthPassword, FieldAuth, fieldAuthUser)
	}
	set := 0
	for _, s := range []string{c.User, c.Token, c.CredsFile} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return c, fmt.Errorf("%s takes one of user and password, token or %s", FieldAuth, fieldAuthCredsFile)
	}
	return c, nil
}

// Servers lists the URLs without their credentials, for messages.
func (c Config) Servers() string {
	out := make([]string, len(c.URLs))
	for i, u := range c.URLs {
		out[i] = redact(u)
	}
	return strings.Join(out, ",")
}

// Connect dials the servers. The returned connection reconnects by itself
// for ever, logging each outage and recovery through log; it fails only when
// no server can be reached now, or one refuses the credentials, with an
// error naming the servers.
func (c Config) Connect(ctx context.Context, name string, log *service.Logger) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.Timeout(dialTimeout),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		nats.ReconnectJitter(reconnectJit, reconnectJit),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			// The connection no longer knows its server here: name them all.
			if err != nil {
				log.Warnf("nats %s: disconnected: %v; reconnecting", c.Servers(), err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Infof("nats: reconnected to %s", redact(nc.ConnectedUrl()))
		}),
		nats.ErrorHandler(func(nc *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				log.Errorf("nats: %s, subscription %s: %v", redact(nc.ConnectedUrl()), sub.Subject, err)
				return
			}
			log.Errorf("nats: %s: %v", redact(nc.ConnectedUrl()), err)
		}),
	}
	if c.TLS != nil {
		opts = append(opts, nats.Secure(c.TLS))
	}
	switch {
	case c.User != "":
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	case c.Token != "":
		opts = append(opts, nats.Token(c.Token))
	case c.CredsFile != "":
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	type result struct {
		nc  *nats.Conn
		err error
	}
	done := make(chan result, 1)
	// nats.Connect takes no context; the dial is bounded by dialTimeout.
	go func() {
		nc, err := nats.Connect(strings.Join(c.URLs, ","), opts...)
		done <- result{nc, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("failed to connect to nats %s: %w", c.Servers(), describe(r.err))
		}
		return r.nc, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.nc != nil {
				r.nc.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// describe adds the likely cause to errors whose text does not say it.
func describe(err error) error {
	switch {
	case errors.Is(err, nats.ErrAuthorization), errors.Is(err, nats.ErrAuthExpired), errors.Is(err, nats.ErrAuthRevoked):
		return fmt.Errorf("credentials refused (check auth): %w", err)
	case errors.Is(err, nats.ErrNoServers):
		return fmt.Errorf("no server reachable: %w", err)
	}
	return err
}

// redact drops the credentials of a URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return raw[i+1:]
		}
		return raw
	}
	u.User = nil
	return u.String()
}
