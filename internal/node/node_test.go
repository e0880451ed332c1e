package node

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoPluginhostImports keeps the modules and globals independent of the
// plugin runtime: they reach it through Host only.
func TestNoPluginhostImports(t *testing.T) {
	for _, root := range []string{".", "../web"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				assert.NotEqual(t, "github.com/hogpipe/hogpipe/pluginhost", p, "%s imports pluginhost", path)
			}
			return nil
		})
		require.NoError(t, err)
	}
}
