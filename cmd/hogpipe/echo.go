package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/redpanda-data/benthos/v4/public/service"
	"gopkg.in/yaml.v3"

	"github.com/hogpipe/hogpipe/pluginhost"
)

// scrubbed replaces a secret in echoed configs; Benthos' own scrubber writes
// the same text.
const scrubbed = "!!!SECRET_SCRUBBED!!!"

// pluginComponents are the components whose `config` holds a plugin's
// values, with the secrets its plugin.json marks.
var pluginComponents = map[string]bool{"posthog_plugin": true, "posthog_schedule": true}

// rootValueFlags are the root flags that take a value, so that the value is
// not taken for the command ("hogpipe -c echo.yaml lint").
var rootValueFlags = map[string]bool{
	"-c": true, "--config": true, "-r": true, "--resources": true, "-s": true, "--set": true,
	"-e": true, "--env-file": true, "-t": true, "--templates": true, "--log.level": true,
}

// isEcho tells whether args (with the binary name first) run the echo command.
func isEcho(args []string) bool {
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return false
		}
		if strings.HasPrefix(a, "-") {
			if rootValueFlags[a] {
				i++
			}
			continue
		}
		return a == "echo"
	}
	return false
}

// runEcho runs Benthos' echo with its output captured, then hides what
// Benthos cannot know is secret: the values of plugin config keys that the
// plugin's plugin.json marks `secret` (Benthos already hides secret fields
// and URL passwords).
func runEcho(ctx context.Context, stdout io.Writer, opts ...service.CLIOptFunc) int {
	var out bytes.Buffer
	var runErr error
	code, err := captureStdout(&out, func() int {
		code, err := service.RunCLIToCode(ctx, opts...)
		runErr = err
		return code
	})
	if err == nil {
		err = runErr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo: %v\n", err)
		return 1
	}
	if code != 0 || out.Len() == 0 {
		_, _ = stdout.Write(out.Bytes())
		return code
	}
	redacted, err := redactPluginSecrets(out.Bytes())
	if err != nil {
		// Printing the config unredacted is what this guards against.
		fmt.Fprintf(os.Stderr, "echo: cannot hide the plugins' secret config values: %v\n", err)
		return 1
	}
	_, _ = stdout.Write(redacted)
	return 0
}

// captureStdout runs fn with os.Stdout sent to w: Benthos' CLI writes to the
// os.Stdout of the moment it starts.
func captureStdout(w io.Writer, fn func() int) (int, error) {
	r, pw, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(w, r) })
	saved := os.Stdout
	os.Stdout = pw
	code := fn()
	os.Stdout = saved
	_ = pw.Close()
	wg.Wait()
	_ = r.Close()
	return code, nil
}

// redactPluginSecrets scrubs, in an echoed config, the secret values of
// every plugin component's `config`. When a plugin's plugin.json cannot be
// read here (an archive URL, a missing folder), every value is scrubbed.
func redactPluginSecrets(doc []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, err
	}
	walkYAML(&root, func(n *yaml.Node) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if pluginComponents[n.Content[i].Value] && n.Content[i+1].Kind == yaml.MappingNode {
				redactComponent(n.Content[i+1])
			}
		}
	})
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func walkYAML(n *yaml.Node, fn func(*yaml.Node)) {
	fn(n)
	for _, c := range n.Content {
		walkYAML(c, fn)
	}
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func redactComponent(comp *yaml.Node) {
	config := mappingValue(comp, "config")
	if config == nil || config.Kind != yaml.MappingNode {
		return
	}
	secret := func(string) bool { return true }
	if path := mappingValue(comp, "path"); path != nil {
		if keys, ok := secretKeys(path.Value); ok {
			secret = func(k string) bool { return keys[k] }
		}
	}
	for i := 0; i+1 < len(config.Content); i += 2 {
		if secret(config.Content[i].Value) {
			scrubNode(config.Content[i+1])
		}
	}
}

// scrubNode replaces every non-empty scalar under n.
func scrubNode(n *yaml.Node) {
	walkYAML(n, func(s *yaml.Node) {
		if s.Kind == yaml.ScalarNode && s.Value != "" && s.Tag != "!!null" {
			s.Value, s.Tag, s.Style = scrubbed, "!!str", yaml.SingleQuotedStyle
		}
	})
}

// secretKeys reads the secret keys of the plugin at path, without
// downloading anything.
func secretKeys(path string) (map[string]bool, bool) {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return nil, false
	}
	dir, err := pluginhost.ResolveSource(path)
	if err != nil {
		return nil, false
	}
	m, err := pluginhost.LoadManifest(dir)
	if err != nil {
		return nil, false
	}
	keys := map[string]bool{}
	for _, f := range m.Config {
		if f.Secret && f.Key != "" {
			keys[f.Key] = true
		}
	}
	return keys, true
}
