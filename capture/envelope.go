package capture

import (
	"errors"
	"fmt"
)

// ErrInvalidEnvelope is wrapped by the errors of DecodeEnvelope and
// EncodeEnvelope.
var ErrInvalidEnvelope = errors.New("invalid ingestion message")

// envelopeKeys are the fields of PostHog's ingestion messages (the Kafka
// topic between capture and the plugin server), in capture's order.
var envelopeKeys = []string{"uuid", "distinct_id", "ip", "site_url", "data", "team_id", "now", "sent_at", "token"}

// outsideData are the envelope fields that an encoded event's data leaves
// out: the server's view of the request, not the client's event.
var outsideData = map[string]bool{"ip": true, "site_url": true, "team_id": true, "now": true, "sent_at": true, "token": true}

// DecodeEnvelope turns an ingestion message
//
//	{"uuid", "distinct_id", "ip", "site_url", "data", "team_id", "now", "sent_at", "token"}
//
// where data is the event as JSON text (or as an object), into the event a
// plugin gets: the message's fields without data, then the event's fields
// over them, as the plugin server forms it ({...message, ...JSON.parse(data)}
// in JavaScript): a field of both keeps the message's position and takes the
// event's value. Values are copied byte for byte apart from whitespace, so
// every key order survives.
func DecodeEnvelope(msg []byte) ([]byte, error) {
	ms, err := objectMembers(msg)
	if err != nil {
		return nil, envelopeError("", err)
	}
	data := lookup(ms, "data")
	var event []byte
	switch kind(data) {
	case '"':
		s, _ := stringValue(data)
		event = []byte(s)
	case '{':
		event = data
	case 0:
		return nil, fmt.Errorf("%w: no data field", ErrInvalidEnvelope)
	default:
		return nil, fmt.Errorf("%w: data is neither JSON text nor an object", ErrInvalidEnvelope)
	}
	dms, err := objectMembers(event)
	if err != nil {
		return nil, envelopeError("data: ", err)
	}

	var merged mergedObject
	for _, m := range ms {
		if m.key != "data" {
			merged.set(m)
		}
	}
	for _, m := range dms {
		merged.set(m)
	}
	w := newObjWriter(len(msg) + 64)
	for _, m := range merged.members {
		w.raw(m.key, m.value)
	}
	return w.bytes(), nil
}

// EncodeEnvelope turns a plugin event back into an ingestion message: the
// envelope fields the event has, in capture's order, and data holding the
// event as JSON text without the server's fields (ip, site_url, team_id,
// now, sent_at, token). uuid and distinct_id are required.
func EncodeEnvelope(event []byte) ([]byte, error) {
	ms, err := objectMembers(event)
	if err != nil {
		return nil, envelopeError("", err)
	}
	var merged mergedObject
	for _, m := range ms {
		merged.set(m)
	}
	data := newObjWriter(len(event))
	for _, m := range merged.members {
		if !outsideData[m.key] {
			data.raw(m.key, m.value)
		}
	}
	w := newObjWriter(len(event)*5/4 + 64)
	for _, k := range envelopeKeys {
		if k == "data" {
			w.str("data", string(data.bytes()))
			continue
		}
		v := lookup(ms, k)
		if v == nil {
			if k == "uuid" || k == "distinct_id" {
				return nil, fmt.Errorf("%w: the event has no %s", ErrInvalidEnvelope, k)
			}
			continue
		}
		w.raw(k, v)
	}
	return w.bytes(), nil
}

func envelopeError(where string, err error) error {
	if errors.Is(err, errNotObject) {
		return fmt.Errorf("%w: %snot a JSON object", ErrInvalidEnvelope, where)
	}
	return fmt.Errorf("%w: %sinvalid JSON: %v", ErrInvalidEnvelope, where, err)
}

// mergedObject collects members as JavaScript builds an object: a repeated
// key keeps its first position and takes the last value.
type mergedObject struct {
	members []member
	index   map[string]int
}

func (o *mergedObject) set(m member) {
	if o.index == nil {
		o.index = map[string]int{}
	}
	if i, ok := o.index[m.key]; ok {
		o.members[i].value = m.value
		return
	}
	o.index[m.key] = len(o.members)
	o.members = append(o.members, m)
}
