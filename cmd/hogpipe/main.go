// Command hogpipe is a Benthos distribution that runs PostHog plugins: the
// Benthos core (pure and io components) plus hogpipe's own components.
package main

import (
	"context"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/hogpipe/hogpipe/internal/pluginconf"
	_ "github.com/hogpipe/hogpipe/processors"
)

func main() {
	// Plugins were written for servers running in UTC: JavaScript's local
	// time is UTC whatever the host's time zone.
	time.Local = time.UTC

	service.RunCLI(context.Background(),
		service.CLIOptSetBinaryName("hogpipe"),
		service.CLIOptSetProductName("hogpipe"),
		service.CLIOptSetVersion(pluginconf.Version, ""),
		service.CLIOptAddCommand(pluginCommand()),
	)
}
