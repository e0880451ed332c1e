package pluginhost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Manifest is a parsed plugin.json.
type Manifest struct {
	Name, Description, URL string
	// Main is the entry file as written in plugin.json ("" when absent); EntryFile resolves it.
	Main string
	// Config is the schema in file order, whichever form (array or object) plugin.json used.
	// Text-only markdown entries are kept, with Key "", so docs and lint can show them.
	Config         []ConfigField
	PublicJobs     map[string]json.RawMessage
	Stateless      bool
	PosthogVersion string
	Dir            string // absolute folder of the plugin
}

// ConfigField is one entry of plugin.json's config.
type ConfigField struct {
	Key, Name, Type, Default, Hint, Markdown string // Type "" means "string"
	Required, Secret                         bool
	Choices                                  []string
	RequiredIf                               [][]any // [[key, value?], ...]: every pair must match
	VisibleIf                                [][]any
	Order                                    int
}

const (
	manifestTypeString     = "string"
	manifestTypeChoice     = "choice"
	manifestTypeJSON       = "json"
	manifestTypeAttachment = "attachment"
)

// LoadManifest reads dir/plugin.json. All problems with the file are reported at once.
func LoadManifest(dir string) (*Manifest, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin folder %s: %w", dir, err)
	}
	path := filepath.Join(abs, "plugin.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("plugin folder %s has no plugin.json: %w", abs, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read plugin manifest: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, manifestJSONError(path, data, err)
	}

	m := &Manifest{Dir: abs}
	me := &manifestErrors{path: path}
	before := len(me.errs)
	me.decode(top["name"], &m.Name, `"name"`, "a string")
	if strings.TrimSpace(m.Name) == "" && len(me.errs) == before {
		me.addf(`missing "name"`)
	}
	me.decode(top["description"], &m.Description, `"description"`, "a string")
	me.decode(top["url"], &m.URL, `"url"`, "a string")
	me.decode(top["main"], &m.Main, `"main"`, "a string (the entry file)")
	if m.Main != "" && !filepath.IsLocal(filepath.FromSlash(m.Main)) {
		me.addf(`"main" %q must be a path inside the plugin folder`, m.Main)
	}
	me.decode(top["posthogVersion"], &m.PosthogVersion, `"posthogVersion"`, "a string")
	me.decode(top["stateless"], &m.Stateless, `"stateless"`, "true or false")
	me.decode(top["publicJobs"], &m.PublicJobs, `"publicJobs"`, "an object of job name to payload schema")
	m.Config = me.config(top["config"])
	if len(me.errs) > 0 {
		return nil, errors.Join(me.errs...)
	}
	return m, nil
}

// EntryFile returns the absolute path of the plugin's entry file: plugin.json "main", else
// package.json "main", else index.js, else index.ts. A package.json "main" that does not
// exist falls through to the index files, because npm writes "index.js" there by default
// even for TypeScript plugins; a plugin.json "main" is the author's explicit word and must exist.
func (m *Manifest) EntryFile() (string, error) {
	if m.Main != "" {
		path := filepath.Join(m.Dir, filepath.FromSlash(m.Main))
		if err := manifestRegularFile(path); err != nil {
			return "", pluginErrorf(m.Name, fmt.Sprintf("entry file from plugin.json \"main\" %q", m.Main), "%w", err)
		}
		return path, nil
	}
	tried, err := manifestPackageMain(m.Dir)
	if err != nil {
		return "", fmt.Errorf("plugin %q: %w", m.Name, err)
	}
	tried = append(tried, "index.js", "index.ts")
	for _, name := range tried {
		path := filepath.Join(m.Dir, filepath.FromSlash(name))
		if manifestRegularFile(path) == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf(`plugin %q: no entry file in %s: tried %s (set "main" in plugin.json)`,
		m.Name, m.Dir, strings.Join(tried, ", "))
}

//------------------------------------------------------------------------------

// manifestErrors collects every problem of one plugin.json, each prefixed by its path.
type manifestErrors struct {
	path string
	errs []error
}

func (e *manifestErrors) addf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("%s: %s", e.path, fmt.Sprintf(format, args...)))
}

// decode fills into from an optional member; absent and null leave it untouched.
func (e *manifestErrors) decode(raw json.RawMessage, into any, what, want string) {
	if manifestAbsent(raw) {
		return
	}
	if err := json.Unmarshal(raw, into); err != nil {
		e.addf("%s must be %s", what, want)
	}
}

func (e *manifestErrors) config(raw json.RawMessage) []ConfigField {
	raw = bytes.TrimSpace(raw)
	if manifestAbsent(raw) {
		return nil
	}
	var fields []ConfigField
	switch raw[0] {
	case '[':
		var entries []json.RawMessage
		if err := json.Unmarshal(raw, &entries); err != nil {
			e.addf(`"config": %v`, err)
			return nil
		}
		for i, entry := range entries {
			fields = append(fields, e.field(entry, fmt.Sprintf("config[%d]", i), ""))
		}
	case '{':
		// A map would lose the file order, which is the order the form and meta.config show.
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil {
			e.addf(`"config": %v`, err)
			return nil
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				e.addf(`"config": %v`, err)
				return nil
			}
			key, _ := tok.(string)
			var entry json.RawMessage
			if err := dec.Decode(&entry); err != nil {
				e.addf(`"config": %v`, err)
				return nil
			}
			fields = append(fields, e.field(entry, fmt.Sprintf("config %q", key), key))
		}
	default:
		e.addf(`"config" must be an array of fields or an object keyed by field key`)
		return nil
	}

	seen := map[string]bool{}
	for _, f := range fields {
		if f.Key != "" && seen[f.Key] {
			e.addf("config: duplicate key %q", f.Key)
		}
		seen[f.Key] = true
	}
	return fields
}

// manifestFieldJSON holds one config entry undecoded, so that each member gets its own error.
type manifestFieldJSON struct {
	Key, Name, Type, Default, Hint, Markdown json.RawMessage
	Required, Secret, Choices, Order         json.RawMessage
	RequiredIf                               json.RawMessage `json:"required_if"`
	VisibleIf                                json.RawMessage `json:"visible_if"`
}

func (e *manifestErrors) field(raw json.RawMessage, where, mapKey string) ConfigField {
	var in manifestFieldJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		e.addf("%s must be an object", where)
		return ConfigField{}
	}
	var f ConfigField
	e.decode(in.Key, &f.Key, where+` "key"`, "a string")
	switch {
	case mapKey == "" && f.Key != "":
		where += fmt.Sprintf(" (key %q)", f.Key)
	case mapKey != "" && f.Key != "" && f.Key != mapKey:
		e.addf(`%s: "key" %q differs from the object key`, where, f.Key)
	}
	if mapKey != "" {
		f.Key = mapKey
	}
	e.decode(in.Name, &f.Name, where+` "name"`, "a string")
	e.decode(in.Type, &f.Type, where+` "type"`, "a string")
	e.decode(in.Hint, &f.Hint, where+` "hint"`, "a string")
	e.decode(in.Markdown, &f.Markdown, where+` "markdown"`, "a string")
	e.decode(in.Required, &f.Required, where+` "required"`, "true or false")
	e.decode(in.Secret, &f.Secret, where+` "secret"`, "true or false")
	e.decode(in.Order, &f.Order, where+` "order"`, "an integer")
	e.decode(in.Choices, &f.Choices, where+` "choices"`, "an array of strings")
	f.RequiredIf = e.conditions(in.RequiredIf, where+` "required_if"`)
	f.VisibleIf = e.conditions(in.VisibleIf, where+` "visible_if"`)

	if (f.Type == "" && f.Markdown != "") || (f.Key == "" && len(in.Markdown) != 0) {
		// The original form shows no input for an entry without a type, nor for a markdown
		// entry without a key (engage-so has {"markdown": ""}): it is text only.
		f.Key = ""
		return f
	}
	if f.Key == "" {
		e.addf(`%s: missing "key" (only a "markdown" text entry may have none)`, where)
	}
	switch f.Type {
	case "", manifestTypeString, manifestTypeJSON, manifestTypeAttachment:
	case manifestTypeChoice:
		if len(f.Choices) == 0 {
			e.addf(`%s: type "choice" needs a non-empty "choices" list`, where)
		}
	default:
		e.addf(`%s: "type" %q is not one of string, choice, json, attachment`, where, f.Type)
	}
	f.Default = e.defaultValue(in.Default, f, where)
	return f
}

// defaultValue takes a string default as is and, leniently, a number or boolean as written;
// a JSON field may also give an object or array.
func (e *manifestErrors) defaultValue(raw json.RawMessage, f ConfigField, where string) string {
	if manifestAbsent(raw) {
		return ""
	}
	var def string
	switch err := json.Unmarshal(raw, &def); {
	case err == nil:
	case raw[0] == '{' || raw[0] == '[':
		if f.Type != manifestTypeJSON {
			e.addf(`%s "default" must be a string`, where)
			return ""
		}
		var buf bytes.Buffer
		_ = json.Compact(&buf, raw) // raw is valid JSON: the whole file parsed
		return buf.String()
	default:
		def = string(raw)
	}
	switch {
	case def == "":
	case f.Type == manifestTypeChoice && len(f.Choices) > 0 && !slices.Contains(f.Choices, def):
		e.addf(`%s: "default" %q is not one of "choices" %s`, where, def, manifestQuoteList(f.Choices))
	case f.Type == manifestTypeJSON && !json.Valid([]byte(def)):
		e.addf(`%s: "default" is not valid JSON`, where)
	}
	return def
}

// conditions decodes required_if / visible_if; numbers stay as written (json.Number).
func (e *manifestErrors) conditions(raw json.RawMessage, what string) [][]any {
	if manifestAbsent(raw) {
		return nil
	}
	var conds [][]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&conds)
	for _, c := range conds {
		if key, _ := manifestFirst(c).(string); key == "" || len(c) > 2 {
			err = errors.New("bad pair")
		}
	}
	if err != nil {
		e.addf(`%s must be a list of [key] or [key, value] pairs`, what)
		return nil
	}
	return conds
}

func manifestFirst(c []any) any {
	if len(c) == 0 {
		return nil
	}
	return c[0]
}

func manifestAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// manifestJSONError reports a parse failure as path:line:column, the form editors jump to.
func manifestJSONError(path string, data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		line, col := manifestLineCol(data, syntax.Offset)
		return fmt.Errorf("%s:%d:%d: invalid JSON: %w", path, line, col, err)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: must be a JSON object, not %s", path, typ.Value)
	default:
		return fmt.Errorf("%s: invalid JSON: %w", path, err)
	}
}

// manifestLineCol locates the byte that made the decoder stop: offset counts it as read.
func manifestLineCol(data []byte, offset int64) (line, col int) {
	before := data[:min(max(offset-1, 0), int64(len(data)))]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func manifestRegularFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return fmt.Errorf("%s is a directory, not a file", path)
	}
	return nil
}

// manifestPackageMain returns package.json's "main" as a candidate list (empty when absent).
func manifestPackageMain(dir string) ([]string, error) {
	path := filepath.Join(dir, "package.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read package.json: %w", err)
	}
	var pkg struct{ Main string }
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if pkg.Main == "" || !filepath.IsLocal(filepath.FromSlash(pkg.Main)) {
		return nil, nil
	}
	return []string{pkg.Main}, nil
}

func manifestQuoteList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(quoted, ", ")
}
