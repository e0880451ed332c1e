package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrInvalidEvent is wrapped by the errors Normalise returns for one event.
var ErrInvalidEvent = errors.New("invalid event")

// ErrMissingAPIKey is wrapped when an event carries no api_key or token, nor
// does the request around it.
var ErrMissingAPIKey = errors.New("missing api_key or token")

// Payload is a decoded capture body split into events.
type Payload struct {
	// Events are the raw events, in the order they were sent.
	Events []json.RawMessage
	// APIKey is the api_key (or token) sent beside a batch, "" when none.
	APIKey string
	// SentAt is the sent_at sent beside a batch, nil when none.
	SentAt json.RawMessage
}

// ParsePayload splits a capture payload into events. It accepts a single
// event object, {"batch": [...], "api_key": ..., "sent_at": ...} or a bare
// array of events. Events themselves are not checked here (see Normalise), so
// that one bad event does not sink a batch.
func ParsePayload(body []byte) (*Payload, error) {
	return ParsePayloadMax(body, 0)
}

// ErrTooManyEvents is returned by ParsePayloadMax for a payload over its limit.
var ErrTooManyEvents = errors.New("too many events")

// ParsePayloadMax is ParsePayload refusing, with ErrTooManyEvents, a payload of
// more than maxEvents events (0: no limit) before it splits the rest: a small
// compressed body can hold millions of tiny events.
func ParsePayloadMax(body []byte, maxEvents int) (*Payload, error) {
	tooMany := func(err error) error {
		if errors.Is(err, errTooManyElements) {
			return fmt.Errorf("%w: over %d in one request", ErrTooManyEvents, maxEvents)
		}
		return nil
	}
	p := &Payload{}
	switch kind(body) {
	case '[':
		events, err := arrayElementsMax(body, maxEvents)
		if e := tooMany(err); e != nil {
			return nil, e
		}
		if err != nil {
			return nil, fmt.Errorf("%w: invalid JSON: %v", ErrMalformed, err)
		}
		p.Events = events
	case '{':
		ms, err := objectMembers(body)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid JSON: %v", ErrMalformed, err)
		}
		batch := lookup(ms, "batch")
		if batch == nil {
			p.Events = []json.RawMessage{body}
			break
		}
		if kind(batch) != '[' {
			return nil, fmt.Errorf("%w: batch is not an array", ErrMalformed)
		}
		if p.Events, err = arrayElementsMax(batch, maxEvents); tooMany(err) != nil {
			return nil, tooMany(err)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: invalid batch: %v", ErrMalformed, err)
		}
		p.APIKey = firstString(ms, "api_key", "token", "$token")
		if v := lookup(ms, "sent_at"); !isNull(v) {
			p.SentAt = v
		}
	default:
		if !json.Valid(body) {
			return nil, fmt.Errorf("%w: invalid JSON", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: payload is neither an event, a batch nor an array", ErrMalformed)
	}
	if len(p.Events) == 0 {
		return nil, fmt.Errorf("%w: no events in payload", ErrMalformed)
	}
	return p, nil
}

// Meta is what the server knows about a request, copied into every event.
type Meta struct {
	// Now is when the request arrived.
	Now time.Time
	// IP is the client's address; "" writes "ip": null.
	IP string
	// SiteURL is the URL the server is reached at.
	SiteURL string
	// APIKey is used for events that carry no key of their own.
	APIKey string
	// SentAt is used for events that carry no sent_at of their own.
	SentAt json.RawMessage
	// DefaultEvent names events sent without a name ("$identify" on
	// /engage/); "" rejects them.
	DefaultEvent string
	// Teams maps api keys to team ids; events whose key is not in it get no
	// team_id.
	Teams map[string]int64
	// NewUUID makes the uuid of events sent without one (NewUUIDv7 if nil).
	NewUUID func() string
}

// Event is one normalised event.
type Event struct {
	// JSON is the event in PluginEvent shape (see Normalise).
	JSON       []byte
	Name       string
	DistinctID string
	APIKey     string
	UUID       string
	TeamID     int64
	HasTeamID  bool
}

// Normalise turns one raw capture event into a PluginEvent:
//
//	{"uuid", "event", "distinct_id", "properties", "timestamp"?, "offset"?,
//	 "$set"?, "$set_once"?, "ip", "site_url", "team_id"?, "now", "sent_at"?,
//	 "api_key", "token"?}
//
// properties (and $set, $set_once, timestamp) are copied byte for byte apart
// from whitespace, so their key order is the client's. distinct_id comes from
// the event, then $distinct_id, then properties.distinct_id or
// properties.$distinct_id; numbers become strings. The api key comes from the
// event's api_key, token or $token, then properties.token, then meta.APIKey.
// Other top-level fields are dropped.
func Normalise(raw json.RawMessage, meta *Meta) (*Event, error) {
	ms, err := objectMembers(raw)
	if err != nil {
		if errors.Is(err, errNotObject) {
			return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidEvent)
		}
		return nil, fmt.Errorf("%w: invalid JSON: %v", ErrInvalidEvent, err)
	}

	ev := &Event{}
	nameRaw := lookup(ms, "event")
	switch {
	case isNull(nameRaw):
		ev.Name = meta.DefaultEvent
	default:
		s, ok := stringValue(nameRaw)
		if !ok {
			return nil, fmt.Errorf("%w: event name is not a string", ErrInvalidEvent)
		}
		ev.Name = s
	}
	if ev.Name == "" {
		return nil, fmt.Errorf("%w: missing event name", ErrInvalidEvent)
	}

	props := lookup(ms, "properties")
	var propMembers []member
	if !isNull(props) {
		if !isObject(props) {
			return nil, fmt.Errorf("%w: properties is not an object", ErrInvalidEvent)
		}
		if propMembers, err = objectMembers(props); err != nil {
			return nil, fmt.Errorf("%w: properties: %v", ErrInvalidEvent, err)
		}
	} else {
		props = json.RawMessage(`{}`)
	}

	for _, v := range []json.RawMessage{
		lookup(ms, "distinct_id"), lookup(ms, "$distinct_id"),
		lookup(propMembers, "distinct_id"), lookup(propMembers, "$distinct_id"),
	} {
		if id, ok := idValue(v); ok {
			ev.DistinctID = id
			break
		}
	}
	if ev.DistinctID == "" {
		return nil, fmt.Errorf("%w: missing distinct_id", ErrInvalidEvent)
	}

	if v := lookup(ms, "uuid"); !isNull(v) {
		s, ok := stringValue(v)
		if !ok || !ValidUUID(s) {
			return nil, fmt.Errorf("%w: uuid is not a valid UUID", ErrInvalidEvent)
		}
		ev.UUID = s
	} else if meta.NewUUID != nil {
		ev.UUID = meta.NewUUID()
	} else {
		ev.UUID = NewUUIDv7()
	}

	ev.APIKey = firstString(ms, "api_key", "token", "$token")
	if ev.APIKey == "" {
		ev.APIKey = firstString(propMembers, "token", "$token")
	}
	if ev.APIKey == "" {
		ev.APIKey = meta.APIKey
	}
	if ev.APIKey == "" {
		return nil, fmt.Errorf("%w: %w", ErrInvalidEvent, ErrMissingAPIKey)
	}
	ev.TeamID, ev.HasTeamID = meta.Teams[ev.APIKey]

	w := newObjWriter(len(raw) + 256)
	w.str("uuid", ev.UUID)
	w.str("event", ev.Name)
	w.str("distinct_id", ev.DistinctID)
	w.raw("properties", props)
	if v := lookup(ms, "timestamp"); !isNull(v) {
		if k := kind(v); k != '"' && k != '-' && (k < '0' || k > '9') {
			return nil, fmt.Errorf("%w: timestamp is neither a string nor a number", ErrInvalidEvent)
		}
		w.raw("timestamp", v)
	}
	if v := lookup(ms, "offset"); !isNull(v) {
		if k := kind(v); k != '-' && (k < '0' || k > '9') {
			return nil, fmt.Errorf("%w: offset is not a number", ErrInvalidEvent)
		}
		w.raw("offset", v)
	}
	for _, k := range []string{"$set", "$set_once"} {
		if v := lookup(ms, k); !isNull(v) {
			if !isObject(v) {
				return nil, fmt.Errorf("%w: %s is not an object", ErrInvalidEvent, k)
			}
			w.raw(k, v)
		}
	}
	if meta.IP != "" {
		w.str("ip", meta.IP)
	} else {
		w.null("ip")
	}
	w.str("site_url", meta.SiteURL)
	if ev.HasTeamID {
		w.int("team_id", ev.TeamID)
	}
	w.str("now", FormatTime(meta.Now))
	sentAt := lookup(ms, "sent_at")
	if isNull(sentAt) {
		sentAt = meta.SentAt
	}
	if !isNull(sentAt) {
		w.raw("sent_at", sentAt)
	}
	w.str("api_key", ev.APIKey)
	if tok, ok := stringValue(lookup(ms, "token")); ok {
		w.str("token", tok)
	}
	ev.JSON = w.bytes()
	return ev, nil
}

// FormatTime writes t as JavaScript's Date.toISOString does:
// 2006-01-02T15:04:05.000Z.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// MillisToTime turns a Unix time in milliseconds, as SDKs put in the "_"
// query parameter, into a JSON string in FormatTime's layout; ok is false
// when s is not such a number.
func MillisToTime(s string) (json.RawMessage, bool) {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 || ms > 1e14 {
		return nil, false
	}
	return appendString(nil, FormatTime(time.UnixMilli(ms))), true
}

// firstString returns the first non-empty string among the named members.
func firstString(ms []member, keys ...string) string {
	for _, k := range keys {
		if s, ok := stringValue(lookup(ms, k)); ok && s != "" {
			return s
		}
	}
	return ""
}
