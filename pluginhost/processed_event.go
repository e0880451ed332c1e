package pluginhost

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// An output hands plugins events in the shapes of @posthog/plugin-scaffold:
// onEvent and exportEvents get a ProcessedPluginEvent,
//
//	{distinct_id, ip, team_id, event, properties, timestamp, $set?, $set_once?, uuid, person?, elements?}
//
// and composeWebhook gets a PostHogEvent,
//
//	{uuid, event, team_id, distinct_id, properties, timestamp: Date, groups}
//
// Both are built on the loop from the message's JSON object, whose
// properties object is reused as decoded, so its key order is the message's.

// timestampLayout is how the host writes times: ISO 8601 in UTC with
// milliseconds, as JavaScript's Date.prototype.toISOString.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// outputSource is a decoded message with the fields both shapes share.
type outputSource struct {
	obj        *goja.Object
	name       string // the event name, "" when not a string
	props      *goja.Object
	ip         goja.Value // null when none
	timestamp  string
	uuid       string
	teamID     goja.Value // nil when none
	distinctID goja.Value // nil when none
}

// decodeOutputEvent parses ev and normalises what ingestion normalised before
// onEvent: properties always an object, top-level $set/$set_once merged into
// properties.$set/$set_once, the event's ip copied to properties.$ip when that
// is unset.
func (v *vm) decodeOutputEvent(ev OutputEvent) (*outputSource, error) {
	val, err := decodeJSON(v.rt, ev.Data)
	obj, isObj := val.(*goja.Object)
	if err != nil || !isObj || obj.ClassName() != "Object" {
		if err == nil {
			return nil, ErrNotJSONObject
		}
		return nil, fmt.Errorf("%w: %w", ErrNotJSONObject, err)
	}
	src := &outputSource{obj: obj}
	if name, ok := stringOf(obj.Get("event")); ok {
		src.name = name
	}
	props, ok := obj.Get("properties").(*goja.Object)
	if !ok || props.ClassName() != "Object" {
		props = v.rt.NewObject()
	}
	src.props = props
	for _, key := range []string{"$set", "$set_once"} {
		top, ok := obj.Get(key).(*goja.Object)
		if !ok || top.ClassName() != "Object" {
			continue
		}
		merged := v.rt.NewObject()
		if inner, ok := props.Get(key).(*goja.Object); ok && inner.ClassName() == "Object" {
			for _, k := range inner.Keys() {
				_ = merged.Set(k, inner.Get(k))
			}
		}
		for _, k := range top.Keys() {
			_ = merged.Set(k, top.Get(k))
		}
		_ = props.Set(key, merged)
	}

	src.ip = goja.Null()
	if ip, ok := stringOf(obj.Get("ip")); ok && ip != "" {
		src.ip = obj.Get("ip")
		if cur := props.Get("$ip"); !present(cur) || cur.String() == "" {
			_ = props.Set("$ip", ip)
		}
	} else if pip, ok := stringOf(props.Get("$ip")); ok && pip != "" {
		src.ip = props.Get("$ip")
	}

	src.timestamp = eventTimestamp(obj, ev.Received)
	if id, ok := stringOf(obj.Get("uuid")); ok && id != "" {
		src.uuid = id
	} else {
		src.uuid = ev.UUID
	}
	if team := obj.Get("team_id"); present(team) {
		src.teamID = team
	} else if t := v.plugin.opts.TeamID; t != nil {
		src.teamID = v.rt.ToValue(*t)
	}
	if id := obj.Get("distinct_id"); present(id) {
		switch id.Export().(type) {
		case int64, float64:
			id = v.rt.ToValue(id.String()) // ingestion made distinct_id a string
		}
		src.distinctID = id
	}
	return src, nil
}

// processedEvent builds the ProcessedPluginEvent given to onEvent and exportEvents.
func (v *vm) processedEvent(ev OutputEvent) (*goja.Object, string, error) {
	src, err := v.decodeOutputEvent(ev)
	if err != nil {
		return nil, "", err
	}
	elements := v.eventElements(src)

	out := v.rt.NewObject()
	if src.distinctID != nil {
		_ = out.Set("distinct_id", src.distinctID)
	}
	_ = out.Set("ip", src.ip)
	if src.teamID != nil {
		_ = out.Set("team_id", src.teamID)
	}
	if name := src.obj.Get("event"); present(name) {
		_ = out.Set("event", name)
	}
	_ = out.Set("properties", src.props)
	_ = out.Set("timestamp", src.timestamp)
	for _, key := range []string{"$set", "$set_once"} {
		if val := src.props.Get(key); present(val) {
			_ = out.Set(key, val)
		}
	}
	_ = out.Set("uuid", src.uuid)
	if person := src.obj.Get("person"); present(person) {
		_ = out.Set("person", person)
	}
	if elements != nil {
		_ = out.Set("elements", elements)
	}
	return out, src.name, nil
}

// postHogEvent builds the PostHogEvent given to composeWebhook.
func (v *vm) postHogEvent(ev OutputEvent) (*goja.Object, string, error) {
	src, err := v.decodeOutputEvent(ev)
	if err != nil {
		return nil, "", err
	}
	if chain, ok := stringOf(src.obj.Get("elements_chain")); ok && chain != "" && !present(src.props.Get("$elements_chain")) {
		_ = src.props.Set("$elements_chain", chain)
	}
	// Ingestion stored autocapture's $elements as the elements chain, which
	// the original server handed composeWebhook as $elements_chain.
	if raw, ok := src.props.Get("$elements").(*goja.Object); ok && raw.ClassName() == "Array" {
		_ = src.props.Delete("$elements")
		if !present(src.props.Get("$elements_chain")) {
			_ = src.props.Set("$elements_chain", elementsChainOf(raw))
		}
	}
	timestamp, err := v.rt.New(v.rt.Get("Date"), v.rt.ToValue(src.timestamp))
	if err != nil {
		return nil, "", err
	}
	out := v.rt.NewObject()
	_ = out.Set("uuid", src.uuid)
	if name := src.obj.Get("event"); present(name) {
		_ = out.Set("event", name)
	}
	if src.teamID != nil {
		_ = out.Set("team_id", src.teamID)
	}
	if src.distinctID != nil {
		_ = out.Set("distinct_id", src.distinctID)
	}
	_ = out.Set("properties", src.props)
	_ = out.Set("timestamp", timestamp)
	groups, ok := src.props.Get("$groups").(*goja.Object)
	if !ok || groups.ClassName() != "Object" {
		groups = v.rt.NewObject()
	}
	_ = out.Set("groups", groups)
	return out, src.name, nil
}

// eventTimestamp is the event's timestamp, else its now, else received, as a
// string. A number is taken as milliseconds since the epoch.
func eventTimestamp(obj *goja.Object, received time.Time) string {
	for _, key := range []string{"timestamp", "now"} {
		switch t := exportOf(obj.Get(key)).(type) {
		case string:
			if t != "" {
				return t
			}
		case int64:
			return time.UnixMilli(t).UTC().Format(timestampLayout)
		case float64:
			if !math.IsNaN(t) && !math.IsInf(t, 0) {
				return time.UnixMilli(int64(t)).UTC().Format(timestampLayout)
			}
		}
	}
	if received.IsZero() {
		received = time.Now()
	}
	return received.UTC().Format(timestampLayout)
}

// stringOf is val's value when it is a string.
func stringOf(val goja.Value) (string, bool) {
	if val == nil {
		return "", false
	}
	s, ok := val.Export().(string)
	return s, ok
}

// exportOf is val.Export(), nil for a missing value.
func exportOf(val goja.Value) any {
	if val == nil {
		return nil
	}
	return val.Export()
}

func present(val goja.Value) bool {
	return val != nil && !goja.IsUndefined(val) && !goja.IsNull(val)
}

//------------------------------------------------------------------------------

// eventElements builds the elements list of a ProcessedPluginEvent, or nil
// when the event has none: from properties.$elements (the array autocapture
// sends; it leaves properties, as ingestion removed it), else from the
// elements chain (the event's elements_chain or properties.$elements_chain),
// else the event's own elements array.
func (v *vm) eventElements(src *outputSource) *goja.Object {
	if raw, ok := src.props.Get("$elements").(*goja.Object); ok && raw.ClassName() == "Array" {
		_ = src.props.Delete("$elements")
		return v.extractElements(raw)
	}
	chain, ok := stringOf(src.obj.Get("elements_chain"))
	if !ok || chain == "" {
		chain, _ = stringOf(src.props.Get("$elements_chain"))
	}
	if chain != "" {
		return v.chainElements(parseElementsChain(chain))
	}
	if own, ok := src.obj.Get("elements").(*goja.Object); ok && own.ClassName() == "Array" {
		return own
	}
	return nil
}

// extractElements turns autocapture's $elements ({tag_name, $el_text,
// attr__class, attr__href, attr__id, nth_child, nth_of_type, attr__*}) into
// Elements, as ingestion did.
func (v *vm) extractElements(raw *goja.Object) *goja.Object {
	n := int(raw.Get("length").ToInteger())
	items := make([]any, 0, n)
	for i := 0; i < n; i++ {
		el, ok := raw.Get(strconv.Itoa(i)).(*goja.Object)
		if !ok {
			continue
		}
		out := v.rt.NewObject()
		if text, ok := stringOf(el.Get("$el_text")); ok {
			_ = out.Set("text", sliceUTF16(text, 400))
			_ = out.Set("$el_text", sliceUTF16(text, 400))
		}
		if tag := el.Get("tag_name"); present(tag) {
			_ = out.Set("tag_name", tag)
		}
		if href, ok := stringOf(el.Get("attr__href")); ok {
			_ = out.Set("href", sliceUTF16(href, 2048))
		}
		switch class := el.Get("attr__class").(type) {
		case *goja.Object:
			if class.ClassName() == "Array" {
				_ = out.Set("attr_class", class)
			}
		default:
			if s, ok := stringOf(class); ok && s != "" {
				parts := strings.Split(s, " ")
				list := make([]any, len(parts))
				for j, p := range parts {
					list[j] = p
				}
				_ = out.Set("attr_class", v.rt.NewArray(list...))
			}
		}
		for _, key := range [][2]string{{"attr__id", "attr_id"}, {"nth_child", "nth_child"}, {"nth_of_type", "nth_of_type"}} {
			if val := el.Get(key[0]); present(val) {
				_ = out.Set(key[1], val)
			}
		}
		attrs := v.rt.NewObject()
		for _, key := range el.Keys() {
			if strings.HasPrefix(key, "attr__") {
				_ = attrs.Set(key, el.Get(key))
			}
		}
		_ = out.Set("attributes", attrs)
		_ = out.Set("order", len(items))
		items = append(items, out)
	}
	return v.rt.NewArray(items...)
}

// chainElement is one element of an elements chain.
type chainElement struct {
	tag        string
	classes    []string
	hasClasses bool
	attrs      [][2]string // key, value in chain order
}

// The elements chain is how PostHog stores autocapture elements: elements
// separated by ';' (outside double quotes), each `tag.class1.class2:` then
// attributes `key="value"` with no separator; the keys text, href, attr_id,
// nth-child and nth-of-type are the Element's fields, any other key (attr__*)
// goes to attributes. Literal `\n` sequences are dropped first.
var (
	chainSplit      = regexp.MustCompile(`(?:[^\s;"]|"(?:\\.|[^"])*")+`)
	chainClassAttrs = regexp.MustCompile(`^(.*?)($|:([a-zA-Z\-_0-9]*=.*))`)
	chainAttr       = regexp.MustCompile(`(?m)((.*?)="(.*?[^\\])")`)
)

func parseElementsChain(chain string) []chainElement {
	chain = strings.ReplaceAll(chain, `\n`, "")
	var out []chainElement
	for _, part := range chainSplit.FindAllString(chain, -1) {
		var el chainElement
		m := chainClassAttrs.FindStringSubmatch(part)
		if m == nil {
			out = append(out, el)
			continue
		}
		if m[1] != "" {
			tagAndClass := strings.Split(m[1], ".")
			el.tag = tagAndClass[0]
			if len(tagAndClass) > 1 {
				el.hasClasses = true
				for _, c := range tagAndClass[1:] {
					if c != "" {
						el.classes = append(el.classes, c)
					}
				}
			}
		}
		if m[3] != "" {
			for _, a := range chainAttr.FindAllStringSubmatch(m[3], -1) {
				el.attrs = append(el.attrs, [2]string{a[2], a[3]})
			}
		}
		out = append(out, el)
	}
	return out
}

// chainElements builds the Elements of a parsed chain, each with its order
// and, as the 2023 server added, $el_text.
func (v *vm) chainElements(parsed []chainElement) *goja.Object {
	items := make([]any, len(parsed))
	for i, el := range parsed {
		out := v.rt.NewObject()
		attrs := v.rt.NewObject()
		_ = out.Set("attributes", attrs)
		_ = out.Set("order", i)
		if el.tag != "" {
			_ = out.Set("tag_name", el.tag)
		}
		if el.hasClasses {
			list := make([]any, len(el.classes))
			for j, c := range el.classes {
				list[j] = c
			}
			_ = out.Set("attr_class", v.rt.NewArray(list...))
		}
		for _, kv := range el.attrs {
			key, value := kv[0], kv[1]
			switch key {
			case "href":
				_ = out.Set("href", value)
			case "nth-child":
				_ = out.Set("nth_child", parseIntJS(value))
			case "nth-of-type":
				_ = out.Set("nth_of_type", parseIntJS(value))
			case "text":
				_ = out.Set("text", value)
				_ = out.Set("$el_text", value)
			case "attr_id":
				_ = out.Set("attr_id", value)
			case "":
			default:
				_ = attrs.Set(key, value)
			}
		}
		items[i] = out
	}
	return v.rt.NewArray(items...)
}

// parseIntJS is JavaScript's parseInt(s) for base 10: leading spaces, a
// sign, then digits; NaN when there are none.
func parseIntJS(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n, digits := 0.0, 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		n = n*10 + float64(s[digits]-'0')
		digits++
	}
	if digits == 0 {
		return math.NaN()
	}
	if neg {
		n = -n
	}
	return n
}

// sliceUTF16 is JavaScript's s.slice(0, n): the first n UTF-16 code units.
func sliceUTF16(s string, n int) string {
	units := utf16.Encode([]rune(s))
	if len(units) <= n {
		return s
	}
	return string(utf16.Decode(units[:n]))
}
