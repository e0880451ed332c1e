package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfigTests runs the Benthos config tests of configs/ as a user would:
// `hogpipe test ./configs/...` from the repository root.
func TestConfigTests(t *testing.T) {
	t.Chdir("../..")
	code, err := runCLI(t, "test", "./configs/...")
	require.NoError(t, err)
	assert.Equal(t, 0, code)
}
