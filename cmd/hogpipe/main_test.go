package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/inputs"
	"github.com/hogpipe/hogpipe/internal/kafkamock/mockclient"
	"github.com/hogpipe/hogpipe/outputs"
)

// replicaEnv, when set to a config path, makes the test binary run as a
// hogpipe replica (`hogpipe -c <path>`) instead of running tests: the
// scale-out tests start replicas as separate processes, so that killing one
// is a real SIGKILL.
const replicaEnv = "HOGPIPE_TEST_REPLICA_CONFIG"

// helperEnv makes the test binary run the hogpipe CLI with the arguments in
// it (newline-separated), so a test can kill a real hogpipe process.
const helperEnv = "HOGPIPE_TEST_RUN_CLI"

func TestMain(m *testing.M) {
	if config := os.Getenv(replicaEnv); config != "" {
		os.Exit(runReplica(config))
	}
	if args := os.Getenv(helperEnv); args != "" {
		time.Local = time.UTC
		code, _ := cliRun(strings.Split(args, "\n"))
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// runReplica runs hogpipe on config with the kafka components made for
// librdkafka's mock cluster (see package mockclient).
func runReplica(config string) int {
	env := service.GlobalEnvironment()
	if err := inputs.RegisterKafkaInput(env, mockclient.Opts()...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := outputs.RegisterKafkaOutput(env, mockclient.Opts()...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code, err := service.RunCLIToCode(context.Background(),
		service.CLIOptSetBinaryName("hogpipe"),
		service.CLIOptSetArgs("hogpipe", "-c", config))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}
