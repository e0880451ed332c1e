package pluginconf

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"512MiB": 512 << 20, "1GB": 1e9, "0": 0, "1.5 GiB": 3 << 29, "1048576": 1 << 20, "64kib": 64 << 10, " 2 mb ": 2e6, "7b": 7,
	} {
		got, err := ParseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "lots", "-1MiB", "1TB", "1.2.3MB"} {
		_, err := ParseSize(in)
		assert.Error(t, err, in)
	}
}
