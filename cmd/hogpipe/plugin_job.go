package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/hogpipe/hogpipe/pluginhost"
	"github.com/hogpipe/hogpipe/schedule"
	"github.com/hogpipe/hogpipe/state"
)

func pluginJobCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "payload", Usage: "the job's payload as JSON (a falsy one such as null calls job(meta))", Value: "{}"},
		&cli.StringFlag{Name: "redis-url", Usage: "the Redis of the pipelines (their redis_url)"},
		&cli.StringFlag{Name: "state-dir", Usage: "the state folder of the pipeline (its state_dir)"},
		&cli.Int64Flag{Name: "plugin-id", Usage: "the plugin_id of the components (default: derived from the plugin's name)"},
		&cli.Int64Flag{Name: "plugin-config-id", Usage: "the plugin_config_id of the instance (default: the plugin id)"},
		&cli.DurationFlag{Name: "in", Usage: "run the job after this long instead of now, as runIn"},
	}
	const usage = "usage: hogpipe plugin job PATH NAME [--payload JSON] [--redis-url URL | --state-dir DIR] [--plugin-config-id N] [--in DURATION]"
	return &cli.Command{
		Name:      "job",
		Usage:     "Enqueue a job of a plugin instance for the posthog_schedule inputs that run it",
		ArgsUsage: "PATH NAME",
		Description: `Stores the job NAME of the plugin at PATH in the job queue of its instance,
where a running posthog_schedule input of that instance (same plugin_config_id,
same redis_url or state_dir) takes it and calls jobs[NAME](payload, meta), as
for meta.jobs.NAME(payload).runNow(). Typical for a plugin's publicJobs.

The queue is the one the pipelines use: --redis-url for Redis, or --state-dir
for the state file of a single process (the file is locked while that process
runs, so stop it first or use Redis). The instance is --plugin-config-id,
which defaults to --plugin-id, which defaults to the id derived from the
plugin's name, as in the components. Flags may come before or after PATH NAME.

  hogpipe plugin job ./plugins/backfill runBackfill --payload '{"days":7}' --redis-url redis://localhost:6379/0`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			args, get, err := interspersedFlags(c, flags)
			if err != nil {
				return cli.Exit(err.Error()+"\n"+usage, 2)
			}
			if len(args) != 2 {
				return cli.Exit(usage, 2)
			}
			req := pluginJobRequest{
				path:           args[0],
				name:           args[1],
				payload:        get("payload").(string),
				redisURL:       get("redis-url").(string),
				stateDir:       get("state-dir").(string),
				pluginID:       get("plugin-id").(int64),
				pluginConfigID: get("plugin-config-id").(int64),
				delay:          get("in").(time.Duration),
			}
			if err := enqueuePluginJob(c.Context, req, os.Stdout, os.Stderr); err != nil {
				return cli.Exit(err.Error(), 1)
			}
			return nil
		},
	}
}

type pluginJobRequest struct {
	path, name, payload string
	redisURL, stateDir  string
	pluginID            int64
	pluginConfigID      int64
	delay               time.Duration
}

// enqueuePluginJob stores the job and says so on out; warnings go to errOut.
func enqueuePluginJob(ctx context.Context, req pluginJobRequest, out, errOut io.Writer) error {
	switch {
	case req.redisURL == "" && req.stateDir == "":
		return errors.New("give --redis-url or --state-dir: the queue must be the one the pipelines use (this command's memory ends with it)")
	case req.redisURL != "" && req.stateDir != "":
		return errors.New("give either --redis-url or --state-dir, not both")
	case req.name == "":
		return errors.New("a job name is required")
	case req.delay < 0:
		return errors.New("--in must not be negative")
	}
	payload := strings.TrimSpace(req.payload)
	if !json.Valid([]byte(payload)) {
		return fmt.Errorf("--payload is not JSON: %s", payload)
	}
	dir, err := pluginhost.ResolveSource(req.path)
	if err != nil {
		return err
	}
	manifest, err := pluginhost.LoadManifest(dir)
	if err != nil {
		return err
	}
	log := stderrLogger{w: errOut}
	if len(manifest.PublicJobs) > 0 {
		if _, ok := manifest.PublicJobs[req.name]; !ok {
			public := make([]string, 0, len(manifest.PublicJobs))
			for name := range manifest.PublicJobs {
				public = append(public, name)
			}
			slices.Sort(public)
			log.Warnf("plugin %q lists no public job %q (its publicJobs: %s); enqueueing it anyway", manifest.Name, req.name, strings.Join(public, ", "))
		}
	}
	pluginID := req.pluginID
	if pluginID == 0 {
		pluginID = pluginhost.DerivePluginID(manifest.Name)
	}
	configID := req.pluginConfigID
	if configID == 0 {
		configID = pluginID
	}

	backend, err := state.Acquire(state.Options{RedisURL: req.redisURL, StateDir: req.stateDir, Logger: log})
	if err != nil {
		return err
	}
	defer func() { _ = backend.Release() }()
	// Only Redis shows whether a schedule input runs the instance: a state
	// file's input lives in another process's memory.
	var marks schedule.Marks
	if req.redisURL != "" {
		marks = backend.Cache()
	}
	queue := schedule.NewQueue(backend.Jobs(), marks, log, schedule.WithWarnAfter(0))
	due := time.Now().Add(req.delay).UTC()
	job := pluginhost.Job{PluginConfigID: configID, Name: req.name, Payload: []byte(payload), RunAt: due}
	if err := queue.EnqueueJob(ctx, job); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "enqueued job %q of plugin %q (plugin_config_id %d), due %s\n",
		req.name, manifest.Name, configID, due.Format(time.RFC3339))
	return err
}
