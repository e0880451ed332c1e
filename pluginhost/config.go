package pluginhost

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"mime"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Attachment is a file given for an attachment field; it becomes meta.attachments[key].
type Attachment struct {
	ContentType, FileName string
	Contents              []byte
}

// ResolvedConfig is what meta.config / meta.attachments are built from.
type ResolvedConfig struct {
	// Keys is the order of meta.config: schema keys that have a value in schema order, then
	// reserved keys sorted.
	Keys []string
	// Values holds every value as a string, as the original server stored it; a json field
	// holds JSON text.
	Values      map[string]string
	Attachments map[string]Attachment
	Secrets     []string // values of secret fields (non-empty), for Redact
	// Warning, when not empty, names the keys the schema does not declare (they reach
	// meta.config anyway) and suggests declared keys; the host logs it once.
	Warning string
}

// configReservedKeys are read by the host for exportEvents and accepted for every plugin.
var configReservedKeys = []string{"exportEventsBufferBytes", "exportEventsBufferSeconds", "exportEventsToIgnore"}

// ResolveConfig validates configured values against the schema and applies defaults.
// values come from YAML; attachmentPaths maps attachment keys to files. Every problem is
// returned at once (errors.Join), schema fields first in schema order. Keys the schema does
// not declare pass (as strings, objects as JSON text), named in rc.Warning.
// No error ever contains the value of a secret field.
func (m *Manifest) ResolveConfig(values map[string]any, attachmentPaths map[string]string) (*ResolvedConfig, error) {
	rc := &ResolvedConfig{Values: map[string]string{}, Attachments: map[string]Attachment{}}
	fields := map[string]ConfigField{}
	var known []string
	for _, f := range m.Config {
		if f.Key != "" {
			fields[f.Key] = f
			known = append(known, f.Key)
		}
	}

	// Values first, requirements second: required_if looks at other keys' resolved values.
	fieldErrs := make([]error, len(m.Config))
	for i, f := range m.Config {
		if f.Key != "" {
			fieldErrs[i] = m.configResolveField(rc, f, values, attachmentPaths)
		}
	}
	var errs []error
	for i, f := range m.Config {
		switch {
		case f.Key == "":
		case fieldErrs[i] != nil:
			errs = append(errs, fieldErrs[i])
		default:
			if err := m.configCheckRequired(rc, f, fields); err != nil {
				errs = append(errs, err)
			}
		}
	}

	var undeclared []string
	for _, key := range slices.Sorted(maps.Keys(values)) {
		if _, ok := fields[key]; ok {
			continue
		}
		reserved := slices.Contains(configReservedKeys, key)
		if !reserved {
			// Plugins read keys their schema does not declare, and stored configs keep the
			// keys of older plugin versions: such keys pass, with a warning.
			undeclared = append(undeclared, key)
		}
		if values[key] == nil {
			continue
		}
		convert := configUndeclaredValue
		if reserved {
			convert = configScalar
		}
		s, err := convert(values[key])
		if err != nil {
			errs = append(errs, m.configError(key, err))
			continue
		}
		rc.Values[key] = s
	}
	for _, key := range slices.Sorted(maps.Keys(attachmentPaths)) {
		if _, ok := fields[key]; !ok {
			errs = append(errs, m.configError(key, fmt.Errorf(
				"attachment given for an unknown key; attachment keys: %s", m.configAttachmentKeys())))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	for _, f := range m.Config {
		if _, ok := rc.Values[f.Key]; ok && f.Key != "" {
			rc.Keys = append(rc.Keys, f.Key)
		}
	}
	for _, key := range configReservedKeys {
		if _, ok := rc.Values[key]; ok && !slices.Contains(rc.Keys, key) {
			rc.Keys = append(rc.Keys, key)
		}
	}
	for _, key := range undeclared {
		if _, ok := rc.Values[key]; ok {
			rc.Keys = append(rc.Keys, key)
		}
	}
	rc.Warning = m.configUndeclaredWarning(undeclared, known)
	return rc, nil
}

// configUndeclaredValue stores a value as the original server would have kept it: a
// scalar as a string, an object or array as JSON text.
func configUndeclaredValue(v any) (string, error) {
	switch v.(type) {
	case map[string]any, []any:
		return configJSONText(v)
	}
	return configScalar(v)
}

// configUndeclaredWarning is one line naming every undeclared key, each with the declared
// key it is closest to, when one is near enough to be a typo.
func (m *Manifest) configUndeclaredWarning(undeclared, known []string) string {
	if len(undeclared) == 0 {
		return ""
	}
	all := append(slices.Clone(known), configReservedKeys...)
	names := make([]string, len(undeclared))
	for i, key := range undeclared {
		names[i] = strconv.Quote(key)
		if best := configClosest(key, all); best != "" {
			names[i] += fmt.Sprintf(" (did you mean %q?)", best)
		}
	}
	noun := "key"
	if len(undeclared) > 1 {
		noun = "keys"
	}
	declared := strings.Join(known, ", ")
	if declared == "" {
		declared = "(none)"
	}
	return fmt.Sprintf("plugin %q: config %s %s not declared in plugin.json; passed to meta.config as given. Declared keys: %s",
		m.Name, noun, strings.Join(names, ", "), declared)
}

// Redact replaces each secret value occurring in s by "***".
func (c *ResolvedConfig) Redact(s string) string {
	if c == nil || len(c.Secrets) == 0 {
		return s
	}
	// Longest first, so a secret that contains another is hidden whole (the Replacer tries
	// its pairs in argument order at each position).
	secrets := slices.Clone(c.Secrets)
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	pairs := make([]string, 0, 2*len(secrets))
	for _, secret := range slices.Compact(secrets) {
		if secret != "" {
			pairs = append(pairs, secret, "***")
		}
	}
	if len(pairs) == 0 {
		return s
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

//------------------------------------------------------------------------------

func (m *Manifest) configError(key string, err error) error {
	return pluginErrorf(m.Name, fmt.Sprintf("config key %q", key), "%w", err)
}

func (m *Manifest) configResolveField(rc *ResolvedConfig, f ConfigField, values map[string]any, attachmentPaths map[string]string) error {
	raw := values[f.Key] // YAML "key:" with nothing after it is nil: treated as not set
	path, hasPath := attachmentPaths[f.Key]
	if f.Type == manifestTypeAttachment {
		if raw != nil {
			return m.configError(f.Key, errors.New(`is an attachment field: give a file path under "attachments" instead of a config value`))
		}
		if !hasPath {
			return nil
		}
		a, err := configReadAttachment(path)
		if err != nil {
			return m.configError(f.Key, err)
		}
		rc.Attachments[f.Key] = a
		return nil
	}
	if hasPath {
		return m.configError(f.Key, fmt.Errorf(`has a file under "attachments" but is a %s field, not an attachment`, cmp.Or(f.Type, manifestTypeString)))
	}

	var s string
	if raw == nil {
		s = f.Default
	} else {
		var err error
		if s, err = configFieldValue(f, raw); err != nil {
			return m.configError(f.Key, err)
		}
	}
	if raw == nil && s == "" {
		return nil
	}
	rc.Values[f.Key] = s
	if f.Secret && s != "" {
		rc.Secrets = append(rc.Secrets, s)
	}
	return nil
}

func configFieldValue(f ConfigField, raw any) (string, error) {
	if f.Type == manifestTypeJSON {
		s, ok := raw.(string)
		if !ok {
			return configJSONText(raw)
		}
		var v any
		if err := json.Unmarshal([]byte(s), &v); s != "" && err != nil {
			if f.Secret {
				// The decoder's message quotes the offending character of the value.
				return "", errors.New("expected JSON text, got invalid JSON (secret value not shown)")
			}
			return "", fmt.Errorf("expected JSON text, got invalid JSON: %w", err)
		}
		return s, nil
	}
	s, err := configScalar(raw)
	if err != nil {
		return "", err
	}
	if f.Type == manifestTypeChoice && s != "" && !slices.Contains(f.Choices, s) {
		return "", fmt.Errorf("value %s is not one of the choices %s", configShow(f, s), manifestQuoteList(f.Choices))
	}
	return s, nil
}

// configCheckRequired runs once every value is resolved. An empty value counts as missing.
func (m *Manifest) configCheckRequired(rc *ResolvedConfig, f ConfigField, fields map[string]ConfigField) error {
	if rc.configValue(f.Key) != "" {
		return nil
	}
	how := "set a value"
	if f.Type == manifestTypeAttachment {
		how = `set a file path under "attachments"`
	}
	if f.Required {
		return m.configError(f.Key, fmt.Errorf("required but not set (%s)", how))
	}
	if len(f.RequiredIf) == 0 {
		return nil
	}
	var because []string
	for _, pair := range f.RequiredIf {
		key := pair[0].(string) // LoadManifest checked the shape
		have := rc.configValue(key)
		if len(pair) < 2 || pair[1] == nil {
			if have == "" {
				return nil
			}
			because = append(because, fmt.Sprintf("%q is set", key))
			continue
		}
		want, err := configScalar(pair[1])
		if err != nil || have != want {
			return nil
		}
		because = append(because, fmt.Sprintf("%q is %s", key, configShow(fields[key], want)))
	}
	return m.configError(f.Key, fmt.Errorf("required because %s, but not set (%s)", strings.Join(because, " and "), how))
}

// configValue is what required_if compares: the value, or the file name of an attachment.
func (c *ResolvedConfig) configValue(key string) string {
	if a, ok := c.Attachments[key]; ok {
		return a.FileName
	}
	return c.Values[key]
}

func (m *Manifest) configAttachmentKeys() string {
	var keys []string
	for _, f := range m.Config {
		if f.Key != "" && f.Type == manifestTypeAttachment {
			keys = append(keys, f.Key)
		}
	}
	if len(keys) == 0 {
		return "(none)"
	}
	return strings.Join(keys, ", ")
}

func configShow(f ConfigField, value string) string {
	if f.Secret {
		return "(secret)"
	}
	return strconv.Quote(value)
}

// configScalar renders a YAML scalar as YAML wrote it, as far as the decoded Go value allows:
// true → "true", 5 → "5", 1.5 → "1.5", never an exponent for integers.
func configScalar(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case json.Number:
		return v.String(), nil
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return strconv.FormatInt(rv.Int(), 10), nil
	case rv.CanUint():
		return strconv.FormatUint(rv.Uint(), 10), nil
	case rv.CanFloat():
		f, bits := rv.Float(), rv.Type().Bits()
		// JavaScript's own thresholds for switching to exponent notation.
		if abs := math.Abs(f); abs >= 1e21 || (abs < 1e-6 && abs != 0) {
			return strconv.FormatFloat(f, 'g', -1, bits), nil
		}
		return strconv.FormatFloat(f, 'f', -1, bits), nil
	}
	switch rv.Kind() {
	case reflect.Map:
		return "", errors.New("expected a string, got a map")
	case reflect.Slice, reflect.Array:
		return "", errors.New("expected a string, got a list")
	}
	return fmt.Sprint(v), nil
}

// configJSONText encodes a YAML map or list for a json field. Object keys come out sorted:
// a Go map has no order left to keep.
func configJSONText(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(configJSONNormalize(v)); err != nil {
		return "", fmt.Errorf("cannot encode the value as JSON: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// configJSONNormalize turns map[any]any (some YAML decoders produce it) into what
// encoding/json accepts.
func configJSONNormalize(v any) any {
	switch v := v.(type) {
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = configJSONNormalize(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = configJSONNormalize(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = configJSONNormalize(x)
		}
		return out
	}
	return v
}

func configReadAttachment(path string) (Attachment, error) {
	contents, err := os.ReadFile(path)
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment file: %w", err)
	}
	contentType := "application/octet-stream"
	if t := mime.TypeByExtension(filepath.Ext(path)); t != "" {
		// Drop "; charset=utf-8": a browser upload, which the original stored, carries none.
		contentType, _, _ = strings.Cut(t, ";")
	}
	return Attachment{ContentType: contentType, FileName: filepath.Base(path), Contents: contents}, nil
}

// configClosest suggests the known key nearest to a mistyped one, if any is near enough.
func configClosest(key string, known []string) string {
	best, bestDist := "", max(1, len(key)/3)+1
	for _, k := range known {
		if d := configEditDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// configEditDistance counts insertions, deletions, substitutions and swaps of neighbours
// (the usual typo "hsot").
func configEditDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
