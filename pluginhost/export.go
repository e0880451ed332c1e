package pluginhost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/outbound"
)

// This file runs the functions an output calls: onEvent, exportEvents and
// composeWebhook. Each call makes one attempt; retrying is the caller's.

// OutputEvent is one message given to an output function.
type OutputEvent struct {
	// Data is the message: a JSON object shaped like a PluginEvent (or a
	// ProcessedPluginEvent).
	Data []byte
	// UUID is the event's uuid when it has none. The caller picks it once per
	// message, so every call and retry sees the same event.
	UUID string
	// Received is the event's timestamp when it has neither timestamp nor now.
	Received time.Time
}

// EventOutcome is what became of one event given to an output function.
type EventOutcome struct {
	// Called is set when the plugin was given the event; it is not for a
	// $snapshot event, an event on the export ignore-list, or a message that
	// is not a JSON object (Err is then ErrNotJSONObject).
	Called bool
	// Err is the failure: ErrNotJSONObject or the plugin's *PluginError (for
	// exportEvents, the call's error, the same for every event of the call).
	Err error
	// Webhook is the request composeWebhook returned; nil when it returned null.
	Webhook *Webhook
}

// OutputResult is the outcome of one output call, event by event.
type OutputResult struct {
	Events []EventOutcome
	// Captured counts posthog.capture calls made during the call. An output
	// has no stream for them to join: they are dropped (and logged once).
	Captured int64
}

// Webhook is a request returned by composeWebhook.
type Webhook struct {
	URL    string
	Method string // POST when the plugin gave none
	// Headers in the plugin's order; Content-Type: application/json when the
	// plugin gave none.
	Headers [][2]string
	Body    []byte
}

// ExportInfo is what an output needs to know before it starts the plugin.
type ExportInfo struct {
	OnEvent, ExportEvents, ComposeWebhook bool
	// HandlesLargeBatches is getSettings(meta).handlesLargeBatches.
	HandlesLargeBatches bool
}

// Export buffer bounds of the reserved config keys, as the original server
// clamped them.
const (
	ExportBufferBytesDefault = 1024 * 1024
	ExportBufferBytesMin     = 1
	ExportBufferBytesMax     = 100 * 1024 * 1024
	ExportBufferSecondsMin   = 1
	ExportBufferSecondsMax   = 600
	exportBufferSecondsDef   = 10
)

// ExportBuffer reads the reserved keys exportEventsBufferBytes (default
// 1 MiB, clamped to 1 B–100 MiB) and exportEventsBufferSeconds (default 10,
// clamped to 1–600). A value that is not a number gives the default, as the
// original's parseInt(…) || default did.
func (p *Plugin) ExportBuffer() (bytes int, period time.Duration) {
	bytes = configInt(p.config.Values["exportEventsBufferBytes"], ExportBufferBytesDefault)
	bytes = min(max(bytes, ExportBufferBytesMin), ExportBufferBytesMax)
	seconds := configInt(p.config.Values["exportEventsBufferSeconds"], exportBufferSecondsDef)
	seconds = min(max(seconds, ExportBufferSecondsMin), ExportBufferSecondsMax)
	return bytes, time.Duration(seconds) * time.Second
}

// ExportIgnore is the set of event names in the reserved key
// exportEventsToIgnore (comma-separated, spaces trimmed).
func (p *Plugin) ExportIgnore() map[string]bool {
	ignore := map[string]bool{}
	for _, name := range strings.Split(p.config.Values["exportEventsToIgnore"], ",") {
		if name = strings.TrimSpace(name); name != "" {
			ignore[name] = true
		}
	}
	return ignore
}

func configInt(s string, def int) int {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && s[end] == '-') {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil || n == 0 {
		return def
	}
	return n
}

// Inspect runs the plugin's code in a scratch VM, without setupPlugin, to see
// which output functions it exports, and calls getSettings(meta) when it
// exists (a getSettings that fails is logged and counts as {}).
func (p *Plugin) Inspect(ctx context.Context) (ExportInfo, error) {
	v, err := newBareVM(p, nil)
	if err != nil {
		return ExportInfo{}, err
	}
	defer v.shutdown()
	info := ExportInfo{}
	_, info.OnEvent = v.function("onEvent")
	_, info.ExportEvents = v.function("exportEvents")
	_, info.ComposeWebhook = v.function("composeWebhook")
	fn, ok := v.function("getSettings")
	if !ok {
		return info, nil
	}
	type settled struct {
		large bool
		err   error
	}
	done := make(chan settled, 1)
	v.loop.Submit(func() {
		var c *call
		c = v.newCall("getSettings", p.opts.Timeout, func(res goja.Value, err error) {
			var large bool
			if obj, ok := res.(*goja.Object); ok && err == nil {
				err = v.guard(c, "getSettings result", func() error {
					flag := obj.Get("handlesLargeBatches")
					large = present(flag) && flag.ToBoolean()
					return nil
				})
			}
			done <- settled{large, err}
		})
		v.start(c, fn, v.meta)
	})
	select {
	case s := <-done:
		if s.err != nil {
			p.log.Warnf("%v (using the default settings)", s.err)
		}
		info.HandlesLargeBatches = s.large
	case <-v.gone:
		p.log.Warnf("%v (using the default settings)", v.goneErr)
	case <-ctx.Done():
		return info, ctx.Err()
	}
	return info, nil
}

//------------------------------------------------------------------------------

// OnEvents calls onEvent once for each event, all on one VM, up to
// EventConcurrency at a time. $snapshot events are skipped, as the original
// server skipped them.
func (pool *Pool) OnEvents(ctx context.Context, events []OutputEvent) (OutputResult, error) {
	return pool.outputCall(ctx, events, func(v *vm, res *OutputResult, done chan<- error) {
		v.runEachEvent("onEvent", events, res, done)
	})
}

// ComposeWebhooks calls composeWebhook once for each event (a PostHogEvent),
// all on one VM; each outcome carries the returned request. $snapshot events
// are skipped.
func (pool *Pool) ComposeWebhooks(ctx context.Context, events []OutputEvent) (OutputResult, error) {
	return pool.outputCall(ctx, events, func(v *vm, res *OutputResult, done chan<- error) {
		v.runEachEvent("composeWebhook", events, res, done)
	})
}

// ExportEvents calls exportEvents once with the events, leaving out $snapshot
// events and those on the plugin's exportEventsToIgnore list.
func (pool *Pool) ExportEvents(ctx context.Context, events []OutputEvent) (OutputResult, error) {
	ignore := pool.plugin.ExportIgnore()
	return pool.outputCall(ctx, events, func(v *vm, res *OutputResult, done chan<- error) {
		v.runExportEvents(events, ignore, res, done)
	})
}

// outputCall runs one output call on a VM, moving to another one when the VM
// was discarded before it started.
func (pool *Pool) outputCall(ctx context.Context, events []OutputEvent, run func(*vm, *OutputResult, chan<- error)) (OutputResult, error) {
	return withVM(ctx, pool, func(v *vm) (OutputResult, error) {
		res := &OutputResult{Events: make([]EventOutcome, len(events))}
		done := make(chan error, 1)
		if !v.loop.Submit(func() { run(v, res, done) }) {
			return OutputResult{}, errVMGone
		}
		select {
		case err := <-done:
			if errors.Is(err, errVMGone) {
				return OutputResult{}, err
			}
			return *res, err
		case <-v.gone:
			given := OutputResult{Events: make([]EventOutcome, len(events))}
			for i := range given.Events {
				given.Events[i] = EventOutcome{Called: true, Err: v.goneErr}
			}
			return given, nil
		case <-ctx.Done():
			// The loop may still write into res: it is dropped, not read.
			return OutputResult{}, ctx.Err()
		}
	})
}

// runEachEvent starts function on up to EventConcurrency events and the next
// as each settles; done receives nil when all have settled.
func (v *vm) runEachEvent(function string, events []OutputEvent, res *OutputResult, done chan<- error) {
	if v.dead {
		done <- errVMGone
		return
	}
	fn, ok := v.function(function)
	if !ok || len(events) == 0 {
		done <- nil
		return
	}
	captured := new(atomic.Int64)
	next, pending := 0, len(events)
	var startNext func()
	finished := func() {
		pending--
		if pending == 0 {
			res.Captured = captured.Load()
			done <- nil
			return
		}
		if next < len(events) {
			startNext()
		}
	}
	startNext = func() {
		i := next
		next++
		v.startOutputEvent(function, fn, events[i], &res.Events[i], captured, finished)
	}
	for next < len(events) && next < v.plugin.opts.EventConcurrency {
		startNext()
	}
}

func (v *vm) startOutputEvent(function string, fn goja.Callable, ev OutputEvent, out *EventOutcome, captured *atomic.Int64, finished func()) {
	build := v.processedEvent
	if function == "composeWebhook" {
		build = v.postHogEvent
	}
	obj, name, err := build(ev)
	if err != nil {
		out.Err = err
		finished()
		return
	}
	if name == "$snapshot" {
		finished()
		return
	}
	out.Called = true
	var c *call
	c = v.newCall(function, v.plugin.opts.Timeout, func(result goja.Value, callErr error) {
		defer finished()
		if callErr != nil {
			out.Err = callErr
			return
		}
		if function == "composeWebhook" {
			out.Err = v.guard(c, "composeWebhook result", func() error {
				var err error
				out.Webhook, err = v.webhookFrom(result)
				return err
			})
		}
	})
	c.teamID = obj.Get("team_id")
	c.captures = v.outputCaptures(function, captured)
	v.start(c, fn, obj, v.meta)
}

func (v *vm) runExportEvents(events []OutputEvent, ignore map[string]bool, res *OutputResult, done chan<- error) {
	if v.dead {
		done <- errVMGone
		return
	}
	fn, ok := v.function("exportEvents")
	if !ok {
		done <- nil
		return
	}
	var objs []any
	var index []int
	var teamID goja.Value
	for i, ev := range events {
		obj, name, err := v.processedEvent(ev)
		switch {
		case err != nil:
			res.Events[i].Err = err
		case name == "$snapshot" || ignore[name]:
		default:
			if teamID == nil {
				teamID = obj.Get("team_id")
			}
			objs = append(objs, obj)
			index = append(index, i)
			res.Events[i].Called = true
		}
	}
	if len(objs) == 0 {
		done <- nil
		return
	}
	captured := new(atomic.Int64)
	c := v.newCall("exportEvents", v.plugin.opts.Timeout, func(_ goja.Value, err error) {
		for _, i := range index {
			res.Events[i].Err = err
		}
		res.Captured = captured.Load()
		done <- nil
	})
	c.teamID = teamID
	c.captures = v.outputCaptures("exportEvents", captured)
	v.start(c, fn, v.rt.NewArray(objs...), v.meta)
}

// outputCaptures counts posthog.capture calls made from an output function
// and says once, for the plugin, why their events go nowhere.
func (v *vm) outputCaptures(function string, count *atomic.Int64) func([]byte) {
	return func([]byte) {
		count.Add(1)
		v.plugin.warnCapture.Do(func() {
			v.plugin.log.Warnf("plugin %q: posthog.capture in %s has no stream to join: an output cannot emit events, so the event was dropped (capture from the posthog_plugin processor or a posthog_schedule input instead)",
				v.plugin.manifest.Name, function)
		})
	}
}

// webhookFrom reads composeWebhook's result: null or undefined means no
// request; otherwise {url, method?, headers?, body?}.
func (v *vm) webhookFrom(result goja.Value) (*Webhook, error) {
	if !present(result) {
		return nil, nil
	}
	fail := func(format string, args ...any) error {
		return &PluginError{Plugin: v.plugin.manifest.Name, Function: "composeWebhook", Message: fmt.Sprintf(format, args...)}
	}
	obj, ok := result.(*goja.Object)
	if !ok || obj.ClassName() != "Object" {
		return nil, fail("returned %s instead of a webhook object or null", describeValue(result))
	}
	hook := &Webhook{Method: "POST"}
	url, ok := stringOf(obj.Get("url"))
	if !ok || url == "" {
		return nil, fail("returned a webhook without a url")
	}
	hook.URL = url
	if m := obj.Get("method"); present(m) {
		hook.Method = strings.ToUpper(safeString(m))
	}
	if h, ok := obj.Get("headers").(*goja.Object); ok {
		for _, key := range h.Keys() {
			hook.Headers = append(hook.Headers, [2]string{key, safeString(h.Get(key))})
		}
	} else {
		hook.Headers = [][2]string{{"Content-Type", "application/json"}}
	}
	body := obj.Get("body")
	text, isString := stringOf(body)
	switch {
	case !present(body):
	case isString:
		hook.Body = []byte(text)
	default:
		encoded, err := encodeJSON(v.rt, nil, body)
		if err != nil {
			var stop *goja.InterruptedError
			if errors.As(err, &stop) {
				return nil, err
			}
			return nil, v.encodeError("composeWebhook body", err)
		}
		hook.Body = encoded
	}
	return hook, nil
}

//------------------------------------------------------------------------------

// WebhookAnswer is the answer to a webhook request.
type WebhookAnswer struct {
	StatusCode int
	Status     string // "503 Service Unavailable"
	Body       []byte // at most the first 512 bytes, for error messages
}

// ErrWebhookRefused marks a webhook request that cannot succeed as given: an
// invalid URL or method, or a host the plugin's fetch_allow or
// fetch_deny_private refuse. Trying again does not help.
var ErrWebhookRefused = errors.New("webhook request refused")

// SendWebhook performs a request composeWebhook returned with the plugin's
// fetch client, so fetch_allow and fetch_deny_private apply to it as they do
// to fetch. It is bounded by ctx and the plugin's timeout. An error means no
// answer: ErrWebhookRefused, or a network error.
func (p *Plugin) SendWebhook(ctx context.Context, hook *Webhook) (WebhookAnswer, error) {
	client, err := p.fetch.Client().HTTP()
	if err != nil {
		return WebhookAnswer{}, err
	}
	if !p.fetch.Client().Begin() {
		return WebhookAnswer{}, errors.New("the plugin is closed")
	}
	defer p.fetch.Client().End()
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, hook.Method, hook.URL, bytes.NewReader(hook.Body))
	if err == nil && req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		err = fmt.Errorf("unsupported URL scheme %q", req.URL.Scheme)
	}
	if err != nil {
		return WebhookAnswer{}, fmt.Errorf("%w: %w", ErrWebhookRefused, err)
	}
	for _, h := range hook.Headers {
		req.Header.Add(h[0], h[1])
	}
	resp, err := client.Do(req)
	if err != nil {
		var refused *outbound.RefusedError
		if errors.As(err, &refused) {
			return WebhookAnswer{}, fmt.Errorf("%w: %w", ErrWebhookRefused, refused)
		}
		return WebhookAnswer{}, err
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
	return WebhookAnswer{StatusCode: resp.StatusCode, Status: resp.Status, Body: excerpt}, nil
}
