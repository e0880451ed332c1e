package kafkaconf

import (
	"fmt"
	"strings"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Logger passes franz-go's warnings and errors (a broker that cannot be
// dialled, a failed SASL handshake, a group that keeps failing) to the
// component's logger; franz-go retries them itself with back-off. Its info
// lines (group joins, rebalances) become debug lines.
func Logger(log *service.Logger) kgo.Opt {
	return kgo.WithLogger(logAdapter{log: log})
}

type logAdapter struct{ log *service.Logger }

func (logAdapter) Level() kgo.LogLevel { return kgo.LogLevelInfo }

func (a logAdapter) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	var b strings.Builder
	b.WriteString(msg)
	for i := 0; i+1 < len(keyvals); i += 2 {
		fmt.Fprintf(&b, "; %v: %v", keyvals[i], keyvals[i+1])
	}
	switch level {
	case kgo.LogLevelError:
		a.log.Error(b.String())
	case kgo.LogLevelWarn:
		a.log.Warn(b.String())
	default:
		a.log.Debug(b.String())
	}
}
