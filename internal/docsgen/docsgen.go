// Package docsgen renders the reference pages of hogpipe's own components
// from their config specs, so the documentation cannot drift from the code.
package docsgen

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// Dir is where the pages live, relative to the repository root.
const Dir = "docs/components"

// ownNames are hogpipe's components named without the posthog_ prefix, as
// Benthos users already know them (brokers).
var ownNames = map[string]bool{
	"kafka": true,
}

// own tells hogpipe's components from Benthos' own.
func own(name string) bool {
	return strings.HasPrefix(name, "posthog") || ownNames[name]
}

// Render returns the page of every hogpipe component (see own) in
// env, keyed by path relative to Dir, plus an index.
func Render(env *service.Environment) (map[string][]byte, error) {
	pages := map[string][]byte{}
	var errs []error
	add := func(kind string) func(string, *service.ConfigView) {
		return func(name string, view *service.ConfigView) {
			if !own(name) || view.IsDeprecated() {
				return
			}
			doc, err := renderPage(view)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", kind, name, err))
				return
			}
			pages[path.Join(kind+"s", name+".md")] = doc
		}
	}
	env.WalkInputs(add("input"))
	env.WalkProcessors(add("processor"))
	env.WalkOutputs(add("output"))
	if len(errs) > 0 {
		return nil, errs[0]
	}
	names := make([]string, 0, len(pages))
	for name := range pages {
		names = append(names, name)
	}
	sort.Strings(names)
	var index strings.Builder
	index.WriteString("# hogpipe components\n\nGenerated from the component specs by `go run ./cmd/hogpipe-docs`; do not edit.\n\n")
	for _, name := range names {
		fmt.Fprintf(&index, "- [%s](%s)\n", strings.TrimSuffix(path.Base(name), ".md")+" ("+path.Dir(name)+")", name)
	}
	pages["README.md"] = []byte(index.String())
	return pages, nil
}

// Examples returns every documented example config of hogpipe's components,
// keyed by "<kind> <name>: <title>".
func Examples(env *service.Environment) (map[string]string, error) {
	out := map[string]string{}
	var errs []error
	add := func(kind string) func(string, *service.ConfigView) {
		return func(name string, view *service.ConfigView) {
			if !own(name) {
				return
			}
			data, err := view.TemplateData()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for _, ex := range data.Examples {
				out[kind+" "+name+": "+ex.Title] = ex.Config
			}
		}
	}
	env.WalkInputs(add("input"))
	env.WalkProcessors(add("processor"))
	env.WalkOutputs(add("output"))
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return out, nil
}

var pageTemplate = template.Must(template.New("page").Parse(`# {{.Name}} ({{.Type}})

<!-- Generated from the component spec by go run ./cmd/hogpipe-docs; do not edit. -->

{{.Summary}}

## Common config

` + "```yaml" + `
{{.CommonConfigYAML}}` + "```" + `

## All fields

` + "```yaml" + `
{{.AdvancedConfigYAML}}` + "```" + `
{{if .Description}}
## Description
{{.Description}}
{{end}}
## Fields
{{range .Fields}}
### ` + "`{{.FullName}}`" + `

{{.Description}}
{{if .IsSecret}}
This field holds a secret: use environment variable interpolation (` + "`${NAME}`" + `).
{{end}}
Type: ` + "`{{.Type}}`" + `{{if .DefaultMarshalled}}  
Default: ` + "`{{.DefaultMarshalled}}`" + `{{end}}
{{if .ExamplesMarshalled}}
` + "```yaml" + `
# Examples
{{range .ExamplesMarshalled}}
{{.}}{{end}}
` + "```" + `
{{end}}{{end}}{{if .Examples}}
## Examples
{{range .Examples}}
### {{.Title}}

{{.Summary}}

` + "```yaml" + `{{.Config}}` + "```" + `
{{end}}{{end}}`))

func renderPage(view *service.ConfigView) ([]byte, error) {
	data, err := view.TemplateData()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
