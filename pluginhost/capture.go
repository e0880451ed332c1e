package pluginhost

import (
	"fmt"
	"strconv"

	"github.com/dop251/goja"
	"github.com/gofrs/uuid/v5"

	"github.com/hogpipe/hogpipe/internal/jsjson"
)

// posthogObject builds the posthog global. capture builds an event as the
// original server did and hands it to the current call's sink: for
// processEvent, a new message right after the source event.
func (v *vm) posthogObject() *goja.Object {
	obj := v.rt.NewObject()
	_ = obj.Set("capture", func(call goja.FunctionCall) goja.Value {
		event, err := v.buildCapture(call.Argument(0), call.Argument(1))
		if err != nil {
			panic(v.rt.NewGoError(err))
		}
		c := v.current
		// A call that has settled (code it did not await runs on) has
		// handed its results over: its captures have nowhere to go.
		if c == nil || c.captures == nil || c.settled {
			where := "outside a plugin call"
			if c != nil {
				where = "in " + c.function
			}
			v.plugin.warnCapture.Do(func() {
				v.plugin.log.Warnf("plugin %q: posthog.capture %s has no stream to join; the event was dropped (capture from processEvent or a posthog_schedule input instead)", v.plugin.manifest.Name, where)
			})
			return v.resolvedUndefined()
		}
		c.captures(event)
		return v.resolvedUndefined()
	})
	return obj
}

// buildCapture encodes {event, distinct_id, properties, timestamp, uuid,
// team_id, now, ip, site_url}: distinct_id and timestamp come from the
// properties (and leave them) or default to the plugin name and now.
func (v *vm) buildCapture(nameVal, propsVal goja.Value) ([]byte, error) {
	if nameVal == nil || goja.IsUndefined(nameVal) || goja.IsNull(nameVal) {
		return nil, fmt.Errorf("posthog.capture: an event name is required")
	}
	now := v.plugin.opts.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	var distinctID, timestamp goja.Value
	props := []byte(`{"$lib":"posthog-plugin-server"`)
	if v.plugin.opts.Version != "" {
		props = append(props, `,"$lib_version":`...)
		props = jsjson.AppendString(props, v.plugin.opts.Version)
	}
	if obj, ok := propsVal.(*goja.Object); ok {
		enc := jsonEncoder{rt: v.rt}
		for _, key := range obj.Keys() {
			val := obj.Get(key)
			switch key {
			case "distinct_id":
				distinctID = val
				continue
			case "timestamp":
				timestamp = val
				continue
			}
			mark := len(props)
			props = append(props, ',')
			props = jsjson.AppendString(props, key)
			props = append(props, ':')
			var ok bool
			var err error
			props, ok, err = enc.value(props, val, 1)
			if err != nil {
				return nil, fmt.Errorf("posthog.capture: property %q: %w", key, err)
			}
			if !ok {
				props = props[:mark]
			}
		}
	}
	props = append(props, '}')

	out := []byte(`{"event":`)
	out = jsjson.AppendString(out, safeString(nameVal))
	out = append(out, `,"distinct_id":`...)
	if distinctID != nil && !goja.IsUndefined(distinctID) && !goja.IsNull(distinctID) {
		out = jsjson.AppendString(out, safeString(distinctID))
	} else {
		out = jsjson.AppendString(out, v.plugin.manifest.Name)
	}
	out = append(out, `,"properties":`...)
	out = append(out, props...)
	out = append(out, `,"timestamp":`...)
	if timestamp != nil && !goja.IsUndefined(timestamp) && !goja.IsNull(timestamp) {
		var err error
		if out, err = encodeJSON(v.rt, out, timestamp); err != nil {
			return nil, fmt.Errorf("posthog.capture: timestamp: %w", err)
		}
	} else {
		out = jsjson.AppendString(out, now)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	out = append(out, `,"uuid":`...)
	out = jsjson.AppendString(out, id.String())
	if team := v.captureTeam(); team != "" {
		out = append(out, `,"team_id":`...)
		out = append(out, team...)
	}
	out = append(out, `,"now":`...)
	out = jsjson.AppendString(out, now)
	out = append(out, `,"ip":null,"site_url":""}`...)
	return out, nil
}

// captureTeam is the team of the event being processed, else the configured team_id.
func (v *vm) captureTeam() string {
	if c := v.current; c != nil && c.teamID != nil && !goja.IsUndefined(c.teamID) && !goja.IsNull(c.teamID) {
		if encoded, err := encodeJSON(v.rt, nil, c.teamID); err == nil {
			return string(encoded)
		}
	}
	if t := v.plugin.opts.TeamID; t != nil {
		return strconv.FormatInt(*t, 10)
	}
	return ""
}

// resolvedUndefined is a promise already resolved to undefined, shared by
// the host functions that return Promise<void> (one fewer promise per call;
// awaiting a settled promise any number of times is safe).
func (v *vm) resolvedUndefined() goja.Value {
	if v.settledVoid == nil {
		p, resolve, _ := v.rt.NewPromise()
		_ = resolve(goja.Undefined())
		v.settledVoid = v.rt.ToValue(p)
	}
	return v.settledVoid
}
