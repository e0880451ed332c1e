// Package deploy checks the deployment files at the repository root. No
// Docker engine runs where the tests run, so the compose file is validated
// with the loader Docker Compose v2 itself uses, not run.
package deploy

import (
	"os"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComposeFileIsValid(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"},
		cli.WithWorkingDirectory("../.."), cli.WithName("hogpipe"))
	require.NoError(t, err)
	project, err := cli.ProjectFromOptions(t.Context(), opts)
	require.NoError(t, err)

	redis, err := project.GetService("redis")
	require.NoError(t, err)
	command := strings.Join(redis.Command, " ")
	assert.Contains(t, command, "--appendonly yes", "durable storage needs append-only persistence")
	assert.Contains(t, command, "--maxmemory-policy noeviction", "storage must never be evicted")

	hogpipe, err := project.GetService("hogpipe")
	require.NoError(t, err)
	require.NotNil(t, hogpipe.Build)
	assert.FileExists(t, "../../"+hogpipe.Build.Dockerfile)
	require.NotNil(t, hogpipe.Deploy)
	require.NotNil(t, hogpipe.Deploy.Replicas)
	assert.Equal(t, 2, *hogpipe.Deploy.Replicas)
	assert.Equal(t, "redis://redis:6379/0", *hogpipe.Environment["REDIS_URL"])
	assert.Contains(t, hogpipe.DependsOn, "redis")

	// The config the replicas run exists and is one of the linted examples.
	config := hogpipe.Command[len(hogpipe.Command)-1]
	assert.FileExists(t, "../../"+strings.TrimPrefix(config, "/app/"))
}

// Two replicas run configs/kafka.yaml against Redpanda, in one consumer
// group, on shared Redis state.
func TestComposeKafkaReplicas(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"},
		cli.WithWorkingDirectory("../.."), cli.WithName("hogpipe"))
	require.NoError(t, err)
	project, err := cli.ProjectFromOptions(t.Context(), opts)
	require.NoError(t, err)

	redpanda, err := project.GetService("redpanda")
	require.NoError(t, err)
	require.NotNil(t, redpanda.HealthCheck)
	assert.Contains(t, strings.Join(redpanda.Command, " "), "--advertise-kafka-addr=PLAINTEXT://redpanda:9092")

	topics, err := project.GetService("redpanda-topics")
	require.NoError(t, err)
	assert.Contains(t, strings.Join(topics.Command, " "), "rpk topic create events events_processed --partitions 6")
	assert.Equal(t, "service_healthy", topics.DependsOn["redpanda"].Condition)

	replicas, err := project.GetService("hogpipe-kafka")
	require.NoError(t, err)
	require.NotNil(t, replicas.Deploy)
	require.NotNil(t, replicas.Deploy.Replicas)
	assert.Equal(t, 2, *replicas.Deploy.Replicas)
	assert.Equal(t, "redpanda:9092", *replicas.Environment["KAFKA_BROKERS"])
	assert.Equal(t, "redis://redis:6379/0", *replicas.Environment["REDIS_URL"])
	assert.Equal(t, "service_completed_successfully", replicas.DependsOn["redpanda-topics"].Condition)
	assert.Equal(t, "service_healthy", replicas.DependsOn["redis"].Condition)
	config := replicas.Command[len(replicas.Command)-1]
	assert.Equal(t, "/app/configs/kafka.yaml", config)
	assert.FileExists(t, "../../"+strings.TrimPrefix(config, "/app/"))
}

func TestDockerfileBuildsTheBinary(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	assert.Contains(t, string(data), "go build")
	assert.Contains(t, string(data), "./cmd/hogpipe")
}

func TestComposeRunsNATSWithJetStream(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"},
		cli.WithWorkingDirectory("../.."), cli.WithName("hogpipe"))
	require.NoError(t, err)
	project, err := cli.ProjectFromOptions(t.Context(), opts)
	require.NoError(t, err)
	nats, err := project.GetService("nats")
	require.NoError(t, err)
	command := strings.Join(nats.Command, " ")
	assert.Contains(t, command, "--jetstream")
	assert.Contains(t, command, "--store_dir /data", "streams survive a restart")
	require.Len(t, nats.Volumes, 1)
	assert.Equal(t, "/data", nats.Volumes[0].Target)
	assert.FileExists(t, "../../configs/nats.yaml")
}
