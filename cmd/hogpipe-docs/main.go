// Command hogpipe-docs writes the reference pages of hogpipe's components to
// docs/components. Run it from the repository root after changing a spec:
//
//	go run ./cmd/hogpipe-docs
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/hogpipe/hogpipe/internal/components"
	"github.com/hogpipe/hogpipe/internal/docsgen"
)

func main() {
	pages, err := docsgen.Render(service.GlobalEnvironment())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, content := range pages {
		path := filepath.Join(docsgen.Dir, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}
