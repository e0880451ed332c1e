// Command hogpipe is a Benthos distribution that runs PostHog plugins.
package main

import (
	"context"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	service.RunCLI(context.Background(),
		service.CLIOptSetBinaryName("hogpipe"),
		service.CLIOptSetProductName("hogpipe"),
		service.CLIOptSetVersion(Version, ""),
	)
}
