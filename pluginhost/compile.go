package pluginhost

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
)

// unsupportedModules need Node's sockets or native code, which the host does
// not provide; importing one fails at load with a clear message.
var unsupportedModules = map[string]bool{
	"snowflake-sdk": true, "@google-cloud/pubsub": true,
	"net": true, "tls": true, "dgram": true, "child_process": true, "fs": true,
	"http": true, "https": true, "worker_threads": true, "cluster": true,
}

// servedProvidedPackages names the packages of the original plugin server's
// allow-list that the host serves, for the refusal of the others.
const servedProvidedPackages = "aws-sdk (S3), pg, generic-pool, @google-cloud/bigquery, @google-cloud/storage, node-fetch, crypto, url, zlib and stream"

// compileBundle bundles the plugin's entry file with its relative imports and
// node_modules into one strict-mode CommonJS script and compiles it for goja.
// Imports named in hostModules stay external and are served by the VM's
// require at run time.
func compileBundle(m *Manifest, hostModules map[string]bool) (*bundle, error) {
	entry, err := m.EntryFile()
	if err != nil {
		return nil, err
	}
	scan := &ownCodeScan{}
	result := api.Build(api.BuildOptions{
		EntryPoints:   []string{entry},
		AbsWorkingDir: m.Dir,
		Bundle:        true,
		Write:         false,
		Format:        api.FormatCommonJS,
		Platform:      api.PlatformNeutral,
		MainFields:    []string{"main", "module"},
		Conditions:    []string{"require", "node", "default"},
		Target:        api.ES2020,
		TreeShaking:   api.TreeShakingFalse,
		Sourcemap:     api.SourceMapInline,
		// The original transpiled with Babel into strict mode: an undeclared
		// assignment throws.
		Banner:   map[string]string{"js": `"use strict";`},
		Define:   map[string]string{"process.env.NODE_ENV": `"production"`},
		LogLevel: api.LogLevelSilent,
		Charset:  api.CharsetUTF8,
		Plugins:  []api.Plugin{confinePlugin(m.Dir), scan.plugin(), hostImportsPlugin(hostModules), typescriptEverywherePlugin()},
	})
	if len(result.Errors) > 0 {
		return nil, fmt.Errorf("plugin %q: %w", m.Name, buildError(m, result.Errors))
	}
	if len(result.OutputFiles) == 0 {
		return nil, fmt.Errorf("plugin %q: esbuild produced no output", m.Name)
	}
	source := string(result.OutputFiles[0].Contents)
	name := "plugin:" + filepath.ToSlash(mustRel(m.Dir, entry))
	program, err := goja.Compile(name, source, true)
	if err != nil {
		return nil, pluginErrorf(m.Name, "compile bundle", "%w", err)
	}
	return &bundle{program: program, plainEvents: scan.seen() != "", plainReason: scan.seen()}, nil
}

// bundle is a compiled plugin.
type bundle struct {
	program *goja.Program
	// plainEvents is set when the plugin's own code may do to an event
	// what a lazy event cannot take (see lazyevent.go).
	plainEvents bool
	plainReason string // the call that set plainEvents
}

// ownCodeScan looks through the plugin's own files (not its packages) for
// the calls a lazy event.properties refuses: accessors, freezing, sealing,
// descriptors. Any of them, on whatever object, makes the plugin's events
// plain objects: slower, and exactly what the original handed it.
type ownCodeScan struct {
	mu    sync.Mutex // esbuild loads files in parallel
	found string
}

func (s *ownCodeScan) seen() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.found
}

var lazyEventRefusals = regexp.MustCompile(`\b(defineProperty|defineProperties|freeze|seal|preventExtensions|__defineGetter__|__defineSetter__)\b`)

// bundlerHelpers are what follows defineProperty in the helpers bundlers
// and tsc put in every module (an alias, the __esModule marker, re-export
// bindings on the exports object): not calls on events.
var bundlerHelpers = regexp.MustCompile(`^\s*(;|\(\s*(module\.)?exports\s*,|\(o, k2, desc\)|\(o, "default")`)

// refusedCall returns the first call in code a lazy event refuses, "" for
// none.
func refusedCall(code []byte) string {
	for _, loc := range lazyEventRefusals.FindAllIndex(code, -1) {
		name := string(code[loc[0]:loc[1]])
		if name == "defineProperty" && bundlerHelpers.Match(code[loc[1]:min(loc[1]+40, len(code))]) {
			continue
		}
		return name
	}
	return ""
}

func (s *ownCodeScan) plugin() api.Plugin {
	return api.Plugin{Name: "hogpipe-own-code-scan", Setup: func(b api.PluginBuild) {
		b.OnLoad(api.OnLoadOptions{Filter: `\.(js|mjs|cjs|ts|mts|cts|tsx|jsx)$`, Namespace: "file"}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			if s.seen() != "" || strings.Contains(filepath.ToSlash(args.Path), "/node_modules/") {
				return api.OnLoadResult{}, nil
			}
			if data, err := os.ReadFile(args.Path); err == nil {
				if found := refusedCall(data); found != "" {
					s.mu.Lock()
					s.found = found
					s.mu.Unlock()
				}
			}
			return api.OnLoadResult{}, nil
		})
	}}
}

// hostImportsPlugin keeps host modules external (the VM's require serves them,
// and they win over node_modules copies of Node built-ins) and refuses the
// modules the host cannot serve.
func hostImportsPlugin(hostModules map[string]bool) api.Plugin {
	return api.Plugin{Name: "hogpipe-host-modules", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: `^[^./]`}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			name := strings.TrimPrefix(args.Path, "node:")
			if hostModules[name] {
				return api.OnResolveResult{Path: name, External: true}, nil
			}
			root := name
			if strings.HasPrefix(root, "@") {
				if parts := strings.SplitN(root, "/", 3); len(parts) >= 2 {
					root = parts[0] + "/" + parts[1]
				}
			} else {
				root = strings.SplitN(root, "/", 2)[0]
			}
			if root == "aws-sdk" {
				return api.OnResolveResult{Errors: []api.Message{{
					Text: fmt.Sprintf("cannot import %q: hogpipe serves only the S3 client of aws-sdk (import \"aws-sdk\" or \"aws-sdk/clients/s3\")", args.Path),
				}}}, nil
			}
			if hostModules[root] && strings.HasPrefix(root, "@google-cloud/") {
				return api.OnResolveResult{Errors: []api.Message{{
					Text: fmt.Sprintf("cannot import %q: hogpipe serves %s itself, not its files (import %q)", args.Path, root, root),
				}}}, nil
			}
			if unsupportedModules[root] || strings.HasPrefix(root, "@google-cloud/") {
				return api.OnResolveResult{Errors: []api.Message{{
					Text: fmt.Sprintf("cannot import %q: hogpipe does not support this package yet (it needs Node's sockets, file system or native code); "+
						"of the packages the PostHog plugin server provided it serves %s", args.Path, servedProvidedPackages),
				}}}, nil
			}
			return api.OnResolveResult{}, nil
		})
	}}
}

// confinePlugin keeps the bundle to the plugin's folder: an import of an
// absolute path or one climbing out with ../ (or a symlink pointing out)
// would otherwise bundle a file of the host (a .json or .txt is read as
// data) into code the plugin controls. It runs before the other loaders.
func confinePlugin(dir string) api.Plugin {
	return api.Plugin{Name: "hogpipe-confine", Setup: func(b api.PluginBuild) {
		root, rootErr := realPath(dir)
		b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: "file"}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			if rootErr != nil {
				return api.OnLoadResult{}, rootErr
			}
			real, err := realPath(args.Path)
			if err != nil {
				return api.OnLoadResult{}, err
			}
			if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return api.OnLoadResult{Errors: []api.Message{{
					Text: fmt.Sprintf("cannot import %q: it is outside the plugin's folder %s", args.Path, dir),
				}}}, nil
			}
			return api.OnLoadResult{}, nil
		})
	}}
}

// realPath is path made absolute with its symlinks resolved.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// typescriptEverywherePlugin parses the plugin's own .js files as TypeScript,
// as the original did (type annotations in a .js file work). Packages under
// node_modules keep the JavaScript parser.
func typescriptEverywherePlugin() api.Plugin {
	return api.Plugin{Name: "hogpipe-typescript", Setup: func(b api.PluginBuild) {
		b.OnLoad(api.OnLoadOptions{Filter: `\.(js|mjs|cjs)$`}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			if strings.Contains(filepath.ToSlash(args.Path), "/node_modules/") {
				return api.OnLoadResult{}, nil
			}
			data, err := os.ReadFile(args.Path)
			if err != nil {
				return api.OnLoadResult{}, err
			}
			contents := string(data)
			return api.OnLoadResult{Contents: &contents, Loader: api.LoaderTS}, nil
		})
	}}
}

var couldNotResolve = regexp.MustCompile(`^Could not resolve "([^"]+)"`)

// buildError turns esbuild's messages into one error with file:line:column.
func buildError(m *Manifest, msgs []api.Message) error {
	var lines []string
	for _, msg := range msgs {
		text := msg.Text
		if match := couldNotResolve.FindStringSubmatch(text); match != nil {
			mod := match[1]
			if strings.HasPrefix(mod, ".") {
				text = fmt.Sprintf("cannot import %q: file not found", mod)
			} else {
				text = fmt.Sprintf("cannot import %q: hogpipe does not provide it and it is not in the plugin's node_modules (run `npm install %s` next to plugin.json)", mod, mod)
			}
		}
		if loc := msg.Location; loc != nil {
			file := loc.File
			if rel, err := filepath.Rel(m.Dir, filepath.Join(m.Dir, file)); err == nil && !filepath.IsAbs(file) {
				file = rel
			}
			text = fmt.Sprintf("%s:%d:%d: %s", file, loc.Line, loc.Column+1, text)
		}
		lines = append(lines, text)
	}
	return fmt.Errorf("build failed: %s", strings.Join(lines, "; "))
}

func mustRel(base, path string) string {
	rel, err := filepath.Rel(base, path)
	if err != nil {
		return path
	}
	return rel
}
