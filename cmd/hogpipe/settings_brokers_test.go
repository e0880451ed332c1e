package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/hogpipe/hogpipe/inputs"
	"github.com/hogpipe/hogpipe/internal/kafkamock"
	"github.com/hogpipe/hogpipe/internal/kafkamock/mockclient"
	"github.com/hogpipe/hogpipe/internal/natstest"
	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
	"github.com/hogpipe/hogpipe/outputs"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// Names the broker settings use; the message sent through each broker
// carries brokerDistinctID.
const (
	kafkaTopic       = "settings"
	natsStream       = "SETTINGS"
	natsUser         = "hogpipe"
	natsPassword     = "nats-pass"
	natsToken        = "nats-token"
	redisStream      = "settings-stream"
	brokerDistinctID = "broker-settings"
)

// brokers are the real servers the broker components start against.
type brokers struct {
	kafka *kafkamock.Cluster
	// natsUser takes user and password, natsToken a token, natsCreds the
	// credentials file natsCredsFile (operator mode); all speak TLS only
	// and verify the client's certificate.
	natsUser, natsToken, natsCreds *natstest.Server
	natsCredsFile                  string
	// redisTLSURL is a Redis speaking TLS, with a password.
	redisTLSURL string
}

func (f *settingsFixture) startBrokers(t *testing.T) {
	f.kafka = kafkamock.Start(t, 1)
	f.kafka.CreateTopic(t, kafkaTopic, 1)

	cert, err := tls.X509KeyPair([]byte(f.certPEM), []byte(f.keyPEM))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM([]byte(f.certPEM)))
	mutualTLS := func(o *server.Options) {
		o.TLS, o.TLSVerify = true, true
		o.TLSConfig = &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pool,
			MinVersion:   tls.VersionTLS12,
		}
	}
	clientTLS := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12}
	f.natsUser = natstest.Start(t, mutualTLS, natstest.WithUser(natsUser, natsPassword))
	f.natsToken = natstest.Start(t, mutualTLS, natstest.WithToken(natsToken))
	createNATSStream(t, f.natsUser.URL(), nats.Secure(clientTLS), nats.UserInfo(natsUser, natsPassword))
	createNATSStream(t, f.natsToken.URL(), nats.Secure(clientTLS), nats.Token(natsToken))
	operator, creds := natsOperator(t)
	f.natsCredsFile = f.write(t, "hogpipe.creds", creds)
	f.natsCreds = natstest.Start(t, mutualTLS, operator)
	createNATSStream(t, f.natsCreds.URL(), nats.Secure(clientTLS), nats.UserCredentials(f.natsCredsFile))

	f.redisTLSURL = redistest.Start(t, redistest.WithPassword("redis-pass"), redistest.WithTLS()).URL() + "?skip_verify=true"
	for _, url := range []string{f.redisURL, f.redisTLSURL} {
		// With create_streams off the input needs the stream to exist.
		opts, err := redis.ParseURL(url)
		require.NoError(t, err)
		rc := redis.NewClient(opts)
		require.NoError(t, rc.XAdd(t.Context(), &redis.XAddArgs{Stream: redisStream, Values: map[string]any{"payload": "seed"}}).Err())
		require.NoError(t, rc.Close())
	}
}

// natsOperator puts a server in operator mode, trusting an operator whose
// one account may use JetStream, and returns the credentials of a user of
// that account.
func natsOperator(t *testing.T) (natstest.Option, string) {
	okp, err := nkeys.CreateOperator()
	require.NoError(t, err)
	opub, err := okp.PublicKey()
	require.NoError(t, err)
	oc := jwt.NewOperatorClaims(opub)
	ojwt, err := oc.Encode(okp)
	require.NoError(t, err)
	oc, err = jwt.DecodeOperatorClaims(ojwt)
	require.NoError(t, err)

	akp, err := nkeys.CreateAccount()
	require.NoError(t, err)
	apub, err := akp.PublicKey()
	require.NoError(t, err)
	ac := jwt.NewAccountClaims(apub)
	ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	ajwt, err := ac.Encode(okp)
	require.NoError(t, err)

	ukp, err := nkeys.CreateUser()
	require.NoError(t, err)
	upub, err := ukp.PublicKey()
	require.NoError(t, err)
	ujwt, err := jwt.NewUserClaims(upub).Encode(akp)
	require.NoError(t, err)
	seed, err := ukp.Seed()
	require.NoError(t, err)
	creds, err := jwt.FormatUserConfig(ujwt, seed)
	require.NoError(t, err)

	// JetStream runs its services in a system account.
	skp, err := nkeys.CreateAccount()
	require.NoError(t, err)
	spub, err := skp.PublicKey()
	require.NoError(t, err)
	sjwt, err := jwt.NewAccountClaims(spub).Encode(okp)
	require.NoError(t, err)

	resolver := &server.MemAccResolver{}
	require.NoError(t, resolver.Store(apub, ajwt))
	require.NoError(t, resolver.Store(spub, sjwt))
	return func(o *server.Options) {
		o.TrustedOperators = []*jwt.OperatorClaims{oc}
		o.AccountResolver = resolver
		o.SystemAccount = spub
	}, string(creds)
}

func createNATSStream(t *testing.T, url string, opts ...nats.Option) {
	nc, err := nats.Connect(url, opts...)
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	_, err = js.CreateStream(t.Context(), jetstream.StreamConfig{Name: natsStream, Subjects: []string{"settings.>"}})
	require.NoError(t, err)
}

// brokerSettings are the settings of the broker inputs and outputs, on
// the servers of startBrokers.
func (f *settingsFixture) brokerSettings() map[string]map[string]any {
	tlsConf := func() map[string]any {
		return map[string]any{
			"enabled": true, "skip_cert_verify": true, "enable_renegotiation": true,
			"root_cas_file": f.certFile, "client_certs": f.clientCerts(),
		}
	}
	natsConn := func() map[string]any {
		return map[string]any{
			"urls": []any{f.natsUser.URL()},
			"tls":  tlsConf(),
			"auth": map[string]any{"user": natsUser, "password": natsPassword},
		}
	}
	kafkaConn := func() map[string]any {
		return map[string]any{
			"seed_brokers": []any{f.kafka.Brokers()[0]},
			"client_id":    "hogpipe-settings",
			"tls":          tlsConf(),
			"sasl": []any{
				map[string]any{"mechanism": "SCRAM-SHA-512", "username": "hogpipe", "password": "kafka-pass"},
				map[string]any{"mechanism": "PLAIN", "username": "hogpipe", "password": "kafka-pass"},
			},
		}
	}
	out := map[string]map[string]any{
		"input kafka": setAll(kafkaConn(), map[string]any{
			"topics":            []any{kafkaTopic + ".*"},
			"regexp_topics":     true,
			"consumer_group":    "hogpipe-settings",
			"rack_id":           "rack-1",
			"start_from_oldest": false,
			"checkpoint_limit":  100,
			"commit_period":     "1s",
			"batching":          f.batching(),
		}),
		"output kafka": setAll(kafkaConn(), map[string]any{
			"topic":            kafkaTopic,
			"key":              `${! json("distinct_id") }`,
			"partitioner":      "manual",
			"partition":        "${! 0 }",
			"compression":      "gzip",
			"idempotent_write": false,
			"metadata":         map[string]any{"include_prefixes": []any{"settings_"}, "include_patterns": []any{"^origin$"}},
			"max_in_flight":    2,
			"batching":         f.batching(),
			"timeout":          "20s",
		}),
		"input nats_jetstream": setAll(natsConn(), map[string]any{
			"stream":          natsStream,
			"subject":         "settings.>",
			"durable":         "hogpipe-settings",
			"deliver":         "new",
			"ack_wait":        "45s",
			"max_ack_pending": 100,
			"batching":        f.batching(),
		}),
		"output nats_jetstream": setAll(natsConn(), map[string]any{
			"subject":       "settings.in",
			"headers":       map[string]any{"Settings-Distinct-Id": `${! json("distinct_id") }`},
			"max_in_flight": 2,
			"timeout":       "20s",
			"batching":      f.batching(),
		}),
		"input redis_streams": {
			"url":               f.redisURL,
			"streams":           []any{redisStream},
			"consumer_group":    "hogpipe-settings",
			"client_id":         "replica-1",
			"create_streams":    false,
			"start_from_oldest": false,
			"body_key":          "payload",
			"limit":             20,
			"commit_period":     "500ms",
			"claim_min_idle":    "2m",
			"auto_replay_nacks": false,
		},
		"output redis_streams": {
			"url":           f.redisURL,
			"stream":        `${! "` + redisStream + `" }`,
			"body_key":      "payload",
			"max_length":    1000,
			"max_in_flight": 2,
			"batching":      f.batching(),
		},
	}
	return out
}

// brokerAlternatives: the first alternative of each component is started
// too, the others are linted only (see there).
func (f *settingsFixture) brokerAlternatives() map[string][]map[string]any {
	alternatives := map[string][]map[string]any{}
	for _, kind := range []string{"input", "output"} {
		alternatives[kind+" kafka"] = []map[string]any{
			{"tls": map[string]any{"root_cas": f.certPEM, "root_cas_file": nil}},
		}
		alternatives[kind+" nats_jetstream"] = []map[string]any{
			// The token server, with the certificate verified.
			{
				"urls": []any{f.natsToken.URL()},
				"tls":  map[string]any{"root_cas": f.certPEM, "root_cas_file": nil, "skip_cert_verify": false},
				"auth": map[string]any{"user": nil, "password": nil, "token": natsToken},
			},
			// The operator-mode server, with a credentials file.
			{
				"urls": []any{f.natsCreds.URL()},
				"auth": map[string]any{"user": nil, "password": nil, "user_credentials_file": f.natsCredsFile},
			},
		}
	}
	for _, kind := range []string{"input", "output"} {
		alternatives[kind+" redis_streams"] = []map[string]any{{"url": f.redisTLSURL}}
	}
	return alternatives
}

// brokerPair is a producer (generate → output) and a consumer (input →
// drop) config of one broker, made of the output and input settings.
type brokerPair struct{ output, input, producer, consumer map[string]any }

func (f *settingsFixture) brokerPair(name string, output, input map[string]any) brokerPair {
	return brokerPair{
		output: output,
		input:  input,
		producer: map[string]any{
			// Messages keep coming: the inputs start at the newest message,
			// so the ones before they are ready are not read.
			"input": map[string]any{"generate": map[string]any{"interval": "100ms", "mapping": `
meta settings_origin = "generate"
root = {"event": "flush", "distinct_id": "` + brokerDistinctID + `", "n": counter()}`}},
			"output": map[string]any{name: output},
		},
		consumer: map[string]any{
			"input":  map[string]any{name: input},
			"output": map[string]any{"drop": map[string]any{}},
		},
	}
}

func mustYAML(t *testing.T, v any) string {
	out, err := yaml.Marshal(v)
	require.NoError(t, err)
	return string(out)
}

// kafkaSpecs are the kafka components' specs, rebuilt from the registered
// ones to register them with the mock cluster's client options.
func kafkaSpecs(t *testing.T) (input, output *service.ConfigSpec) {
	env := service.GlobalEnvironment()
	inView, ok := env.GetInputConfig("kafka")
	require.True(t, ok)
	outView, ok := env.GetOutputConfig("kafka")
	require.True(t, ok)
	input, output = service.NewConfigSpec(), service.NewConfigSpec()
	for spec, view := range map[*service.ConfigSpec]*service.ConfigView{input: inView, output: outView} {
		b, err := view.FormatJSON()
		require.NoError(t, err)
		require.NoError(t, spec.EncodeJSON(b))
	}
	return input, output
}

// kafkaMockEnv is the global environment with the kafka components capped
// to the protocol versions librdkafka's mock cluster decodes.
func kafkaMockEnv(t *testing.T) *service.Environment {
	in, out := kafkaSpecs(t)
	env := service.GlobalEnvironment().Clone()
	require.NoError(t, env.RegisterBatchInput("kafka", in, inputs.KafkaInputConstructor(mockclient.Opts()...)))
	require.NoError(t, env.RegisterBatchOutput("kafka", out, outputs.KafkaOutputConstructor(mockclient.Opts()...)))
	return env
}

// constructKafka builds the kafka input and output from every setting,
// TLS and SASL included, without connecting: the mock cluster speaks
// neither, so the streams that run against it leave them out.
func constructKafka(t *testing.T, input, output map[string]any) {
	in, out := kafkaSpecs(t)
	env := service.GlobalEnvironment()
	ctx := t.Context()

	parsed, err := in.ParseYAML(mustYAML(t, input), env)
	require.NoError(t, err)
	reader, err := inputs.KafkaInputConstructor()(parsed, service.MockResources())
	require.NoError(t, err)
	require.NoError(t, reader.Close(ctx))

	parsed, err = out.ParseYAML(mustYAML(t, output), env)
	require.NoError(t, err)
	writer, _, _, err := outputs.KafkaOutputConstructor()(parsed, service.MockResources())
	require.NoError(t, err)
	require.NoError(t, writer.Close(ctx))
}

// runBrokerPair runs the consumer and then the producer of pair and returns
// the first message the consumer reads.
func runBrokerPair(t *testing.T, env *service.Environment, pair brokerPair) *service.Message {
	got := make(chan *service.Message, 1)
	cb := env.NewStreamBuilder()
	require.NoError(t, cb.SetYAML(mustYAML(t, pair.consumer)))
	require.NoError(t, cb.AddBatchConsumerFunc(func(_ context.Context, batch service.MessageBatch) error {
		for _, m := range batch {
			select {
			case got <- m:
			default: // the first one is enough
			}
		}
		return nil
	}))
	consumer, err := cb.Build()
	require.NoError(t, err)
	streamtest.Run(t, consumer)

	pb := env.NewStreamBuilder()
	require.NoError(t, pb.SetYAML(mustYAML(t, pair.producer)))
	producer, err := pb.Build()
	require.NoError(t, err)
	streamtest.Run(t, producer)

	select {
	case m := <-got:
		b, err := m.AsBytes()
		require.NoError(t, err)
		require.Contains(t, string(b), fmt.Sprintf(`"distinct_id":%q`, brokerDistinctID))
		return m
	case <-time.After(60 * time.Second):
		t.Fatal("no message through the broker within 60s")
		return nil
	}
}
