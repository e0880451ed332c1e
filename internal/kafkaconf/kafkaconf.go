// Package kafkaconf holds the configuration shared by hogpipe's kafka input
// and output: seed brokers, client id, TLS and SASL, turned into franz-go
// client options.
package kafkaconf

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Field names shared by the input and the output.
const (
	FieldSeedBrokers = "seed_brokers"
	FieldClientID    = "client_id"
	FieldTLS         = "tls"
	FieldSASL        = "sasl"

	fieldSASLMechanism = "mechanism"
	fieldSASLUsername  = "username"
	fieldSASLPassword  = "password"
)

// SASL mechanisms.
const (
	MechanismNone        = "none"
	MechanismPlain       = "PLAIN"
	MechanismSCRAMSHA256 = "SCRAM-SHA-256"
	MechanismSCRAMSHA512 = "SCRAM-SHA-512"
)

// SeedBrokersField is the list of brokers to bootstrap from.
func SeedBrokersField() *service.ConfigField {
	return service.NewStringListField(FieldSeedBrokers).
		Description("Brokers to learn the cluster from (`host:port`). An entry may hold several addresses separated by commas.").
		Example([]string{"localhost:9092"}).
		Example([]string{"broker-1:9092", "broker-2:9092"}).
		Example([]string{"broker-1:9092,broker-2:9092"})
}

// ConnectionFields are the client id, TLS and SASL fields.
func ConnectionFields() []*service.ConfigField {
	return []*service.ConfigField{
		service.NewStringField(FieldClientID).
			Description("The client id sent to the brokers, shown in their logs and quotas.").
			Default("hogpipe").
			Advanced(),
		service.NewTLSToggledField(FieldTLS),
		service.NewObjectListField(FieldSASL,
			service.NewStringEnumField(fieldSASLMechanism, MechanismNone, MechanismPlain, MechanismSCRAMSHA256, MechanismSCRAMSHA512).
				Description("The SASL mechanism."),
			service.NewStringField(fieldSASLUsername).
				Description("The user name.").
				Default(""),
			service.NewStringField(fieldSASLPassword).
				Description("The password.").
				Default("").
				Secret(),
		).
			Description("SASL authentication, tried in order. Without TLS the password of `PLAIN` crosses the network in clear text.").
			Optional().
			Advanced().
			Example([]any{map[string]any{"mechanism": MechanismSCRAMSHA512, "username": "hogpipe", "password": "${KAFKA_PASSWORD}"}}),
	}
}

// Client is what the connection fields parse to.
type Client struct {
	SeedBrokers []string
	Opts        []kgo.Opt
}

// Parse reads the seed brokers and connection fields of conf.
func Parse(conf *service.ParsedConfig) (Client, error) {
	var c Client
	list, err := conf.FieldStringList(FieldSeedBrokers)
	if err != nil {
		return c, err
	}
	for _, entry := range list {
		for _, addr := range strings.Split(entry, ",") {
			if addr = strings.TrimSpace(addr); addr != "" {
				c.SeedBrokers = append(c.SeedBrokers, addr)
			}
		}
	}
	if len(c.SeedBrokers) == 0 {
		return c, errors.New("seed_brokers: at least one broker is needed")
	}
	clientID, err := conf.FieldString(FieldClientID)
	if err != nil {
		return c, err
	}
	c.Opts = append(c.Opts, kgo.SeedBrokers(c.SeedBrokers...), kgo.ClientID(clientID))

	tlsConf, tlsOn, err := conf.FieldTLSToggled(FieldTLS)
	if err != nil {
		return c, err
	}
	if tlsOn {
		c.Opts = append(c.Opts, kgo.Dialer(tlsDialer(tlsConf)))
	}

	mechs, err := parseSASL(conf)
	if err != nil {
		return c, err
	}
	if len(mechs) > 0 {
		c.Opts = append(c.Opts, kgo.SASL(mechs...))
	}
	return c, nil
}

func parseSASL(conf *service.ParsedConfig) ([]sasl.Mechanism, error) {
	if !conf.Contains(FieldSASL) {
		return nil, nil
	}
	list, err := conf.FieldObjectList(FieldSASL)
	if err != nil {
		return nil, err
	}
	var mechs []sasl.Mechanism
	for i, entry := range list {
		name, err := entry.FieldString(fieldSASLMechanism)
		if err != nil {
			return nil, err
		}
		user, err := entry.FieldString(fieldSASLUsername)
		if err != nil {
			return nil, err
		}
		pass, err := entry.FieldString(fieldSASLPassword)
		if err != nil {
			return nil, err
		}
		mech, err := Mechanism(name, user, pass)
		if err != nil {
			return nil, fmt.Errorf("sasl[%d]: %w", i, err)
		}
		if mech != nil {
			mechs = append(mechs, mech)
		}
	}
	return mechs, nil
}

// Mechanism builds a SASL mechanism; none gives nil.
func Mechanism(name, user, pass string) (sasl.Mechanism, error) {
	switch name {
	case MechanismNone:
		return nil, nil
	case MechanismPlain:
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case MechanismSCRAMSHA256:
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case MechanismSCRAMSHA512:
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("unknown mechanism %q (want %s, %s, %s or %s)", name, MechanismNone, MechanismPlain, MechanismSCRAMSHA256, MechanismSCRAMSHA512)
}

// tlsDialer dials TLS with the broker's host as server name when the
// configuration names none, as each broker has its own certificate.
func tlsDialer(base *tls.Config) func(ctx context.Context, network, host string) (net.Conn, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	return func(ctx context.Context, network, host string) (net.Conn, error) {
		conf := base.Clone()
		if conf.ServerName == "" {
			if name, _, err := net.SplitHostPort(host); err == nil {
				conf.ServerName = name
			}
		}
		return (&tls.Dialer{NetDialer: dialer, Config: conf}).DialContext(ctx, network, host)
	}
}

// Ping checks that a broker answers, naming the seed brokers in the error:
// a wrong address, TLS setting or password shows up here, at connect time.
func Ping(ctx context.Context, cl *kgo.Client, seeds []string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		return fmt.Errorf("no broker of %s answered: %w", strings.Join(seeds, ","), err)
	}
	return nil
}
