// Command hogpipe is a Benthos distribution that runs PostHog plugins: the
// Benthos core (pure and io components) plus hogpipe's own components.
package main

import (
	"context"
	"os"
	"runtime/debug"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/hogpipe/hogpipe/internal/components"
	"github.com/hogpipe/hogpipe/internal/pluginconf"
)

func main() {
	// Plugins were written for servers running in UTC: JavaScript's local
	// time is UTC whatever the host's time zone.
	time.Local = time.UTC

	// Every event becomes a few dozen short-lived JS objects; a larger GC
	// target trades a little memory for much less collection work (measured
	// in the README's benchmarks). GOGC still overrides it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	if isEcho(os.Args) {
		os.Exit(runEcho(context.Background(), os.Stdout, cliOptions(os.Args)...))
	}
	service.RunCLI(context.Background(), cliOptions(os.Args)...)
}

// cliOptions make the hogpipe CLI, run with args.
func cliOptions(args []string) []service.CLIOptFunc {
	return []service.CLIOptFunc{
		service.CLIOptSetArgs(args...),
		service.CLIOptSetBinaryName("hogpipe"),
		service.CLIOptSetProductName("hogpipe"),
		service.CLIOptSetVersion(pluginconf.Version, ""),
		service.CLIOptAddCommand(pluginCommand()),
	}
}
