package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/dop251/goja"
)

// EventResult is what became of one event given to processEvent.
type EventResult struct {
	// Event is the resulting event as JSON; on failure, the event in its last
	// good state. Nil when Dropped.
	Event   []byte
	Dropped bool
	// Err is set when the plugin failed on this event (or the input was not a
	// JSON object); Event then still carries the event on.
	Err error
	// Captured are the events posthog.capture emitted while processing it.
	Captured [][]byte
}

// BatchResult is what processEventBatch made of a batch.
type BatchResult struct {
	// Events are the resulting events in order. When the call fails, they
	// are the inputs in their last state, each with the error.
	Events   []BatchEvent
	Captured [][]byte
}

// BatchEvent is one event of a BatchResult.
type BatchEvent struct {
	Event []byte
	// From is the input the event derives from: the input whose object the
	// plugin returned, else the input with the same uuid, else the first.
	From int
	Err  error
}

// UsesBatch reports whether the plugin is driven through processEventBatch
// (it exports it and not processEvent, which wins when both exist).
func (pool *Pool) UsesBatch() bool {
	return !pool.Has("processEvent") && pool.Has("processEventBatch")
}

// ProcessEvents runs processEvent on each event; all events of the call go to
// one VM, up to EventConcurrency of them in flight at once.
func (pool *Pool) ProcessEvents(ctx context.Context, events [][]byte) ([]EventResult, error) {
	return withVM(ctx, pool, func(v *vm) ([]EventResult, error) { return v.processEvents(ctx, events) })
}

// ProcessEventBatch runs processEventBatch on the whole batch on one VM.
func (pool *Pool) ProcessEventBatch(ctx context.Context, events [][]byte) (BatchResult, error) {
	return withVM(ctx, pool, func(v *vm) (BatchResult, error) { return v.processEventBatch(ctx, events) })
}

func (v *vm) processEvents(ctx context.Context, events [][]byte) ([]EventResult, error) {
	results := make([]EventResult, len(events))
	done := make(chan error, 1)
	if !v.loop.Submit(func() { v.runProcessEvents(events, results, done) }) {
		return nil, errVMGone
	}
	select {
	case err := <-done:
		return results, err
	case <-v.gone:
		// The stuck loop may still write into results: fresh ones go back.
		given := make([]EventResult, len(events))
		for i, e := range events {
			given[i] = EventResult{Event: e, Err: v.goneErr}
		}
		return given, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// runProcessEvents starts up to EventConcurrency events and starts the next
// one as each settles; done receives nil when all have settled.
func (v *vm) runProcessEvents(events [][]byte, results []EventResult, done chan<- error) {
	if v.dead {
		done <- errVMGone
		return
	}
	fn, ok := v.function("processEvent")
	if !ok {
		for i, e := range events {
			results[i] = EventResult{Event: e}
		}
		done <- nil
		return
	}
	next, pending := 0, len(events)
	if pending == 0 {
		done <- nil
		return
	}
	var startNext func()
	finished := func() {
		pending--
		if pending == 0 {
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
		v.startProcessEvent(fn, events[i], &results[i], finished)
	}
	for next < len(events) && next < v.plugin.opts.EventConcurrency {
		startNext()
	}
}

func (v *vm) startProcessEvent(fn goja.Callable, raw []byte, out *EventResult, finished func()) {
	input, lazies, err := v.decodeEvent(raw)
	obj, isObj := input.(*goja.Object)
	if err != nil || !isObj || obj.ClassName() != "Object" {
		if err == nil {
			err = ErrNotJSONObject
		} else {
			err = fmt.Errorf("%w: %w", ErrNotJSONObject, err)
		}
		*out = EventResult{Event: raw, Err: err}
		finished()
		return
	}
	if name := obj.Get("event"); name != nil && name.String() == "$snapshot" {
		*out = EventResult{Event: raw}
		finished()
		return
	}
	teamID := obj.Get("team_id")
	c := v.newCall("processEvent", v.plugin.opts.Timeout, nil)
	c.teamID = teamID
	c.captures = func(e []byte) { out.Captured = append(out.Captured, e) }
	c.finish = func(result goja.Value, callErr error) {
		defer finished()
		// A call that stopped the runtime leaves its VM to be discarded:
		// the event goes on as it came, no more plugin code runs.
		out.Event, out.Err = raw, callErr
		if interrupted(callErr) {
			return
		}
		var encoded []byte
		err := v.guard(c, "processEvent result", func() error {
			if callErr == nil && (result == nil || !result.ToBoolean()) {
				out.Dropped, out.Event = true, nil
				return nil
			}
			final := obj
			if callErr == nil {
				if resObj, ok := result.(*goja.Object); ok && resObj.ClassName() == "Object" {
					final = resObj
					out.Err = v.restoreTeamID(final, teamID)
				} else {
					out.Err = &PluginError{Plugin: v.plugin.manifest.Name, Function: "processEvent",
						Message: fmt.Sprintf("returned %s instead of an event object", describeValue(result))}
				}
			}
			var err error
			encoded, err = v.encodeEvent(final, out.Err == nil, lazies)
			return err
		})
		switch {
		case err != nil:
			out.Err, out.Event, out.Dropped = errors.Join(out.Err, err), raw, false
		case !out.Dropped:
			out.Event = encoded
		}
	}
	v.start(c, fn, obj, v.meta)
}

// decodeEvent reads an event for processEvent or processEventBatch, its
// properties as a lazy object.
func (v *vm) decodeEvent(raw []byte) (goja.Value, []*lazyObject, error) {
	if v.plugin.plainEvents {
		val, err := decodeJSONKeys(v.rt, raw, v.keys)
		return val, nil, err
	}
	val, made, err := decodeEvent(v.rt, raw, v.keys, v.protos, v.propertiesHint)
	for _, lazy := range made {
		if lazy.depth == 1 {
			v.propertiesHint = len(lazy.slots) + 4 // room for what the plugin adds
		}
	}
	return val, made, err
}

// restoreTeamID undoes a change of team_id, which plugins may not make.
func (v *vm) restoreTeamID(event *goja.Object, original goja.Value) error {
	now := event.Get("team_id")
	if sameValue(now, original) {
		return nil
	}
	if original == nil || goja.IsUndefined(original) {
		_ = event.Delete("team_id")
	} else {
		_ = event.Set("team_id", original)
	}
	return &PluginError{Plugin: v.plugin.manifest.Name, Function: "processEvent",
		Message: "plugins may not change team_id; the original value was restored"}
}

func sameValue(a, b goja.Value) bool {
	if a == nil {
		a = goja.Undefined()
	}
	if b == nil {
		b = goja.Undefined()
	}
	return a.StrictEquals(b)
}

// encodeEvent serializes an event after its processEvent call, appending
// the plugin's label to properties.$plugins_succeeded or $plugins_failed
// (created when missing). An event without a properties object gets none: no
// field is invented.
//
// known are the lazy objects the event was read into, if at hand.
func (v *vm) encodeEvent(event *goja.Object, succeeded bool, known []*lazyObject) ([]byte, error) {
	e := jsonEncoder{rt: v.rt, known: known}
	if v.plugin.opts.RecordPluginRuns {
		key := "$plugins_failed"
		if succeeded {
			key = "$plugins_succeeded"
		}
		if props, ok := event.Get("properties").(*goja.Object); ok && props.ClassName() == "Object" {
			switch list := props.Get(key).(type) {
			case nil:
				// Absent: the encoder appends it, sparing a JS array per event.
				e.runKey, e.runLabel = key, v.plugin.RunLabel()
			case *goja.Object:
				if list.ClassName() == "Array" {
					_ = list.Set(strconv.FormatInt(list.Get("length").ToInteger(), 10), v.plugin.RunLabel())
				}
			default:
				if goja.IsUndefined(list) || goja.IsNull(list) {
					_ = props.Set(key, v.rt.NewArray(v.plugin.RunLabel()))
				}
			}
		}
	}
	var buf []byte
	if lazy, ok := e.lazyOf(event); ok {
		buf = make([]byte, 0, len(lazy.data)+256)
	}
	out, ok, err := e.value(buf, event, 0)
	if err == nil && !ok {
		err = errNotJSONable
	}
	return out, err
}

func describeValue(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if obj, ok := v.(*goja.Object); ok {
		return "an object of class " + obj.ClassName()
	}
	return fmt.Sprintf("%s %s", v.ExportType(), safeString(v))
}

//------------------------------------------------------------------------------

func (v *vm) processEventBatch(ctx context.Context, events [][]byte) (BatchResult, error) {
	var result BatchResult
	done := make(chan error, 1)
	if !v.loop.Submit(func() { v.runProcessEventBatch(events, &result, done) }) {
		return result, errVMGone
	}
	select {
	case err := <-done:
		return result, err
	case <-v.gone:
		given := BatchResult{Events: make([]BatchEvent, len(events))}
		for i, e := range events {
			given.Events[i] = BatchEvent{Event: e, From: i, Err: v.goneErr}
		}
		return given, nil
	case <-ctx.Done():
		return BatchResult{}, ctx.Err()
	}
}

func (v *vm) runProcessEventBatch(events [][]byte, out *BatchResult, done chan<- error) {
	if v.dead {
		done <- errVMGone
		return
	}
	fn, ok := v.function("processEventBatch")
	if !ok {
		for i, e := range events {
			out.Events = append(out.Events, BatchEvent{Event: e, From: i})
		}
		done <- nil
		return
	}
	// Inputs that are not JSON objects pass through with an error and are not
	// given to the plugin.
	var objs []*goja.Object
	var objIndex []int
	var teamIDs []goja.Value
	for i, raw := range events {
		val, _, err := v.decodeEvent(raw)
		obj, isObj := val.(*goja.Object)
		if err != nil || !isObj || obj.ClassName() != "Object" {
			out.Events = append(out.Events, BatchEvent{Event: raw, From: i, Err: ErrNotJSONObject})
			continue
		}
		objs = append(objs, obj)
		objIndex = append(objIndex, i)
		teamIDs = append(teamIDs, obj.Get("team_id"))
	}
	if len(objs) == 0 {
		done <- nil
		return
	}
	args := make([]any, len(objs))
	for i, o := range objs {
		args[i] = o
	}
	c := v.newCall("processEventBatch", v.plugin.opts.Timeout, nil)
	if len(teamIDs) > 0 {
		c.teamID = teamIDs[0]
	}
	c.captures = func(e []byte) { out.Captured = append(out.Captured, e) }
	c.finish = func(result goja.Value, callErr error) {
		defer func() { done <- nil }()
		// passThrough gives each input on with err, in its last state when
		// that can still be read, else as it came, in place of whatever
		// was read of the result (the inputs that were not objects stay).
		base := len(out.Events)
		passThrough := func(err error) {
			out.Events = out.Events[:base]
			for i, obj := range objs {
				encoded := events[objIndex[i]]
				if !interrupted(err) {
					_ = v.guard(c, "processEventBatch result", func() error {
						last, encErr := v.encodeEvent(obj, false, nil)
						if encErr == nil {
							encoded = last
						}
						return encErr
					})
				}
				out.Events = append(out.Events, BatchEvent{Event: encoded, From: objIndex[i], Err: err})
			}
		}
		if callErr != nil {
			passThrough(callErr)
			return
		}
		if err := v.guard(c, "processEventBatch result", func() error { return v.batchResult(result, objs, objIndex, teamIDs, events, out) }); err != nil {
			passThrough(err)
		}
	}
	v.start(c, fn, v.rt.NewArray(args...), v.meta)
}

// batchResult reads the array processEventBatch returned into out. An
// event that cannot be serialised goes on as it came, with the error; an
// interrupt ends the reading (the VM is going).
func (v *vm) batchResult(result goja.Value, objs []*goja.Object, objIndex []int, teamIDs []goja.Value, events [][]byte, out *BatchResult) error {
	list, ok := result.(*goja.Object)
	if !ok || list.ClassName() != "Array" {
		return &PluginError{Plugin: v.plugin.manifest.Name, Function: "processEventBatch",
			Message: fmt.Sprintf("returned %s instead of an array of events", describeValue(result))}
	}
	length := list.Get("length").ToInteger()
	if length > maxArrayLength {
		return &PluginError{Plugin: v.plugin.manifest.Name, Function: "processEventBatch", Limit: LimitArrayLength,
			Message: fmt.Sprintf("returned an array of length %d, longer than the %d elements a value may have", length, maxArrayLength)}
	}
	n := int(length)
	encodedOnce := make(map[*goja.Object][]byte, min(n, len(objs)))
	for i := 0; i < n; i++ {
		item := list.Get(strconv.Itoa(i))
		obj, isObj := item.(*goja.Object)
		if !isObj || obj.ClassName() != "Object" {
			continue // null entries (and other non-events) are skipped
		}
		from, itemErr := -1, error(nil)
		for j, in := range objs {
			if in == obj {
				from = objIndex[j]
				itemErr = v.restoreTeamID(obj, teamIDs[j])
				break
			}
		}
		if from < 0 {
			from = v.deriveFrom(obj, objs, objIndex)
		}
		encoded, seen := encodedOnce[obj]
		var err error
		if !seen {
			encoded, err = v.encodeEvent(obj, itemErr == nil, nil)
			encodedOnce[obj] = encoded
		}
		if err != nil {
			var stop *goja.InterruptedError
			if errors.As(err, &stop) {
				return err
			}
			itemErr = v.encodeError(fmt.Sprintf("processEventBatch result %d", i), err)
			encoded = events[from]
		}
		out.Events = append(out.Events, BatchEvent{Event: encoded, From: from, Err: itemErr})
	}
	return nil
}

// encodeError describes a failure to serialise a value of the plugin's:
// a limit it went over, or what its toJSON threw.
func (v *vm) encodeError(what string, err error) error {
	var limit *limitError
	var exception *goja.Exception
	switch {
	case errors.As(err, &limit):
		return &PluginError{Plugin: v.plugin.manifest.Name, Function: what, Limit: limit.limit, Message: limit.message}
	case errors.As(err, &exception):
		return v.pluginError(what, err)
	}
	return pluginErrorf(v.plugin.manifest.Name, what, "serialize: %w", err)
}

// deriveFrom picks the input a new event object belongs to: the one with the
// same uuid, else the first.
func (v *vm) deriveFrom(obj *goja.Object, inputs []*goja.Object, index []int) int {
	if id := obj.Get("uuid"); id != nil && !goja.IsUndefined(id) && !goja.IsNull(id) {
		for j, in := range inputs {
			if sameValue(in.Get("uuid"), id) {
				return index[j]
			}
		}
	}
	return index[0]
}
