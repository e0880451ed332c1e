// Package url is the URL and URLSearchParams globals: the WHATWG URL
// Standard as Node 20 implements it (Ada 2.9), with the parser in Go and
// the classes a thin JavaScript layer (url.js).
package url

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/bidi"

	"github.com/hogpipe/hogpipe/internal/node"
)

// This is hogpipe's URL and URLSearchParams: the WHATWG URL
// Standard as Node 20 implements it (Ada 2.9), replacing goja_nodejs' URL,
// which cleans paths with path.Clean (dropping trailing slashes) and leans on
// net/url for the rest.
//
// The parser, the host parser (IDNA, IPv4, IPv6), the percent-encode sets
// and the application/x-www-form-urlencoded parser and serializer are Go
// (urlRecord and friends, usable without a VM). The classes are a thin
// JavaScript layer over them (urlClassSource): a URL holds its record as an
// opaque Go value, a URLSearchParams holds its list of pairs as JavaScript
// strings and, when it belongs to a URL, writes the URL's query back on
// every change.

// urlClassSource defines URL and URLSearchParams on global. host is the Go
// side built by installURL; the component numbers match urlComponent.
//
//go:embed url.js
var urlClassSource string

var urlClassProgram = goja.MustCompile("web:url", urlClassSource, true)

// urlComponent numbers the URL getters and setters; the JavaScript layer
// uses the same numbers.
type urlComponent int

const (
	urlHref urlComponent = iota
	urlOrigin
	urlProtocol
	urlUsername
	urlPassword
	urlHost
	urlHostname
	urlPort
	urlPathname
	urlSearch
	urlHash
)

// Global defines URL and URLSearchParams.
func Global() node.Global { return node.Global{Name: "URL", Install: install} }

func install(rt *goja.Runtime, _ node.Host) error {
	record := func(val goja.Value) *urlRecord {
		if r, ok := val.Export().(*urlRecord); ok && r != nil {
			return r
		}
		panic(rt.NewTypeError("not a URL record"))
	}
	// parseArgs parses input against an optional base (undefined for none).
	parseArgs := func(call goja.FunctionCall) (*urlRecord, bool) {
		var base *urlRecord
		if b := call.Argument(1); !goja.IsUndefined(b) {
			var ok bool
			if base, ok = parseURLRecord(b.String(), nil); !ok {
				return nil, false
			}
		}
		return parseURLRecord(call.Argument(0).String(), base)
	}

	host := rt.NewObject()
	_ = host.Set("parse", func(call goja.FunctionCall) goja.Value {
		u, ok := parseArgs(call)
		if !ok {
			return goja.Null()
		}
		return rt.ToValue(u)
	})
	_ = host.Set("canParse", func(call goja.FunctionCall) goja.Value {
		_, ok := parseArgs(call)
		return rt.ToValue(ok)
	})
	_ = host.Set("get", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(record(call.Argument(0)).get(urlComponent(call.Argument(1).ToInteger())))
	})
	_ = host.Set("set", func(call goja.FunctionCall) goja.Value {
		u := record(call.Argument(0))
		return rt.ToValue(u.set(urlComponent(call.Argument(1).ToInteger()), call.Argument(2).String()))
	})
	_ = host.Set("query", func(call goja.FunctionCall) goja.Value {
		u := record(call.Argument(0))
		if !u.hasQuery {
			return goja.Null()
		}
		return rt.ToValue(u.query)
	})
	_ = host.Set("setQuery", func(call goja.FunctionCall) goja.Value {
		record(call.Argument(0)).setSerializedQuery(call.Argument(1).String())
		return goja.Undefined()
	})
	_ = host.Set("usv", func(call goja.FunctionCall) goja.Value {
		// Converting to a Go string replaces lone surrogates with U+FFFD.
		return rt.ToValue(call.Argument(0).String())
	})
	_ = host.Set("parseForm", func(call goja.FunctionCall) goja.Value {
		pairs := parseFormURLEncoded(call.Argument(0).String())
		items := make([]any, len(pairs))
		for i, p := range pairs {
			items[i] = rt.NewArray(p[0], p[1])
		}
		return rt.NewArray(items...)
	})
	_ = host.Set("serializeForm", func(call goja.FunctionCall) goja.Value {
		list, _ := call.Argument(0).Export().([]any)
		var sb strings.Builder
		for i, item := range list {
			pair, _ := item.([]any)
			if len(pair) != 2 {
				panic(rt.NewTypeError("malformed search params list"))
			}
			if i > 0 {
				sb.WriteByte('&')
			}
			appendFormEncoded(&sb, fmt.Sprint(pair[0]))
			sb.WriteByte('=')
			appendFormEncoded(&sb, fmt.Sprint(pair[1]))
		}
		return rt.ToValue(sb.String())
	})

	fn, err := rt.RunProgram(urlClassProgram)
	if err != nil {
		return fmt.Errorf("url classes: %w", err)
	}
	run, ok := goja.AssertFunction(fn)
	if !ok {
		return fmt.Errorf("url classes: not a function")
	}
	if _, err := run(goja.Undefined(), rt.GlobalObject(), host); err != nil {
		return fmt.Errorf("url classes: %w", err)
	}
	return nil
}

//----------------------------------------------------------------------------
// URL records and their serialization.

// urlRecord is a URL record of the URL Standard. Null components are kept
// as a flag beside the value.
type urlRecord struct {
	scheme      string
	username    string
	password    string
	host        string // serialized host: domain, [IPv6], IPv4, opaque or empty
	hasHost     bool
	port        int      // -1 when null
	path        []string // segments, unless the path is opaque
	opaquePath  string
	hasOpaque   bool
	query       string
	hasQuery    bool
	fragment    string
	hasFragment bool
}

// specialSchemes maps each special scheme to its default port (-1: none).
var specialSchemes = map[string]int{"ftp": 21, "file": -1, "http": 80, "https": 443, "ws": 80, "wss": 443}

func isSpecialScheme(s string) bool {
	_, ok := specialSchemes[s]
	return ok
}

// defaultPort is the scheme's default port, or -1.
func defaultPort(scheme string) int {
	if p, ok := specialSchemes[scheme]; ok {
		return p
	}
	return -1
}

func (u *urlRecord) special() bool { return isSpecialScheme(u.scheme) }

func (u *urlRecord) includesCredentials() bool { return u.username != "" || u.password != "" }

func (u *urlRecord) cannotHaveCredentialsOrPort() bool {
	return !u.hasHost || u.host == "" || u.scheme == "file"
}

func (u *urlRecord) shortenPath() {
	if u.scheme == "file" && len(u.path) == 1 && isNormalizedWindowsDriveLetter(u.path[0]) {
		return
	}
	if len(u.path) > 0 {
		u.path = u.path[:len(u.path)-1]
	}
}

// stripTrailingSpaces is "potentially strip trailing spaces from an opaque
// path".
func (u *urlRecord) stripTrailingSpaces() {
	if !u.hasOpaque || u.hasFragment || u.hasQuery {
		return
	}
	u.opaquePath = strings.TrimRight(u.opaquePath, " ")
}

func (u *urlRecord) pathname() string {
	if u.hasOpaque {
		return u.opaquePath
	}
	var sb strings.Builder
	for _, seg := range u.path {
		sb.WriteByte('/')
		sb.WriteString(seg)
	}
	return sb.String()
}

func (u *urlRecord) hostPort() string {
	if !u.hasHost {
		return ""
	}
	if u.port < 0 {
		return u.host
	}
	return u.host + ":" + strconv.Itoa(u.port)
}

// href is the URL serializer.
func (u *urlRecord) href() string {
	var sb strings.Builder
	sb.WriteString(u.scheme)
	sb.WriteByte(':')
	if u.hasHost {
		sb.WriteString("//")
		if u.includesCredentials() {
			sb.WriteString(u.username)
			if u.password != "" {
				sb.WriteByte(':')
				sb.WriteString(u.password)
			}
			sb.WriteByte('@')
		}
		sb.WriteString(u.hostPort())
	} else if !u.hasOpaque && len(u.path) > 1 && u.path[0] == "" {
		sb.WriteString("/.")
	}
	sb.WriteString(u.pathname())
	if u.hasQuery {
		sb.WriteByte('?')
		sb.WriteString(u.query)
	}
	if u.hasFragment {
		sb.WriteByte('#')
		sb.WriteString(u.fragment)
	}
	return sb.String()
}

func (u *urlRecord) origin() string {
	switch u.scheme {
	case "blob":
		if p, ok := parseURLRecord(u.pathname(), nil); ok && (p.scheme == "http" || p.scheme == "https") {
			return p.origin()
		}
	case "ftp", "http", "https", "ws", "wss":
		return u.scheme + "://" + u.hostPort()
	}
	return "null"
}

func (u *urlRecord) get(c urlComponent) string {
	switch c {
	case urlHref:
		return u.href()
	case urlOrigin:
		return u.origin()
	case urlProtocol:
		return u.scheme + ":"
	case urlUsername:
		return u.username
	case urlPassword:
		return u.password
	case urlHost:
		return u.hostPort()
	case urlHostname:
		if !u.hasHost {
			return ""
		}
		return u.host
	case urlPort:
		if u.port < 0 {
			return ""
		}
		return strconv.Itoa(u.port)
	case urlPathname:
		return u.pathname()
	case urlSearch:
		if u.query == "" {
			return ""
		}
		return "?" + u.query
	case urlHash:
		if u.fragment == "" {
			return ""
		}
		return "#" + u.fragment
	}
	return ""
}

// set runs a URL setter. Only href reports failure: the other setters
// ignore what they cannot use, as the standard says.
func (u *urlRecord) set(c urlComponent, value string) bool {
	switch c {
	case urlHref:
		n, ok := parseURLRecord(value, nil)
		if !ok {
			return false
		}
		*u = *n
	case urlProtocol:
		basicURLParse(value+":", nil, u, schemeStartState)
	case urlUsername:
		if !u.cannotHaveCredentialsOrPort() {
			u.username = percentEncodeString(value, &userinfoSet)
		}
	case urlPassword:
		if !u.cannotHaveCredentialsOrPort() {
			u.password = percentEncodeString(value, &userinfoSet)
		}
	case urlHost, urlHostname:
		u.setHost(value, c == urlHostname)
	case urlPort:
		u.setPort(value)
	case urlPathname:
		if !u.hasOpaque {
			u.path = nil
			basicURLParse(value, nil, u, pathStartState)
		}
	case urlSearch:
		if value == "" {
			u.query, u.hasQuery = "", false
			u.stripTrailingSpaces()
			break
		}
		u.query, u.hasQuery = "", true
		basicURLParse(strings.TrimPrefix(value, "?"), nil, u, queryState)
	case urlHash:
		if value == "" {
			u.fragment, u.hasFragment = "", false
			u.stripTrailingSpaces()
			break
		}
		u.fragment, u.hasFragment = "", true
		basicURLParse(strings.TrimPrefix(value, "#"), nil, u, fragmentState)
	}
	return true
}

// setHost is the host and hostname setters as Node 20 runs them, which
// differs from the standard's state override in a few ways: a port after
// the host is set like the port setter sets it, an empty host before a
// colon is allowed in a non-special URL, and a failure changes nothing.
func (u *urlRecord) setHost(value string, hostnameOnly bool) {
	if u.hasOpaque {
		return
	}
	if u.scheme == "file" {
		basicURLParse(value, nil, u, hostState)
		return
	}
	value, _, _ = strings.Cut(value, "#")
	value = removeTabNewline(value)
	end, colon := len(value), false
	insideBrackets := false
scan:
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '[':
			insideBrackets = true
		case c == ']':
			insideBrackets = false
		case c == ':' && !insideBrackets:
			end, colon = i, true
			break scan
		case c == '/' || c == '?' || (c == '\\' && u.special()):
			end = i
			break scan
		}
	}
	prevPort := u.port
	if colon {
		if hostnameOnly {
			return
		}
		if port := value[end+1:]; port != "" {
			u.setPort(port)
		}
	} else if end == 0 && !u.special() && (u.includesCredentials() || u.port >= 0) {
		return
	}
	h, ok := parseHost(value[:end], !u.special())
	if !ok || (h == "" && u.special()) {
		u.port = prevPort
		return
	}
	u.host, u.hasHost = h, true
}

// setPort is the port setter as Node 20 runs it: a value is ignored when
// it starts with a space or control, contains no ASCII digit, starts with
// '-' or is out of range; otherwise its leading digits are the port, and
// no leading digit at all removes the port.
func (u *urlRecord) setPort(value string) {
	if u.cannotHaveCredentialsOrPort() {
		return
	}
	value = removeTabNewline(value)
	if value == "" {
		u.port = -1
		return
	}
	if value[0] <= 0x20 || value[0] == '-' || !strings.ContainsAny(value, "0123456789") {
		return
	}
	port, i := 0, 0
	for ; i < len(value) && value[i] >= '0' && value[i] <= '9'; i++ {
		if port = port*10 + int(value[i]-'0'); port > 65535 {
			return
		}
	}
	if i == 0 || port == defaultPort(u.scheme) {
		u.port = -1
	} else {
		u.port = port
	}
}

// setSerializedQuery is the URLSearchParams update steps: the serialized
// list becomes the query, or no query when empty.
func (u *urlRecord) setSerializedQuery(q string) {
	if q == "" {
		u.query, u.hasQuery = "", false
		u.stripTrailingSpaces()
		return
	}
	u.query, u.hasQuery = q, true
}

//----------------------------------------------------------------------------
// The basic URL parser.

type urlState uint8

const (
	noStateOverride urlState = iota
	schemeStartState
	schemeState
	noSchemeState
	specialRelativeOrAuthorityState
	pathOrAuthorityState
	relativeState
	relativeSlashState
	specialAuthoritySlashesState
	specialAuthorityIgnoreSlashesState
	authorityState
	hostState
	hostnameState
	portState
	fileState
	fileSlashState
	fileHostState
	pathStartState
	pathState
	opaquePathState
	queryState
	fragmentState
)

const eof = -1

// parseURLRecord parses input, relative to base when base is not nil.
func parseURLRecord(input string, base *urlRecord) (*urlRecord, bool) {
	u := &urlRecord{port: -1}
	input = strings.TrimFunc(input, func(r rune) bool { return r <= 0x20 })
	if !basicURLParse(input, base, u, noStateOverride) {
		return nil, false
	}
	return u, true
}

// basicURLParse is the basic URL parser. With a state override it updates u
// in place, for a setter; it reports false on failure. (The host, hostname
// and port setters of non-file URLs go through setHost and setPort instead,
// as Node's do.)
func basicURLParse(input string, base, u *urlRecord, override urlState) bool {
	in := []rune(removeTabNewline(input))
	at := func(i int) rune {
		if i >= 0 && i < len(in) {
			return in[i]
		}
		return eof
	}
	state := override
	if state == noStateOverride {
		state = schemeStartState
	}
	var buf []rune
	var atSignSeen, insideBrackets, passwordTokenSeen bool

	for ptr := 0; ; ptr++ {
		c := at(ptr)
		switch state {
		case schemeStartState:
			switch {
			case isASCIIAlpha(c):
				buf = append(buf, asciiLower(c))
				state = schemeState
			case override == noStateOverride:
				state = noSchemeState
				ptr--
			default:
				return false
			}

		case schemeState:
			switch {
			case isASCIIAlphanumeric(c) || c == '+' || c == '-' || c == '.':
				buf = append(buf, asciiLower(c))
			case c == ':':
				scheme := string(buf)
				if override != noStateOverride {
					if u.special() != isSpecialScheme(scheme) ||
						((u.includesCredentials() || u.port >= 0) && scheme == "file") ||
						(u.scheme == "file" && u.hasHost && u.host == "") {
						return true
					}
				}
				u.scheme = scheme
				if override != noStateOverride {
					if u.port == defaultPort(u.scheme) {
						u.port = -1
					}
					return true
				}
				buf = buf[:0]
				switch {
				case u.scheme == "file":
					state = fileState
				case u.special() && base != nil && base.scheme == u.scheme:
					state = specialRelativeOrAuthorityState
				case u.special():
					state = specialAuthoritySlashesState
				case at(ptr+1) == '/':
					state = pathOrAuthorityState
					ptr++
				default:
					u.hasOpaque, u.opaquePath = true, ""
					state = opaquePathState
				}
			case override == noStateOverride:
				buf = buf[:0]
				state = noSchemeState
				ptr = -1
			default:
				return false
			}

		case noSchemeState:
			switch {
			case base == nil || (base.hasOpaque && c != '#'):
				return false
			case base.hasOpaque && c == '#':
				u.scheme = base.scheme
				u.hasOpaque, u.opaquePath = true, base.opaquePath
				u.query, u.hasQuery = base.query, base.hasQuery
				u.fragment, u.hasFragment = "", true
				state = fragmentState
			case base.scheme != "file":
				state = relativeState
				ptr--
			default:
				state = fileState
				ptr--
			}

		case specialRelativeOrAuthorityState:
			if c == '/' && at(ptr+1) == '/' {
				state = specialAuthorityIgnoreSlashesState
				ptr++
			} else {
				state = relativeState
				ptr--
			}

		case pathOrAuthorityState:
			if c == '/' {
				state = authorityState
			} else {
				state = pathState
				ptr--
			}

		case relativeState:
			u.scheme = base.scheme
			if c == '/' || (u.special() && c == '\\') {
				state = relativeSlashState
				break
			}
			u.username, u.password = base.username, base.password
			u.host, u.hasHost, u.port = base.host, base.hasHost, base.port
			u.path = slices.Clone(base.path)
			u.query, u.hasQuery = base.query, base.hasQuery
			switch {
			case c == '?':
				u.query, u.hasQuery = "", true
				state = queryState
			case c == '#':
				u.fragment, u.hasFragment = "", true
				state = fragmentState
			case c != eof:
				u.query, u.hasQuery = "", false
				u.shortenPath()
				state = pathState
				ptr--
			}

		case relativeSlashState:
			switch {
			case u.special() && (c == '/' || c == '\\'):
				state = specialAuthorityIgnoreSlashesState
			case c == '/':
				state = authorityState
			default:
				u.username, u.password = base.username, base.password
				u.host, u.hasHost, u.port = base.host, base.hasHost, base.port
				state = pathState
				ptr--
			}

		case specialAuthoritySlashesState:
			state = specialAuthorityIgnoreSlashesState
			if c == '/' && at(ptr+1) == '/' {
				ptr++
			} else {
				ptr--
			}

		case specialAuthorityIgnoreSlashesState:
			if c != '/' && c != '\\' {
				state = authorityState
				ptr--
			}

		case authorityState:
			switch {
			case c == '@':
				if atSignSeen {
					buf = append([]rune("%40"), buf...)
				}
				atSignSeen = true
				var user, pass []byte
				for _, r := range buf {
					if r == ':' && !passwordTokenSeen {
						passwordTokenSeen = true
						continue
					}
					if passwordTokenSeen {
						pass = appendPercentEncoded(pass, r, &userinfoSet)
					} else {
						user = appendPercentEncoded(user, r, &userinfoSet)
					}
				}
				u.username += string(user)
				u.password += string(pass)
				buf = buf[:0]
			case c == eof || c == '/' || c == '?' || c == '#' || (u.special() && c == '\\'):
				if atSignSeen && len(buf) == 0 {
					return false
				}
				ptr -= len(buf) + 1
				buf = buf[:0]
				state = hostState
			default:
				buf = append(buf, c)
			}

		case hostState, hostnameState:
			switch {
			case override != noStateOverride && u.scheme == "file":
				ptr--
				state = fileHostState
			case c == ':' && !insideBrackets:
				if len(buf) == 0 || override == hostnameState {
					return false
				}
				h, ok := parseHost(string(buf), !u.special())
				if !ok {
					return false
				}
				u.host, u.hasHost = h, true
				buf = buf[:0]
				state = portState
			case c == eof || c == '/' || c == '?' || c == '#' || (u.special() && c == '\\'):
				ptr--
				if len(buf) == 0 && (u.special() ||
					(override != noStateOverride && (u.includesCredentials() || u.port >= 0))) {
					return false
				}
				h, ok := parseHost(string(buf), !u.special())
				if !ok {
					return false
				}
				u.host, u.hasHost = h, true
				buf = buf[:0]
				state = pathStartState
				if override != noStateOverride {
					return true
				}
			default:
				if c == '[' {
					insideBrackets = true
				} else if c == ']' {
					insideBrackets = false
				}
				buf = append(buf, c)
			}

		case portState:
			switch {
			case isASCIIDigit(c):
				buf = append(buf, c)
			case c == eof || c == '/' || c == '?' || c == '#' || (u.special() && c == '\\') || override != noStateOverride:
				if len(buf) != 0 {
					port := 0
					for _, d := range buf {
						port = port*10 + int(d-'0')
						if port > 65535 {
							return false
						}
					}
					if port == defaultPort(u.scheme) {
						u.port = -1
					} else {
						u.port = port
					}
					buf = buf[:0]
				}
				if override != noStateOverride {
					return true
				}
				state = pathStartState
				ptr--
			default:
				return false
			}

		case fileState:
			u.scheme = "file"
			u.host, u.hasHost = "", true
			switch {
			case c == '/' || c == '\\':
				state = fileSlashState
			case base != nil && base.scheme == "file":
				u.host, u.hasHost = base.host, base.hasHost
				u.path = slices.Clone(base.path)
				u.query, u.hasQuery = base.query, base.hasQuery
				switch {
				case c == '?':
					u.query, u.hasQuery = "", true
					state = queryState
				case c == '#':
					u.fragment, u.hasFragment = "", true
					state = fragmentState
				case c != eof:
					u.query, u.hasQuery = "", false
					if startsWithWindowsDriveLetter(in[ptr:]) {
						u.path = nil
					} else {
						u.shortenPath()
					}
					state = pathState
					ptr--
				}
			default:
				state = pathState
				ptr--
			}

		case fileSlashState:
			if c == '/' || c == '\\' {
				state = fileHostState
				break
			}
			if base != nil && base.scheme == "file" {
				u.host, u.hasHost = base.host, base.hasHost
				if !startsWithWindowsDriveLetter(in[min(ptr, len(in)):]) &&
					len(base.path) > 0 && isNormalizedWindowsDriveLetter(base.path[0]) {
					u.path = append(u.path, base.path[0])
				}
			}
			state = pathState
			ptr--

		case fileHostState:
			if c != eof && c != '/' && c != '\\' && c != '?' && c != '#' {
				buf = append(buf, c)
				break
			}
			ptr--
			switch {
			case override == noStateOverride && isWindowsDriveLetter(buf):
				// The buffer is kept: it becomes the path's first segment.
				state = pathState
			case len(buf) == 0:
				u.host, u.hasHost = "", true
				if override != noStateOverride {
					return true
				}
				state = pathStartState
			default:
				h, ok := parseHost(string(buf), !u.special())
				if !ok {
					return false
				}
				if h == "localhost" {
					h = ""
				}
				u.host, u.hasHost = h, true
				if override != noStateOverride {
					return true
				}
				buf = buf[:0]
				state = pathStartState
			}

		case pathStartState:
			switch {
			case u.special():
				state = pathState
				if c != '/' && c != '\\' {
					ptr--
				}
			case override == noStateOverride && c == '?':
				u.query, u.hasQuery = "", true
				state = queryState
			case override == noStateOverride && c == '#':
				u.fragment, u.hasFragment = "", true
				state = fragmentState
			case c != eof:
				state = pathState
				if c != '/' {
					ptr--
				}
			case override != noStateOverride && !u.hasHost:
				u.path = append(u.path, "")
			}

		case pathState:
			slash := c == '/' || (u.special() && c == '\\')
			if !(c == eof || slash || (override == noStateOverride && (c == '?' || c == '#'))) {
				buf = appendPercentEncodedRunes(buf, c, &pathSet)
				break
			}
			switch seg := string(buf); {
			case isDoubleDotSegment(seg):
				u.shortenPath()
				if !slash {
					u.path = append(u.path, "")
				}
			case isSingleDotSegment(seg):
				if !slash {
					u.path = append(u.path, "")
				}
			default:
				if u.scheme == "file" && len(u.path) == 0 && isWindowsDriveLetter(buf) {
					buf[1] = ':'
					seg = string(buf)
				}
				u.path = append(u.path, seg)
			}
			buf = buf[:0]
			if c == '?' {
				u.query, u.hasQuery = "", true
				state = queryState
			} else if c == '#' {
				u.fragment, u.hasFragment = "", true
				state = fragmentState
			}

		case opaquePathState:
			b := []byte(u.opaquePath)
			for ; ptr < len(in) && in[ptr] != '?' && in[ptr] != '#'; ptr++ {
				b = appendPercentEncoded(b, in[ptr], &c0ControlSet)
			}
			u.opaquePath = string(b)
			switch at(ptr) {
			case '?':
				u.query, u.hasQuery = "", true
				state = queryState
			case '#':
				u.fragment, u.hasFragment = "", true
				state = fragmentState
			}

		case queryState:
			for ; ptr < len(in) && (override != noStateOverride || in[ptr] != '#'); ptr++ {
				buf = append(buf, in[ptr])
			}
			set := &querySet
			if u.special() {
				set = &specialQuerySet
			}
			b := []byte(u.query)
			for _, r := range buf {
				b = appendPercentEncoded(b, r, set)
			}
			u.query = string(b)
			buf = buf[:0]
			if at(ptr) == '#' {
				u.fragment, u.hasFragment = "", true
				state = fragmentState
			}

		case fragmentState:
			b := []byte(u.fragment)
			for ; ptr < len(in); ptr++ {
				b = appendPercentEncoded(b, in[ptr], &fragmentSet)
			}
			u.fragment = string(b)
		}
		if ptr >= len(in) {
			return true
		}
	}
}

func removeTabNewline(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

func isASCIIAlpha(r rune) bool        { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isASCIIDigit(r rune) bool        { return r >= '0' && r <= '9' }
func isASCIIAlphanumeric(r rune) bool { return isASCIIAlpha(r) || isASCIIDigit(r) }

func asciiLower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + ('a' - 'A')
	}
	return r
}

// isWindowsDriveLetter: an ASCII letter then ':' or '|'.
func isWindowsDriveLetter(s []rune) bool {
	return len(s) == 2 && isASCIIAlpha(s[0]) && (s[1] == ':' || s[1] == '|')
}

func isNormalizedWindowsDriveLetter(s string) bool {
	return len(s) == 2 && isASCIIAlpha(rune(s[0])) && s[1] == ':'
}

func startsWithWindowsDriveLetter(s []rune) bool {
	if len(s) < 2 || !isWindowsDriveLetter(s[:2]) {
		return false
	}
	if len(s) == 2 {
		return true
	}
	switch s[2] {
	case '/', '\\', '?', '#':
		return true
	}
	return false
}

func isSingleDotSegment(s string) bool {
	return s == "." || strings.EqualFold(s, "%2e")
}

func isDoubleDotSegment(s string) bool {
	switch strings.ToLower(s) {
	case "..", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

//----------------------------------------------------------------------------
// Percent-encoding.

// percentEncodeSet marks the ASCII code points a set encodes; every set
// also encodes all code points above U+007E.
type percentEncodeSet [128]bool

func newPercentEncodeSet(base *percentEncodeSet, extra string) percentEncodeSet {
	var s percentEncodeSet
	if base != nil {
		s = *base
	} else {
		for i := 0; i < 0x20; i++ {
			s[i] = true
		}
		s[0x7f] = true
	}
	for i := 0; i < len(extra); i++ {
		s[extra[i]] = true
	}
	return s
}

var (
	c0ControlSet    = newPercentEncodeSet(nil, "")
	fragmentSet     = newPercentEncodeSet(&c0ControlSet, " \"<>`")
	querySet        = newPercentEncodeSet(&c0ControlSet, " \"#<>")
	specialQuerySet = newPercentEncodeSet(&querySet, "'")
	pathSet         = newPercentEncodeSet(&querySet, "?`{}")
	userinfoSet     = newPercentEncodeSet(&pathSet, "/:;=@[\\]^|")
	componentSet    = newPercentEncodeSet(&userinfoSet, "$%&+,")
	formSet         = newPercentEncodeSet(&componentSet, "!'()~")
)

const upperHex = "0123456789ABCDEF"

// appendPercentEncoded is UTF-8 percent-encode of one code point.
func appendPercentEncoded(dst []byte, r rune, set *percentEncodeSet) []byte {
	if r >= 0 && r < 0x80 && !set[r] {
		return append(dst, byte(r))
	}
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	for _, b := range tmp[:n] {
		dst = append(dst, '%', upperHex[b>>4], upperHex[b&15])
	}
	return dst
}

func appendPercentEncodedRunes(dst []rune, r rune, set *percentEncodeSet) []rune {
	if r >= 0 && r < 0x80 && !set[r] {
		return append(dst, r)
	}
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	for _, b := range tmp[:n] {
		dst = append(dst, '%', rune(upperHex[b>>4]), rune(upperHex[b&15]))
	}
	return dst
}

func percentEncodeString(s string, set *percentEncodeSet) string {
	var b []byte
	for _, r := range s {
		b = appendPercentEncoded(b, r, set)
	}
	return string(b)
}

func unhexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode decodes %XX sequences; anything else is kept as it is.
func percentDecode(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhexDigit(s[i+1])
			lo, ok2 := unhexDigit(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return b
}

// utf8DecodeWithoutBOM decodes b as the Encoding Standard's UTF-8 decoder
// does: each maximal ill-formed subsequence becomes one U+FFFD.
func utf8DecodeWithoutBOM(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	var cp rune
	needed, seen := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i < len(b); {
		c := b[i]
		if needed == 0 {
			switch {
			case c <= 0x7F:
				sb.WriteByte(c)
			case c >= 0xC2 && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				} else if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0xF)
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				} else if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x7)
			default:
				sb.WriteRune(utf8.RuneError)
			}
			i++
			continue
		}
		if c < lower || c > upper {
			// The byte starts over; what came before is one error.
			cp, needed, seen = 0, 0, 0
			lower, upper = 0x80, 0xBF
			sb.WriteRune(utf8.RuneError)
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		seen++
		i++
		if seen == needed {
			sb.WriteRune(cp)
			cp, needed, seen = 0, 0, 0
		}
	}
	if needed != 0 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}

//----------------------------------------------------------------------------
// application/x-www-form-urlencoded.

// parseFormURLEncoded is the application/x-www-form-urlencoded parser.
func parseFormURLEncoded(s string) [][2]string {
	var pairs [][2]string
	for seq := range strings.SplitSeq(s, "&") {
		if seq == "" {
			continue
		}
		name, value, _ := strings.Cut(seq, "=")
		pairs = append(pairs, [2]string{formDecode(name), formDecode(value)})
	}
	return pairs
}

func formDecode(s string) string {
	if !strings.ContainsAny(s, "+%") && utf8.ValidString(s) {
		return s
	}
	return utf8DecodeWithoutBOM(percentDecode(strings.ReplaceAll(s, "+", " ")))
}

// appendFormEncoded is the application/x-www-form-urlencoded byte
// serializer: space becomes '+', and the form set is percent-encoded.
func appendFormEncoded(sb *strings.Builder, s string) {
	var tmp [3 * utf8.UTFMax]byte
	for _, r := range s {
		if r == ' ' {
			sb.WriteByte('+')
			continue
		}
		sb.Write(appendPercentEncoded(tmp[:0], r, &formSet))
	}
}

//----------------------------------------------------------------------------
// Hosts.

// isForbiddenHostCodePoint reports the code points no host may contain.
func isForbiddenHostCodePoint(r rune) bool {
	switch r {
	case 0, '\t', '\n', '\r', ' ', '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|':
		return true
	}
	return false
}

// isForbiddenDomainCodePoint adds C0 controls, '%' and DEL.
func isForbiddenDomainCodePoint(r rune) bool {
	return isForbiddenHostCodePoint(r) || r <= 0x1F || r == '%' || r == 0x7F
}

// parseHost is the host parser; it returns the serialized host.
func parseHost(input string, isOpaque bool) (string, bool) {
	if strings.HasPrefix(input, "[") {
		if !strings.HasSuffix(input, "]") || len(input) < 2 {
			return "", false
		}
		addr, ok := parseIPv6([]rune(input[1 : len(input)-1]))
		if !ok {
			return "", false
		}
		return "[" + serializeIPv6(addr) + "]", true
	}
	if isOpaque {
		if strings.ContainsFunc(input, isForbiddenHostCodePoint) {
			return "", false
		}
		return percentEncodeString(input, &c0ControlSet), true
	}
	domain := utf8DecodeWithoutBOM(percentDecode(input))
	ascii, ok := domainToASCII(domain)
	if !ok || strings.ContainsFunc(ascii, isForbiddenDomainCodePoint) {
		return "", false
	}
	if endsInANumber(ascii) {
		addr, ok := parseIPv4(ascii)
		if !ok {
			return "", false
		}
		return serializeIPv4(addr), true
	}
	return ascii, true
}

// urlIDNA is UTS #46 processing with the URL Standard's flags:
// CheckHyphens false, CheckJoiners true, UseSTD3ASCIIRules false,
// nontransitional, VerifyDnsLength false. CheckBidi is done by
// bidiLabelOK, the way Node's URL parser (Ada) does it.
var urlIDNA = idna.New(
	idna.MapForLookup(),
	idna.CheckJoiners(true),
	idna.CheckHyphens(false),
	idna.StrictDomainName(false),
	idna.Transitional(false),
	idna.VerifyDNSLength(false),
)

// domainToASCII is "domain to ASCII" with beStrict false.
func domainToASCII(domain string) (string, bool) {
	ascii := true
	for i := 0; i < len(domain); i++ {
		if domain[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii && !slices.ContainsFunc(strings.Split(domain, "."), hasACEPrefix) {
		return strings.ToLower(domain), domain != ""
	}
	out, err := urlIDNA.ToASCII(domain)
	if err != nil || out == "" {
		return "", false
	}
	labels := strings.Split(out, ".")
	// A label given as xn-- whose decoding is all ASCII comes back decoded;
	// Node keeps it as given, and rejects it when it decodes to nothing.
	if given := splitLabels(domain); len(given) == len(labels) {
		for i, g := range given {
			if hasACEPrefix(g) && !hasACEPrefix(labels[i]) {
				if labels[i] == "" {
					return "", false
				}
				labels[i] = strings.ToLower(g)
			}
		}
	}
	for _, label := range labels {
		if hasACEPrefix(label) {
			if label, err = idna.Punycode.ToUnicode(label); err != nil {
				return "", false
			}
		}
		if !bidiLabelOK(label) {
			return "", false
		}
	}
	return strings.Join(labels, "."), true
}

// splitLabels splits a domain at the full stops UTS #46 maps to '.'.
func splitLabels(domain string) []string {
	var labels []string
	start := 0
	for i, r := range domain {
		if r == '.' || r == '\u3002' || r == '\uFF0E' || r == '\uFF61' {
			labels = append(labels, domain[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(labels, domain[start:])
}

func hasACEPrefix(label string) bool {
	return len(label) >= 4 && strings.EqualFold(label[:4], "xn--")
}

// bidiLabelOK checks RFC 5893's rules 2 to 4 on a label that starts with a
// right-to-left character (Bidi class R, AL or AN), which is what Node 20
// checks; other labels pass.
func bidiLabelOK(label string) bool {
	first, _ := utf8.DecodeRuneInString(label)
	if first < utf8.RuneSelf {
		return true
	}
	if c := bidiClass(first); c != bidi.R && c != bidi.AL && c != bidi.AN {
		return true
	}
	var hasEN, hasAN bool
	var last bidi.Class
	for _, r := range label {
		c := bidiClass(r)
		switch c {
		case bidi.R, bidi.AL, bidi.ES, bidi.CS, bidi.ET, bidi.ON, bidi.BN, bidi.NSM:
		case bidi.EN:
			hasEN = true
		case bidi.AN:
			hasAN = true
		default:
			return false
		}
		if c != bidi.NSM {
			last = c
		}
	}
	if hasEN && hasAN {
		return false
	}
	return last == bidi.R || last == bidi.AL || last == bidi.EN || last == bidi.AN
}

func bidiClass(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// endsInANumber reports whether the last label (ignoring one trailing dot)
// is numeric, making the host an IPv4 address or invalid.
func endsInANumber(s string) bool {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.IndexFunc(last, func(r rune) bool { return !isASCIIDigit(r) }) < 0 {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// parseIPv4Number parses decimal, 0x hex or 0 octal. Values too large for
// any address are capped, so they still fail the range checks.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	radix := uint64(10)
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s, radix = s[2:], 16
	} else if len(s) >= 2 && s[0] == '0' {
		s, radix = s[1:], 8
	}
	const limit = 1 << 40
	var n uint64
	for i := 0; i < len(s); i++ {
		d, ok := unhexDigit(s[i])
		if !ok || uint64(d) >= radix {
			return 0, false
		}
		if n < limit {
			n = n*radix + uint64(d)
		}
	}
	return n, true
}

func parseIPv4(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return 0, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return 0, false
		}
		nums[i] = n
	}
	last := nums[len(nums)-1]
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return 0, false
		}
	}
	if last >= uint64(1)<<(8*(5-len(nums))) {
		return 0, false
	}
	addr := last
	for i, n := range nums[:len(nums)-1] {
		addr += n << (8 * (3 - i))
	}
	return uint32(addr), true
}

func serializeIPv4(addr uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", addr>>24, addr>>16&0xFF, addr>>8&0xFF, addr&0xFF)
}

func parseIPv6(in []rune) ([8]uint16, bool) {
	var addr [8]uint16
	pieceIndex, compress := 0, -1
	ptr := 0
	at := func(i int) rune {
		if i < len(in) {
			return in[i]
		}
		return eof
	}
	if at(ptr) == ':' {
		if at(ptr+1) != ':' {
			return addr, false
		}
		ptr += 2
		pieceIndex++
		compress = pieceIndex
	}
	for at(ptr) != eof {
		if pieceIndex == 8 {
			return addr, false
		}
		if at(ptr) == ':' {
			if compress >= 0 {
				return addr, false
			}
			ptr++
			pieceIndex++
			compress = pieceIndex
			continue
		}
		value, length := 0, 0
		for length < 4 && at(ptr) != eof && at(ptr) < 0x80 {
			d, ok := unhexDigit(byte(at(ptr)))
			if !ok {
				break
			}
			value = value*16 + int(d)
			ptr++
			length++
		}
		switch at(ptr) {
		case '.':
			if length == 0 {
				return addr, false
			}
			ptr -= length
			if pieceIndex > 6 {
				return addr, false
			}
			numbersSeen := 0
			for at(ptr) != eof {
				piece := -1
				if numbersSeen > 0 {
					if at(ptr) == '.' && numbersSeen < 4 {
						ptr++
					} else {
						return addr, false
					}
				}
				if !isASCIIDigit(at(ptr)) {
					return addr, false
				}
				for isASCIIDigit(at(ptr)) {
					n := int(at(ptr) - '0')
					switch piece {
					case -1:
						piece = n
					case 0:
						return addr, false
					default:
						piece = piece*10 + n
					}
					if piece > 255 {
						return addr, false
					}
					ptr++
				}
				addr[pieceIndex] = addr[pieceIndex]*0x100 + uint16(piece)
				numbersSeen++
				if numbersSeen == 2 || numbersSeen == 4 {
					pieceIndex++
				}
			}
			if numbersSeen != 4 {
				return addr, false
			}
			return finishIPv6(addr, pieceIndex, compress)
		case ':':
			ptr++
			if at(ptr) == eof {
				return addr, false
			}
		case eof:
		default:
			return addr, false
		}
		addr[pieceIndex] = uint16(value)
		pieceIndex++
	}
	return finishIPv6(addr, pieceIndex, compress)
}

func finishIPv6(addr [8]uint16, pieceIndex, compress int) ([8]uint16, bool) {
	if compress >= 0 {
		swaps := pieceIndex - compress
		for pieceIndex = 7; pieceIndex != 0 && swaps > 0; pieceIndex, swaps = pieceIndex-1, swaps-1 {
			addr[pieceIndex], addr[compress+swaps-1] = addr[compress+swaps-1], addr[pieceIndex]
		}
		return addr, true
	}
	return addr, pieceIndex == 8
}

func serializeIPv6(addr [8]uint16) string {
	// Compress the first longest run of two or more zero pieces.
	compress, best := -1, 1
	for i := 0; i < 8; {
		if addr[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && addr[j] == 0 {
			j++
		}
		if j-i > best {
			compress, best = i, j-i
		}
		i = j
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if i == compress {
			if i == 0 {
				sb.WriteString("::")
			} else {
				sb.WriteByte(':')
			}
			i += best - 1
			continue
		}
		sb.WriteString(strconv.FormatUint(uint64(addr[i]), 16))
		if i != 7 {
			sb.WriteByte(':')
		}
	}
	return sb.String()
}
