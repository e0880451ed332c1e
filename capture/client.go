package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotCapturable is wrapped by the errors of ToCaptureEvent.
var ErrNotCapturable = errors.New("event cannot be sent to capture")

// captureKept lists the PluginEvent fields that an SDK would send.
var captureKept = map[string]bool{
	"event": true, "distinct_id": true, "properties": true, "timestamp": true,
	"uuid": true, "$set": true, "$set_once": true,
}

// ToCaptureEvent maps a PluginEvent (or ProcessedPluginEvent) to the event an
// SDK sends to /batch/, and returns the api key the event carries (its
// api_key, token or properties.token; "" when none):
//
//   - event, distinct_id, properties, timestamp, uuid, $set and $set_once
//     are kept, in the event's own order and byte for byte (whitespace
//     aside);
//   - ip is copied to properties.$ip unless properties has a $ip already
//     (otherwise PostHog would geolocate the sender);
//   - a missing timestamp becomes now minus offset (milliseconds), so the
//     capture time survives the trip;
//   - everything else (team_id, site_url, now, sent_at, offset, api_key,
//     token, ip, person, elements, ...) is dropped.
//
// event must be a non-empty string and distinct_id a non-empty string or a
// number, or PostHog would reject the whole batch.
func ToCaptureEvent(raw []byte) (event []byte, apiKey string, err error) {
	ms, err := objectMembers(raw)
	if err != nil {
		if errors.Is(err, errNotObject) {
			return nil, "", fmt.Errorf("%w: not a JSON object", ErrNotCapturable)
		}
		return nil, "", fmt.Errorf("%w: invalid JSON: %v", ErrNotCapturable, err)
	}
	if s, ok := stringValue(lookup(ms, "event")); !ok || s == "" {
		return nil, "", fmt.Errorf("%w: missing event name", ErrNotCapturable)
	}
	if _, ok := idValue(lookup(ms, "distinct_id")); !ok {
		return nil, "", fmt.Errorf("%w: missing distinct_id", ErrNotCapturable)
	}

	props := lookup(ms, "properties")
	var propMembers []member
	if !isNull(props) {
		if !isObject(props) {
			return nil, "", fmt.Errorf("%w: properties is not an object", ErrNotCapturable)
		}
		if propMembers, err = objectMembers(props); err != nil {
			return nil, "", fmt.Errorf("%w: properties: %v", ErrNotCapturable, err)
		}
	}
	ip, hasIP := stringValue(lookup(ms, "ip"))
	hasIP = hasIP && ip != ""
	addIP := hasIP && lookup(propMembers, "$ip") == nil

	apiKey = firstString(ms, "api_key", "token")
	if apiKey == "" {
		apiKey = firstString(propMembers, "token")
	}

	w := newObjWriter(len(raw) + 64)
	written := map[string]bool{}
	for _, m := range ms {
		if !captureKept[m.key] || written[m.key] {
			continue
		}
		v := lookup(ms, m.key)
		if isNull(v) {
			continue
		}
		written[m.key] = true
		if m.key == "properties" && addIP {
			w.key("properties")
			w.buf = appendWithIP(w.buf, v, ip)
			continue
		}
		w.raw(m.key, v)
	}
	if !written["properties"] && addIP {
		w.key("properties")
		w.buf = append(w.buf, `{"$ip":`...)
		w.buf = appendString(w.buf, ip)
		w.buf = append(w.buf, '}')
	}
	if !written["timestamp"] {
		if ts, ok := timestampFromNow(ms); ok {
			w.str("timestamp", ts)
		}
	}
	return w.bytes(), apiKey, nil
}

// appendWithIP appends the (validated) properties object with "$ip" added
// as its last member.
func appendWithIP(dst []byte, props json.RawMessage, ip string) []byte {
	start := len(dst)
	dst = compact(dst, props)
	dst = dst[:len(dst)-1] // the closing brace
	if len(dst)-start > 1 {
		dst = append(dst, ',')
	}
	dst = append(dst, `"$ip":`...)
	dst = appendString(dst, ip)
	return append(dst, '}')
}

// timestampFromNow computes now - offset for events that have no timestamp.
func timestampFromNow(ms []member) (string, bool) {
	nowStr, ok := stringValue(lookup(ms, "now"))
	if !ok {
		return "", false
	}
	now, err := time.Parse(time.RFC3339Nano, nowStr)
	if err != nil {
		return "", false
	}
	if off := lookup(ms, "offset"); kind(off) == '-' || (kind(off) >= '0' && kind(off) <= '9') {
		var n float64
		if err := json.Unmarshal(off, &n); err == nil && n > -1e12 && n < 1e12 {
			now = now.Add(-time.Duration(n * float64(time.Millisecond)))
		}
	}
	return FormatTime(now), true
}

// EncodeBatch writes the body of a /batch/ request, as posthog-node sends it
// (without sent_at, so that PostHog takes each timestamp as it is):
// {"api_key": apiKey, "batch": [events...]}.
func EncodeBatch(apiKey string, events [][]byte) []byte {
	n := 32 + len(apiKey)
	for _, e := range events {
		n += len(e) + 1
	}
	buf := make([]byte, 0, n)
	buf = append(buf, `{"api_key":`...)
	buf = appendString(buf, apiKey)
	buf = append(buf, `,"batch":[`...)
	for i, e := range events {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, e...)
	}
	return append(buf, ']', '}')
}

// Gzip compresses b for a Content-Encoding: gzip request body.
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
