package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/docsgen"
)

// TestDocsAreFresh fails when a spec changed without regenerating the pages.
func TestDocsAreFresh(t *testing.T) {
	pages, err := docsgen.Render(service.GlobalEnvironment())
	require.NoError(t, err)
	for name, content := range pages {
		onDisk, err := os.ReadFile(filepath.Join("../..", docsgen.Dir, name))
		require.NoError(t, err, "%s is missing: run `go run ./cmd/hogpipe-docs`", name)
		assert.Equal(t, string(content), string(onDisk), "%s is stale: run `go run ./cmd/hogpipe-docs`", name)
	}
}

// TestDocumentedExamplesLint parses and lints every example of every spec.
func TestDocumentedExamplesLint(t *testing.T) {
	examples, err := docsgen.Examples(service.GlobalEnvironment())
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	for name, yaml := range examples {
		builder := service.NewStreamBuilder()
		assert.NoError(t, builder.SetYAML(yaml), name)
	}
}
