package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/hogpipe/hogpipe/internal/pluginconf"
	"github.com/hogpipe/hogpipe/pluginhost"
	"github.com/hogpipe/hogpipe/state"
)

func pluginCommand() *cli.Command {
	return &cli.Command{
		Name:  "plugin",
		Usage: "Work with a PostHog plugin directly, without a pipeline",
		Subcommands: []*cli.Command{
			pluginRunCommand(),
			pluginJobCommand(),
		},
	}
}

func pluginRunCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "plugin config values as a JSON object", Value: "{}"},
		&cli.StringSliceFlag{Name: "attachment", Usage: "an attachment as key=path (repeatable)"},
		&cli.StringFlag{Name: "geoip-database", Usage: "a MaxMind City .mmdb for meta.geoip"},
		&cli.DurationFlag{Name: "timeout", Usage: "time limit of each plugin call", Value: pluginhost.DefaultTimeout},
		&cli.IntFlag{Name: "batch-size", Usage: "events per processEventBatch call", Value: 1},
	}
	const usage = "usage: hogpipe plugin run PATH [--config JSON] [--attachment key=path] [--geoip-database FILE] [--timeout D] [--batch-size N] < events.jsonl"
	return &cli.Command{
		Name:      "run",
		Usage:     "Dry-run a plugin's processEvent on JSON lines from stdin",
		ArgsUsage: "PATH < events.jsonl",
		Description: `Loads the plugin at PATH (a folder with plugin.json), runs setupPlugin, then
processEvent (or processEventBatch) on each line of standard input, and prints
each resulting event as a JSON line, followed by the events it captured.
Dropped and failed events are reported on standard error. State lives in
memory for the run.

  hogpipe plugin run ./testdata/plugins/hello-world --config '{"bar":"qux"}' < events.jsonl`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			args, get, err := interspersedFlags(c, flags)
			if err != nil {
				return cli.Exit(err.Error()+"\n"+usage, 2)
			}
			if len(args) != 1 {
				return cli.Exit(usage, 2)
			}
			opts, err := dryRunOptions(args[0], get)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			if err := dryRun(c.Context, opts, get("batch-size").(int), os.Stdin, os.Stdout, os.Stderr); err != nil {
				return cli.Exit(err.Error(), 1)
			}
			return nil
		},
	}
}

func dryRunOptions(path string, get func(name string) any) (pluginhost.Options, error) {
	opts := pluginhost.Options{
		Path:          path,
		GeoIPDatabase: get("geoip-database").(string),
		Timeout:       get("timeout").(time.Duration),
		VMs:           1,
		Version:       pluginconf.Version,
	}
	if err := json.Unmarshal([]byte(get("config").(string)), &opts.Config); err != nil {
		return opts, fmt.Errorf("--config: not a JSON object: %w", err)
	}
	opts.Attachments = map[string]string{}
	var attachments []string
	switch v := get("attachment").(type) {
	case cli.StringSlice:
		attachments = v.Value()
	case *cli.StringSlice:
		attachments = v.Value()
	case []string:
		attachments = v
	}
	for _, a := range attachments {
		key, path, ok := strings.Cut(a, "=")
		if !ok || key == "" || path == "" {
			return opts, fmt.Errorf("--attachment %q: expected key=path", a)
		}
		opts.Attachments[key] = path
	}
	return opts, nil
}

// dryRun runs the plugin on the JSON lines of in. Results go to out, and a
// line per dropped or failed event (and the plugin's logs) to errOut.
func dryRun(ctx context.Context, opts pluginhost.Options, batchSize int, in io.Reader, out, errOut io.Writer) error {
	mem := state.NewMemory()
	defer mem.Close()
	opts.Cache, opts.Storage = mem.Cache(), mem.Storage()
	opts.Logger = stderrLogger{w: errOut}
	opts.RecordPluginRuns = false

	plugin, err := pluginhost.Load(opts)
	if err != nil {
		return err
	}
	defer plugin.Close()
	pool, err := plugin.Start(ctx)
	if err != nil {
		return err
	}
	defer pool.Close(context.Background())

	w := bufio.NewWriter(out)
	defer w.Flush()
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	var pending [][]byte
	var pendingLines []int
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		defer func() { pending, pendingLines = pending[:0], pendingLines[:0] }()
		if pool.UsesBatch() {
			res, err := pool.ProcessEventBatch(ctx, pending)
			if err != nil {
				return err
			}
			kept := map[int]bool{}
			for _, ev := range res.Events {
				kept[ev.From] = true
				if ev.Err != nil {
					fmt.Fprintf(errOut, "line %d: failed: %v\n", pendingLines[ev.From], ev.Err)
				}
				writeLine(w, ev.Event)
			}
			for i := range pending {
				if !kept[i] {
					fmt.Fprintf(errOut, "line %d: dropped\n", pendingLines[i])
				}
			}
			for _, e := range res.Captured {
				writeLine(w, e)
			}
			return nil
		}
		results, err := pool.ProcessEvents(ctx, pending)
		if err != nil {
			return err
		}
		for i, r := range results {
			switch {
			case r.Dropped:
				fmt.Fprintf(errOut, "line %d: dropped\n", pendingLines[i])
			case r.Err != nil:
				fmt.Fprintf(errOut, "line %d: failed: %v\n", pendingLines[i], r.Err)
				writeLine(w, r.Event)
			default:
				writeLine(w, r.Event)
			}
			for _, e := range r.Captured {
				writeLine(w, e)
			}
		}
		return nil
	}
	for scanner.Scan() {
		line++
		text := strings.TrimSpace(scanner.Text())
		if text == "" {
			continue
		}
		pending = append(pending, []byte(text))
		pendingLines = append(pendingLines, line)
		if len(pending) >= max(batchSize, 1) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	return flush()
}

func writeLine(w *bufio.Writer, b []byte) {
	_, _ = w.Write(b)
	_ = w.WriteByte('\n')
}

type stderrLogger struct{ w io.Writer }

func (l stderrLogger) logf(level, f string, a ...any) {
	fmt.Fprintf(l.w, "%s: %s\n", level, fmt.Sprintf(f, a...))
}
func (l stderrLogger) Debugf(f string, a ...any) {}
func (l stderrLogger) Infof(f string, a ...any)  { l.logf("info", f, a...) }
func (l stderrLogger) Warnf(f string, a ...any)  { l.logf("warn", f, a...) }
func (l stderrLogger) Errorf(f string, a ...any) { l.logf("error", f, a...) }
