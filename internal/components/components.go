// Package components registers every component of a hogpipe distribution:
// Benthos' pure and io bundles and hogpipe's own. Importing it is how a
// binary picks them.
package components

import (
	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	_ "github.com/hogpipe/hogpipe/inputs"
	_ "github.com/hogpipe/hogpipe/outputs"
	_ "github.com/hogpipe/hogpipe/processors"
)
