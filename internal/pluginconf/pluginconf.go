// Package pluginconf holds the config fields every PostHog plugin component
// shares (the processor, the schedule input and the export output) and turns
// them into pluginhost options, so no component repeats another's fields.
package pluginconf

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/pluginhost"
	"github.com/hogpipe/hogpipe/schedule"
	"github.com/hogpipe/hogpipe/state"
)

// Version is the hogpipe version reported as $lib_version; cmd/hogpipe sets it.
var Version = "0.1.0"

const (
	FieldPath           = "path"
	FieldConfig         = "config"
	FieldAttachments    = "attachments"
	FieldGeoIPDatabase  = "geoip_database"
	FieldTimeout        = "timeout"
	FieldMaxMemory      = "max_memory"
	FieldVMs            = "vms"
	FieldConcurrency    = "event_concurrency"
	FieldPluginID       = "plugin_id"
	FieldPluginConfigID = "plugin_config_id"
	FieldTeamID         = "team_id"
	FieldRedisURL       = "redis_url"
	FieldStateDir       = "state_dir"

	FieldSetupRetryInterval = "setup_retry_initial_interval"
	FieldSetupMaxRetries    = "setup_max_retries"

	FieldFetchAllow       = "fetch_allow"
	FieldFetchDenyPrivate = "fetch_deny_private"
	FieldPostHogHost      = "posthog_host"
	FieldProjectAPIKey    = "posthog_project_api_key"
	FieldPersonalAPIKey   = "posthog_personal_api_key"
)

// PositiveDurationLint is a lint rule refusing zero and negative durations.
// Lint rules run in Bloblang's core environment, which lacks the pure
// bundle's parse_duration, so the rule reads the duration's text: a leading
// minus, or only zero digits between the units.
func PositiveDurationLint(field string) string {
	return `root = if this.type() == "string" && this.trim().re_match("^(-|[+]?([0.]+[a-zµμ]*)+$)") { ["` + field + ` must be positive"] }`
}

// Fields are the plugin fields, in documentation order.
func Fields() []*service.ConfigField {
	return []*service.ConfigField{
		service.NewStringField(FieldPath).
			Description("Folder holding the plugin's `plugin.json` and code (`main`, else `index.js`, else `index.ts`). Relative paths are resolved from the working directory.").
			Example("./plugins/hello-world"),
		service.NewAnyField(FieldConfig).
			Description("The plugin's configuration, keyed by the `key`s of its `plugin.json` `config` schema. Values reach the plugin as the original server stored them: scalars of `string` and `choice` fields become strings, and a `json` field (a YAML object or array, or JSON text) arrives as JSON text. Values are validated at start-up: missing required values (incl. `required_if`), choices outside `choices` and invalid JSON stop the pipeline with an error naming the key. Keys the schema does not declare reach `meta.config` as given (plugins read such keys, and stored configs keep those of older plugin versions), with one warning naming them and the declared key each is closest to. `hogpipe echo` shows the values of keys marked `secret` in `plugin.json` as `!!!SECRET_SCRUBBED!!!` (every value, when the plugin's `plugin.json` cannot be read locally); environment variables (`${API_KEY}`) keep secrets out of config files.").
			Default(map[string]any{}).
			Example(map[string]any{"bar": "baz"}),
		service.NewStringMapField(FieldAttachments).
			Description("Files for the plugin's `attachment` config fields: config key to file path. The plugin sees `meta.attachments[key]` with `content_type`, `file_name` and `contents` (a Buffer).").
			Default(map[string]any{}).
			Example(map[string]any{"maxmindMmdb": "./GeoLite2-City.mmdb"}),
		service.NewStringField(FieldGeoIPDatabase).
			Description("A MaxMind City database (`.mmdb`) that backs `meta.geoip.locate(ip)`. Without it `meta.geoip` is absent.").
			Default("").
			Example("./GeoLite2-City.mmdb"),
		service.NewStringListField(FieldFetchAllow).
			Description("Hosts the plugin's `fetch` may reach: exact names (`api.example.com`, an IP address) or `*.example.com` for any name under a domain (not the domain itself), each optionally with `:port`. Checked on every request, redirects included. Empty allows every host.").
			Default([]any{}).
			Example([]any{"api.hubapi.com", "*.example.com"}),
		service.NewBoolField(FieldFetchDenyPrivate).
			Description("Refuse `fetch` (and webhooks, `posthog.api`) to every address the IANA IPv4 and IPv6 special-purpose registries mark as not globally reachable — loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local, benchmarking (198.18.0.0/15), documentation (TEST-NETs, 2001:db8::/32), IETF protocol assignments (192.0.0.0/24, 2001::/23 incl. Teredo), 6to4 (2002::/16, 192.88.99.0/24), NAT64 local-use, discard-only, unspecified (0.0.0.0/8), reserved (240.0.0.0/4, IPv6 outside 2000::/3) — and multicast. The check is on the address actually connected to, after DNS resolution, on every redirect hop, so names resolving to internal addresses and numeric forms such as `http://2130706433/` are refused too. Through an `HTTP_PROXY`/`HTTPS_PROXY` the target is checked before the request goes to the proxy: its name is resolved here and refused if any address is not public or if it does not resolve (the proxy resolves it again, so to be safe from DNS rebinding make the proxy refuse private targets as well). Turn this on for plugins you do not trust.").
			Default(false),
		service.NewDurationField(FieldTimeout).
			Description("Time limit of each call into the plugin (`setupPlugin`, `teardownPlugin`, `processEvent`, `processEventBatch`, …). A call that exceeds it fails; the VM it ran on is interrupted (an endless loop cannot hang the pipeline), discarded and rebuilt with a fresh `meta.global` and a new `setupPlugin`.").
			Default("30s").
			LintRule(PositiveDurationLint(FieldTimeout)),
		service.NewStringField(FieldMaxMemory).
			Description("Memory budget of each VM: a VM whose running JavaScript grows the heap by more than this is interrupted and discarded like after a timeout, and the call fails with an error naming `max_memory` (the processor flags the event and passes it on unchanged; it is not retried). goja cannot account memory per VM, so this is the growth of the process's live heap (confirmed after a garbage collection) while one stretch of the VM's JavaScript runs, sampled every 20 ms: it stops a call that allocates without end, not memory a plugin keeps across calls, and a call running beside one that allocates hundreds of MiB may be blamed with it. A size in bytes with an optional unit (`KiB`, `MiB`, `GiB`, `KB`, `MB`, `GB`); `0` turns the budget off. Other limits are fixed: 2,500 call frames, JSON nested 1,000 deep in `JSON.parse`, `JSON.stringify` and events, 1,000 pending timers and 100 open `fetch` requests per VM, 64 MiB from one `zlib` decompression, and 16 MiB and arrays of 1,048,576 elements in a returned event.").
			Default("512MiB").
			Advanced().
			Example("1GiB").
			LintRule(`root = if this.type() != "string" || !this.trim().re_match("(?i)^[0-9]+(\\.[0-9]+)?\\s*([kmg]i?b|b)?$") { ["max_memory must be a size such as 512MiB, 1GB or 0"] }`),
		service.NewDurationField(FieldSetupRetryInterval).
			Description("When `setupPlugin` throws a `RetryError`, it is run again after this long, then after twice as long each time (5 s, 10 s, 20 s, 40 s, 80 s by default, as the original server did). Any other error from `setupPlugin` is not retried. Outputs and inputs run `setupPlugin` when they connect, so the rest of the stream starts meanwhile; the processor runs it at start-up.").
			Default("5s").
			Advanced(),
		service.NewIntField(FieldSetupMaxRetries).
			Description("How many times a `setupPlugin` that throws `RetryError` is retried before the plugin fails to start. 0 disables retrying.").
			Default(5).
			Advanced().
			LintRule(`root = if this < 0 { ["setup_max_retries must be 0 or more"] }`),
		service.NewIntField(FieldVMs).
			Description("Number of JavaScript VMs running the plugin; each has its own `meta.global` and runs `setupPlugin`. Batches from the pipeline's threads are spread over them. 0 means one per CPU (GOMAXPROCS).").
			Default(0).
			Advanced().
			LintRule(`root = if this < 0 { ["vms must be 0 (one per CPU) or more"] }`),
		service.NewIntField(FieldConcurrency).
			Description("How many events of one batch a VM runs at once. Events that await I/O (fetch, Redis) overlap; events that never wait run one after another whatever this is. 10 is what the original server ran per worker. With `redis_url`, more in flight means fuller Redis pipelines: 50 gave a quarter more throughput to a plugin awaiting the cache on each event (see the README's Performance section).").
			Default(10).
			Advanced().
			LintRule(`root = if this < 1 { ["event_concurrency must be at least 1"] }`),
		service.NewIntField(FieldPluginID).
			Description("The plugin's id. When set, cache keys are the plugin's (`@plugin/<plugin_id>/<team_id or @all>/<key>`), shared by its instances as in PostHog; unset, they are the instance's (`@plugin/<plugin_config_id>/…`). Defaults to a stable number derived from the plugin's name, the same in every process.").
			Optional().
			Advanced().
			Example(42),
		service.NewIntField(FieldPluginConfigID).
			Description("The id of this plugin instance (defaults to `plugin_id`). Storage, cursors, jobs, schedules (and, without `plugin_id`, the cache) are per instance, and `$plugins_succeeded` entries read `<name> (<plugin_config_id>)`. Two configurations of the same plugin in one deployment must set different values. Components of one process naming the same `plugin_config_id` (or, unset, plugins with the same `plugin.json` name) must load the same plugin folder — a processor and the `posthog_schedule` input of one instance do — otherwise start-up stops with an error naming both folders.").
			Optional().
			Advanced().
			Example(7),
		service.NewIntField(FieldTeamID).
			Description("The team the plugin works for: the cache namespace uses it instead of `@all`, and events captured outside an event (scheduled tasks, jobs) get it as `team_id`.").
			Optional().
			Advanced().
			Example(1),
		service.NewURLField(FieldPostHogHost).
			Description("The PostHog instance `posthog.api.get/post/put/delete(path, {data, host, projectApiKey, personalApiKey})` talks to, unless a call names its own `host`. The two keys below go to this origin (scheme, host and port) only: they are added by hogpipe outside the plugin's JavaScript (a plugin cannot read them, even by replacing built-ins such as `Headers.prototype.append`), a call whose `host` points elsewhere is sent without them (a warning is logged once), and a redirect from this host to another origin is refused. Keys a plugin passes itself go wherever it sends them. Must be an `http(s)://` URL without credentials; keys set without it are never sent.").
			Default("").
			Advanced().
			Example("https://us.posthog.com"),
		service.NewStringField(FieldProjectAPIKey).
			Description("Project API key `posthog.api` sends as `token`.").
			Default("").
			Secret().
			Advanced(),
		service.NewStringField(FieldPersonalAPIKey).
			Description("Personal API key `posthog.api` sends as `Authorization: Bearer …`.").
			Default("").
			Secret().
			Advanced(),
		service.NewURLField(FieldRedisURL).
			Description("A `redis://` or `rediss://` URL (with auth and DB number) for `meta.cache`, `meta.storage` and cursors, shared by every hogpipe process using it. Empty means in-process state, shared by the components of this process only.").
			Default("").
			Example("redis://localhost:6379/0"),
		service.NewStringField(FieldStateDir).
			Description("Without `redis_url`: a folder where `meta.storage` and cursors persist across restarts (a bbolt file). Empty keeps them in memory.").
			Default("").
			Advanced().
			Example("./hogpipe-state"),
	}
}

// Instance is a loaded plugin with the state it holds; Close releases both.
type Instance struct {
	Plugin     *pluginhost.Plugin
	backend    *state.Backend
	metrics    *pluginMetrics
	setupRetry pluginhost.SetupRetry
	release    func() // its claim in instances
}

// instances is the registry of the plugin instances of this process: two
// different plugins may not take one plugin_config_id (and with it the
// state of an instance).
var instances pluginhost.Instances

// Load reads the plugin fields and loads the plugin (validating its config
// and compiling it); it does not start VMs.
func Load(conf *service.ParsedConfig, mgr *service.Resources, recordRuns bool) (*Instance, error) {
	opts, err := optionsFromParsed(conf)
	if err != nil {
		return nil, err
	}
	redisURL, _ := conf.FieldString(FieldRedisURL)
	stateDir, _ := conf.FieldString(FieldStateDir)
	setupRetry, err := SetupRetryFromParsed(conf)
	if err != nil {
		return nil, err
	}

	// A tarball or an archive URL is unpacked once; everything after reads
	// the folder.
	if opts.Path, err = pluginhost.ResolveSource(opts.Path); err != nil {
		return nil, err
	}
	manifest, err := pluginhost.LoadManifest(opts.Path)
	if err != nil {
		return nil, err
	}
	log := mgr.Logger().With("plugin", manifest.Name)
	backend, err := state.Acquire(state.Options{RedisURL: redisURL, StateDir: stateDir, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("plugin %q: state: %w", manifest.Name, err)
	}
	opts.Manifest = manifest
	opts.Logger = log
	opts.Cache = backend.Cache()
	opts.Storage = backend.Storage()
	opts.Jobs = schedule.NewQueue(backend.Jobs(), backend.Cache(), log)
	opts.RecordPluginRuns = recordRuns
	opts.Version = Version
	metrics := newPluginMetrics(mgr.Metrics(), manifest.Name)
	opts.Metrics = metrics

	plugin, err := pluginhost.Load(opts)
	if err != nil {
		_ = backend.Release()
		return nil, err
	}
	release, err := instances.Claim(plugin)
	if err != nil {
		_ = plugin.Close()
		_ = backend.Release()
		return nil, err
	}
	return &Instance{Plugin: plugin, backend: backend, metrics: metrics, setupRetry: setupRetry, release: release}, nil
}

// Close releases the plugin and its state backend.
func (in *Instance) Close() error {
	defer in.release()
	err := in.Plugin.Close()
	if relErr := in.backend.Release(); err == nil {
		err = relErr
	}
	return err
}

// Backend is the instance's state (the schedule input's locks, last runs
// and job queue live there too).
func (in *Instance) Backend() *state.Backend { return in.backend }

// SetupRetry is the back-off of setupPlugin's RetryErrors for this instance.
func (in *Instance) SetupRetry() pluginhost.SetupRetry { return in.setupRetry }

// SetupRetryFromParsed reads the setupPlugin retry fields.
func SetupRetryFromParsed(conf *service.ParsedConfig) (pluginhost.SetupRetry, error) {
	var retry pluginhost.SetupRetry
	var err error
	if retry.Initial, err = conf.FieldDuration(FieldSetupRetryInterval); err != nil {
		return retry, err
	}
	if retry.MaxRetries, err = conf.FieldInt(FieldSetupMaxRetries); err != nil {
		return retry, err
	}
	return retry, nil
}

func optionsFromParsed(conf *service.ParsedConfig) (pluginhost.Options, error) {
	var opts pluginhost.Options
	var err error
	if opts.Path, err = conf.FieldString(FieldPath); err != nil {
		return opts, err
	}
	rawConfig, err := conf.FieldAny(FieldConfig)
	if err != nil {
		return opts, err
	}
	if rawConfig != nil {
		values, ok := rawConfig.(map[string]any)
		if !ok {
			return opts, fmt.Errorf("field %s: expected an object of config values, got %T", FieldConfig, rawConfig)
		}
		opts.Config = values
	}
	if opts.Attachments, err = conf.FieldStringMap(FieldAttachments); err != nil {
		return opts, err
	}
	if opts.GeoIPDatabase, err = conf.FieldString(FieldGeoIPDatabase); err != nil {
		return opts, err
	}
	if opts.PostHogAPI.Host, err = conf.FieldString(FieldPostHogHost); err != nil {
		return opts, err
	}
	if opts.PostHogAPI.ProjectAPIKey, err = conf.FieldString(FieldProjectAPIKey); err != nil {
		return opts, err
	}
	if opts.PostHogAPI.PersonalAPIKey, err = conf.FieldString(FieldPersonalAPIKey); err != nil {
		return opts, err
	}
	if opts.FetchAllow, err = conf.FieldStringList(FieldFetchAllow); err != nil {
		return opts, err
	}
	if err := pluginhost.ValidateFetchAllow(opts.FetchAllow); err != nil {
		return opts, err
	}
	if opts.FetchDenyPrivate, err = conf.FieldBool(FieldFetchDenyPrivate); err != nil {
		return opts, err
	}
	if opts.Timeout, err = conf.FieldDuration(FieldTimeout); err != nil {
		return opts, err
	}
	if opts.Timeout <= 0 {
		return opts, fmt.Errorf("field %s: must be positive, got %v", FieldTimeout, opts.Timeout)
	}
	memory, err := conf.FieldString(FieldMaxMemory)
	if err != nil {
		return opts, err
	}
	if opts.MaxMemory, err = ParseSize(memory); err != nil {
		return opts, fmt.Errorf("field %s: %w", FieldMaxMemory, err)
	}
	if opts.MaxMemory == 0 {
		opts.MaxMemory = -1 // pluginhost takes 0 for its default
	}
	if opts.VMs, err = conf.FieldInt(FieldVMs); err != nil {
		return opts, err
	}
	if opts.EventConcurrency, err = conf.FieldInt(FieldConcurrency); err != nil {
		return opts, err
	}
	if conf.Contains(FieldPluginID) {
		id, err := conf.FieldInt(FieldPluginID)
		if err != nil {
			return opts, err
		}
		opts.PluginID = int64(id)
	}
	if conf.Contains(FieldPluginConfigID) {
		id, err := conf.FieldInt(FieldPluginConfigID)
		if err != nil {
			return opts, err
		}
		opts.PluginConfigID = int64(id)
	}
	if conf.Contains(FieldTeamID) {
		id, err := conf.FieldInt(FieldTeamID)
		if err != nil {
			return opts, err
		}
		team := int64(id)
		opts.TeamID = &team
	}
	return opts, nil
}

//------------------------------------------------------------------------------

// pluginMetrics exposes the plugin's declared metrics as Benthos metrics:
// sums as a counter, max and min as gauges holding the extreme seen.
type pluginMetrics struct {
	plugin  string
	sum     *service.MetricCounter
	extreme *service.MetricGauge

	mu   sync.Mutex
	seen map[string]float64
}

func newPluginMetrics(m *service.Metrics, plugin string) *pluginMetrics {
	return &pluginMetrics{
		plugin:  plugin,
		sum:     m.NewCounter("posthog_plugin_metric_sum", "plugin", "metric"),
		extreme: m.NewGauge("posthog_plugin_metric", "plugin", "metric", "kind"),
		seen:    make(map[string]float64),
	}
}

func (m *pluginMetrics) PluginMetric(name, kind string, value float64) {
	if kind == "sum" {
		m.sum.IncrFloat64(value, m.plugin, name)
		return
	}
	m.mu.Lock()
	key := kind + "\x00" + name
	prev, ok := m.seen[key]
	if !ok || (kind == "max" && value > prev) || (kind == "min" && value < prev) {
		m.seen[key] = value
		m.mu.Unlock()
		m.extreme.SetFloat64(value, m.plugin, name, kind)
		return
	}
	m.mu.Unlock()
}

// StartPool starts the plugin's VMs (running setupPlugin in each, retrying
// its RetryErrors with the instance's back-off until ctx ends).
func (in *Instance) StartPool(ctx context.Context) (*pluginhost.Pool, error) {
	return in.Plugin.StartWithRetry(ctx, in.setupRetry)
}

// sizeUnits are the units ParseSize knows, lower case.
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}

// ParseSize reads a size in bytes: a number with an optional unit (B, KB,
// MB, GB, KiB, MiB, GiB; any case, spaces allowed between).
func ParseSize(s string) (int64, error) {
	text := strings.TrimSpace(s)
	end := 0
	for end < len(text) && (text[end] >= '0' && text[end] <= '9' || text[end] == '.') {
		end++
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(text[end:]))]
	n, err := strconv.ParseFloat(text[:end], 64)
	if !ok || err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 512MiB, 1GB or 0", s)
	}
	return int64(n * unit), nil
}
