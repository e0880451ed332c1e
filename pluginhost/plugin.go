// Package pluginhost runs PostHog plugins: it loads plugin.json, validates the
// configuration, bundles the code with esbuild and runs it in a pool of goja
// VMs, each driven by an event loop and a watchdog, with the plugin server's
// semantics: meta (cache, storage, jobs, metrics, geoip, …), processEvent and
// processEventBatch, the exporters, scheduled tasks and jobs. The Node
// modules and web globals a VM serves come from internal/node and
// internal/web, listed in one table (host.go). It knows nothing of Benthos:
// the components in processors/, inputs/ and outputs/ adapt it.
package pluginhost

import (
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/hogpipe/hogpipe/internal/job"
	"github.com/hogpipe/hogpipe/internal/logonce"
	webfetch "github.com/hogpipe/hogpipe/internal/web/fetch"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/geoip"
	"github.com/hogpipe/hogpipe/internal/outbound"
	"github.com/hogpipe/hogpipe/state"
)

func init() {
	// goja compiles regular expressions Go's engine cannot run (look-behind,
	// back-references) with regexp2, which backtracks; a match timeout keeps
	// a pathological pattern from hanging a VM. goja offers no per-runtime knob.
	regexp2.DefaultMatchTimeout = 2 * time.Second
}

// DefaultTimeout bounds each plugin call unless configured otherwise, as the
// original server's task timeout did.
const DefaultTimeout = 30 * time.Second

// Logger is the part of Benthos' logger the host writes to.
type Logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
	Errorf(format string, args ...any)
}

// Metrics receives the plugin's declared metrics (the `metrics` export).
type Metrics interface {
	// PluginMetric records value for the metric name of the given kind
	// ("sum" adds, "max" and "min" keep the extreme).
	PluginMetric(name, kind string, value float64)
}

// JobQueue receives jobs enqueued with meta.jobs.
type JobQueue = job.Queue

// Job is one enqueued plugin job.
type Job = job.Job

// Options configure a plugin instance.
type Options struct {
	Path          string            // folder with plugin.json
	Manifest      *Manifest         // plugin.json already read from the folder Path; nil: Load resolves Path and reads it
	Config        map[string]any    // configured values
	Attachments   map[string]string // config key → file path
	GeoIPDatabase string            // optional MaxMind .mmdb

	// FetchAllow limits fetch to these hosts ("api.example.com",
	// "*.example.com", optionally with ":port"); empty allows every host.
	FetchAllow []string
	// FetchDenyPrivate refuses fetches to the addresses the IANA
	// special-purpose registries mark not globally reachable, and to
	// multicast (see internal/outbound).
	FetchDenyPrivate bool
	// PostHogAPI is the default target of posthog.api.
	PostHogAPI PostHogAPI

	Timeout time.Duration // bound of each call; default 30s
	// MaxMemory is each VM's memory budget in bytes: a VM whose running
	// JavaScript grows the heap by more is interrupted and discarded (see
	// heapGauge for how it is measured). 0 means DefaultMaxMemory, a
	// negative value no budget.
	MaxMemory        int64
	VMs              int // default GOMAXPROCS
	EventConcurrency int // events of one batch in flight per VM; default 10

	PluginID       int64  // default: derived from the plugin's name
	PluginConfigID int64  // default: PluginID; see Instances
	TeamID         *int64 // team of captured events with no source event

	// RecordPluginRuns appends "<name> (<id>)" to properties.$plugins_succeeded
	// or $plugins_failed after each processEvent.
	RecordPluginRuns bool

	Cache   state.Cache   // meta.cache backend
	Storage state.Storage // meta.storage and meta.utils.cursor backend
	Jobs    JobQueue      // nil: jobs are logged and dropped
	Metrics Metrics       // nil: plugin metrics are ignored
	Logger  Logger        // required
	Version string        // hogpipe version, for $lib_version
	Now     func() time.Time
}

// Plugin is a loaded, validated and compiled plugin instance, ready to start VMs.
type Plugin struct {
	manifest *Manifest
	config   *ResolvedConfig
	program  *goja.Program
	runLabel string
	// plainEvents hands processEvent plain objects instead of lazy
	// properties (see lazyevent.go).
	plainEvents bool
	entryName   string
	geoip       *geoip.Reader
	opts        Options
	log         Logger
	failures    *logonce.Log // errors no caller receives, logged once per cause
	cacheNS     string       // "@plugin/<plugin_id>/<team or @all>/"
	// configIDSource says where plugin_config_id came from ("set",
	// "plugin_id", "derived from the name"), for Instances' errors.
	configIDSource string
	storageNS      string // "@plugin-storage/<plugin_config_id>/"

	warnNoJobQueue sync.Once
	warnCapture    sync.Once
	// warnForeignAPIHost: posthog.api sent a request elsewhere than
	// posthog_host, without the keys.
	warnForeignAPIHost sync.Once

	fetch *webfetch.Fetch // fetch and its guarded client, shared by the VMs
}

// Load reads, validates and compiles the plugin at opts.Path. Every problem
// (plugin.json, config values, syntax) is reported here, before any event.
func Load(opts Options) (*Plugin, error) {
	if opts.Logger == nil {
		return nil, errors.New("pluginhost: a logger is required")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxMemory == 0 {
		opts.MaxMemory = DefaultMaxMemory
	}
	if opts.VMs <= 0 {
		opts.VMs = runtime.GOMAXPROCS(0)
	}
	if opts.EventConcurrency <= 0 {
		opts.EventConcurrency = 10
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Cache == nil || opts.Storage == nil {
		return nil, errors.New("pluginhost: cache and storage backends are required")
	}
	manifest, err := loadManifestOnce(&opts)
	if err != nil {
		return nil, err
	}
	config, err := manifest.ResolveConfig(opts.Config, opts.Attachments)
	if err != nil {
		return nil, err
	}
	// The host's own PostHog keys are secrets too: keep them out of logs.
	for _, key := range []string{opts.PostHogAPI.ProjectAPIKey, opts.PostHogAPI.PersonalAPIKey} {
		if key != "" {
			config.Secrets = append(config.Secrets, key)
		}
	}
	p := &Plugin{manifest: manifest, config: config, opts: opts}
	p.fetch = webfetch.New(fetchOptions(opts))
	p.log = redactingLogger{Logger: opts.Logger, config: config}
	p.failures = logonce.New(p.log, logonce.Options{})
	if config.Warning != "" && opts.Logger != nil {
		opts.Logger.Warnf("%s", config.Warning)
	}
	if err := checkPostHogAPI(opts.PostHogAPI); err != nil {
		return nil, pluginErrorf(manifest.Name, "posthog_host", "%w", err)
	}
	if api := opts.PostHogAPI; api.Host == "" && (api.ProjectAPIKey != "" || api.PersonalAPIKey != "") {
		p.log.Warnf("plugin %q: PostHog API keys are set without posthog_host: posthog.api sends them to posthog_host only, so it will not send them at all", manifest.Name)
	}
	if opts.PluginID == 0 {
		p.opts.PluginID = DerivePluginID(manifest.Name)
	}
	switch {
	case opts.PluginConfigID != 0:
		p.configIDSource = "set"
	case opts.PluginID != 0:
		p.configIDSource = "plugin_id"
	default:
		p.configIDSource = "derived from the name"
	}
	if opts.PluginConfigID == 0 {
		p.opts.PluginConfigID = p.opts.PluginID
	}
	team := "@all"
	if opts.TeamID != nil {
		team = strconv.FormatInt(*opts.TeamID, 10)
	}
	// The cache is the plugin's (plugin_id), as in PostHog, when plugin_id
	// is configured; otherwise the instance's: two instances given
	// different plugin_config_ids but no plugin_id may be different
	// plugins that only share a name. Unconfigured, both ids are the one
	// derived from the name, so keys do not change.
	cacheID := p.opts.PluginID
	if opts.PluginID == 0 {
		cacheID = p.opts.PluginConfigID
	}
	p.cacheNS = fmt.Sprintf("@plugin/%d/%s/", cacheID, team)
	p.runLabel = fmt.Sprintf("%s (%d)", manifest.Name, p.opts.PluginConfigID)
	p.storageNS = fmt.Sprintf("@plugin-storage/%d/", p.opts.PluginConfigID)

	external := hostModuleNames()
	entry, err := manifest.EntryFile()
	if err != nil {
		return nil, err
	}
	p.entryName = mustRel(manifest.Dir, entry)
	compiled, err := compileBundle(manifest, external)
	if err != nil {
		return nil, err
	}
	p.program, p.plainEvents = compiled.program, compiled.plainEvents
	if p.plainEvents {
		p.log.Infof("plugin %q: its code calls %s, which lazy events refuse: its events are plain objects (slower on large events)",
			manifest.Name, compiled.plainReason)
	}
	if opts.GeoIPDatabase != "" {
		if p.geoip, err = geoip.Open(opts.GeoIPDatabase); err != nil {
			return nil, pluginErrorf(manifest.Name, "geoip_database", "%w", err)
		}
	}
	return p, nil
}

// Name is the plugin's name from plugin.json.
func (p *Plugin) Name() string { return p.manifest.Name }

// Manifest is the parsed plugin.json.
func (p *Plugin) Manifest() *Manifest { return p.manifest }

// Config is the resolved configuration (for the reserved export keys).
func (p *Plugin) Config() *ResolvedConfig { return p.config }

// PluginID and PluginConfigID identify the instance (see Options).
func (p *Plugin) PluginID() int64       { return p.opts.PluginID }
func (p *Plugin) PluginConfigID() int64 { return p.opts.PluginConfigID }

// RunLabel is the entry written to $plugins_succeeded / $plugins_failed.
func (p *Plugin) RunLabel() string { return p.runLabel }

// Close releases what Load opened (the GeoIP database).
func (p *Plugin) Close() error {
	p.failures.Flush()
	p.fetch.Close()
	if p.geoip != nil {
		return p.geoip.Close()
	}
	return nil
}

// DerivePluginID is a stable positive number derived from a plugin's name,
// the same in every process, for plugins configured without plugin_id.
func DerivePluginID(name string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return int64(h.Sum32()%1_000_000_000) + 1
}

// redactingLogger keeps secret config values out of everything the plugin logs.
type redactingLogger struct {
	Logger
	config *ResolvedConfig
}

func (l redactingLogger) Debugf(f string, a ...any) {
	l.Logger.Debugf("%s", l.config.Redact(fmt.Sprintf(f, a...)))
}
func (l redactingLogger) Infof(f string, a ...any) {
	l.Logger.Infof("%s", l.config.Redact(fmt.Sprintf(f, a...)))
}
func (l redactingLogger) Warnf(f string, a ...any) {
	l.Logger.Warnf("%s", l.config.Redact(fmt.Sprintf(f, a...)))
}
func (l redactingLogger) Errorf(f string, a ...any) {
	l.Logger.Errorf("%s", l.config.Redact(fmt.Sprintf(f, a...)))
}

// fetchOptions are fetch's rules from the plugin's options.
func fetchOptions(opts Options) webfetch.Options {
	return webfetch.Options{Allow: opts.FetchAllow, DenyPrivate: opts.FetchDenyPrivate}
}

// ValidateFetchAllow checks fetch_allow patterns, so a typo stops the
// pipeline at start-up rather than failing every fetch.
func ValidateFetchAllow(patterns []string) error { return outbound.ValidateAllow(patterns) }

// loadManifestOnce is the manifest of opts.Path: the one the caller already
// read, or, resolving Path (a folder, an npm tarball or an archive URL) to a
// folder first, the one read now.
func loadManifestOnce(opts *Options) (*Manifest, error) {
	if opts.Manifest != nil {
		return opts.Manifest, nil
	}
	dir, err := ResolveSource(opts.Path)
	if err != nil {
		return nil, err
	}
	return LoadManifest(dir)
}
