package url

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/node/util"
)

// The expected values below are what Node 20.20 (Ada 2.9.2) gives for the
// same input or snippet.

// TestWhatwgURLParse checks the Go parser on its own, without a VM.
func TestWhatwgURLParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ input, base, want string }{
		{"http://h/api/projects/", "", "http://h/api/projects/"},
		{"HTTP://EXAMPLE.COM:80/a/./b/../c/", "", "http://example.com/a/c/"},
		{"http://2130706433/", "", "http://127.0.0.1/"},
		{"http://[0:0:0:0:0:0:0:1]:8080/", "", "http://[::1]:8080/"},
		{"http://münchen.de/ü?ü#ü", "", "http://xn--mnchen-3ya.de/%C3%BC?%C3%BC#%C3%BC"},
		{"  http://h/a\tb\n  ", "", "http://h/ab"},
		{"http:\\\\h\\a\\b\\", "", "http://h/a/b/"},
		{"../x/", "http://h/a/b/c", "http://h/a/x/"},
		{"//g/x", "https://a/b", "https://g/x"},
		{"?q=a b", "http://h/p", "http://h/p?q=a%20b"},
		{"file:///C:/../x", "", "file:///C:/x"},
		{"sc://H/a/../b/", "", "sc://H/b/"},
		{"mailto:x@y", "", "mailto:x@y"},
		{"http://h:99999/", "", ""},
		{"http://a b/", "", ""},
		{"x", "", ""},
		{"x", "mailto:y", ""},
		{"http://[::1", "", ""},
		{"http://1.2.3.256/", "", ""},
		{"http://@/", "", ""},
	} {
		var base *urlRecord
		if tc.base != "" {
			var ok bool
			base, ok = parseURLRecord(tc.base, nil)
			if !assert.True(t, ok, "base %q", tc.base) {
				continue
			}
		}
		u, ok := parseURLRecord(tc.input, base)
		if tc.want == "" {
			assert.False(t, ok, "%q against %q parsed as %v", tc.input, tc.base, u)
			continue
		}
		if assert.True(t, ok, "%q against %q", tc.input, tc.base) {
			assert.Equal(t, tc.want, u.href(), "%q against %q", tc.input, tc.base)
		}
	}
}

// TestWhatwgURLFormEncoding checks the application/x-www-form-urlencoded
// parser and serializer, and the UTF-8 decoder behind them.
func TestWhatwgURLFormEncoding(t *testing.T) {
	t.Parallel()
	assert.Equal(t, [][2]string{{"a", "b c"}, {"", "x"}, {"y", ""}, {"z", ""}, {"%zz", "\uFFFD\uFFFDA"}},
		parseFormURLEncoded("a=b+c&=x&y=&&z&%zz=%F0%80%41"))
	assert.Equal(t, "\uFFFD", utf8DecodeWithoutBOM([]byte{0xE4, 0xB8}))
	assert.Equal(t, "\uFFFD\uFFFD\uFFFD", utf8DecodeWithoutBOM([]byte{0xED, 0xA0, 0x80}))
	var got []string
	for _, s := range []string{"a b", "!'()*~-._", "é😀", "+&=%"} {
		var sb strings.Builder
		appendFormEncoded(&sb, s)
		got = append(got, sb.String())
	}
	assert.Equal(t, []string{"a+b", "%21%27%28%29*%7E-._", "%C3%A9%F0%9F%98%80", "%2B%26%3D%25"}, got)
}

// TestWhatwgURL runs the URL class in a VM against Node 20's results.
func TestWhatwgURL(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"trailing slash kept", `new URL('http://h/api/projects/').href`, "http://h/api/projects/"},
		{"trailing slash with query", `new URL('https://app.posthog.com/api/projects/@current/?limit=1').href`, "https://app.posthog.com/api/projects/@current/?limit=1"},
		{"all parts", `JSON.stringify((u => [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash])(new URL('HTTPS://User:Pa ss@EXAMPLE.com:443/a/b/?q=1 2&x=\'y\'#frag ment')))`, "[\"https://User:Pa%20ss@example.com/a/b/?q=1%202&x=%27y%27#frag%20ment\",\"https://example.com\",\"https:\",\"User\",\"Pa%20ss\",\"example.com\",\"example.com\",\"\",\"/a/b/\",\"?q=1%202&x=%27y%27\",\"#frag%20ment\"]"},
		{"parts non-special", `JSON.stringify((u => [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash])(new URL('git+ssh://git@github.com:22/org/repo.git?x#y')))`, "[\"git+ssh://git@github.com:22/org/repo.git?x#y\",\"null\",\"git+ssh:\",\"git\",\"\",\"github.com:22\",\"github.com\",\"22\",\"/org/repo.git\",\"?x\",\"#y\"]"},
		{"dot segments keep trailing slash", `new URL('http://h/a/b/../c/./d/').href`, "http://h/a/c/d/"},
		{"dot segments at end", `JSON.stringify(['http://h/a/..', 'http://h/a/.', 'http://h/a/%2e%2E', 'http://h/..', 'http://h/a/b/../../..'].map(s => new URL(s).pathname))`, "[\"/\",\"/a/\",\"/\",\"/\",\"/\"]"},
		{"double slashes kept", `new URL('http://h//a//b/').href`, "http://h//a//b/"},
		{"empty path special", `JSON.stringify([new URL('http://h').href, new URL('http://h?x').href, new URL('http://h#f').href])`, "[\"http://h/\",\"http://h/?x\",\"http://h/#f\"]"},
		{"empty path non-special", `JSON.stringify([new URL('foo://h').href, new URL('foo://h').pathname, new URL('foo:').href])`, "[\"foo://h\",\"\",\"foo:\"]"},
		{"lowercase scheme and host", `new URL('HTTP://EXAMPLE.COM/Path/').href`, "http://example.com/Path/"},
		{"non-special host keeps case", `new URL('SC://EX.com/P').href`, "sc://EX.com/P"},
		{"idna", `JSON.stringify([new URL('http://münchen.de/').host, new URL('http://faß.de/').host, new URL('http://☃.net/').host, new URL('http://ＥＸＡＭＰＬＥ．com/').host, new URL('http://XN--MNCHEN-3YA.de/').host])`, "[\"xn--mnchen-3ya.de\",\"xn--fa-hia.de\",\"xn--n3h.net\",\"example.com\",\"xn--mnchen-3ya.de\"]"},
		{"idna rejects", `JSON.stringify(['http://xn--a.com/', 'http://\u00AD/', 'http://a%b/', 'http://a<b/', 'http://a b/'].map(s => URL.canParse(s)))`, "[false,false,false,false,false]"},
		{"hosts allowed", `JSON.stringify([new URL('http://a_b.com/').host, new URL('http://-a-.com/').host, new URL('http://a..b/').host, new URL('http://example.com./').host, new URL('http://%41.com/').host])`, "[\"a_b.com\",\"-a-.com\",\"a..b\",\"example.com.\",\"a.com\"]"},
		{"ipv4 numeric", `JSON.stringify(['http://2130706433/', 'http://0x7F000001/', 'http://127.1/', 'http://0177.0.0.1/', 'http://0x7f.1/', 'http://1.0x/', 'http://0xffffffff/', 'http://1.2.65535/', 'http://0300.0250.1.1/', 'http://1.2.3.4./'].map(s => new URL(s).host))`, "[\"127.0.0.1\",\"127.0.0.1\",\"127.0.0.1\",\"127.0.0.1\",\"127.0.0.1\",\"1.0.0.0\",\"255.255.255.255\",\"1.2.255.255\",\"192.168.1.1\",\"1.2.3.4\"]"},
		{"ipv4 invalid", `JSON.stringify(['http://1.2.3.4.5/', 'http://999999999999/', 'http://0x100000000/', 'http://4294967296/', 'http://1.2.3.256/', 'http://08.1.1.1/', 'http://foo.1/', 'http://foo.0x/'].map(s => URL.canParse(s)))`, "[false,false,false,false,false,false,false,false]"},
		{"ipv4 lookalikes are domains", `JSON.stringify([new URL('http://09.foo/').host, new URL('http://1.2.3.4../').host, new URL('foo://1.2.3/').host])`, "[\"09.foo\",\"1.2.3.4..\",\"1.2.3\"]"},
		{"ipv6", `JSON.stringify(['http://[2001:DB8::1]:8080/x', 'http://[::ffff:192.168.0.1]/', 'http://[0:0:0:0:0:0:0:1]:80/', 'http://[1:0:0:2:0:0:0:3]/', 'http://[::]/', 'http://[1::]/', 'http://[1:2:3:4:5:6:7::]/', 'http://[::1.2.3.4]/', 'foo://[::1]/'].map(s => new URL(s).host))`, "[\"[2001:db8::1]:8080\",\"[::ffff:c0a8:1]\",\"[::1]\",\"[1:0:0:2::3]\",\"[::]\",\"[1::]\",\"[1:2:3:4:5:6:7:0]\",\"[::102:304]\",\"[::1]\"]"},
		{"ipv6 hostname keeps brackets", `JSON.stringify([new URL('http://[::1]:3000/').hostname, new URL('http://[::1]:3000/').port])`, "[\"[::1]\",\"3000\"]"},
		{"ipv6 invalid", `JSON.stringify(['http://[::1', 'http://[:1]/', 'http://[1:::2]/', 'http://[1:2:3:4:5:6:7:8:9]/', 'http://[::1]x/', 'http://[::1.2.3]/', 'http://[::1.2.3.04]/', 'http://[www.google.com]/'].map(s => URL.canParse(s)))`, "[false,false,false,false,false,false,false,false]"},
		{"default ports dropped", `JSON.stringify(['http://h:80/', 'https://h:443/', 'ws://h:80/', 'wss://h:443/', 'ftp://h:21/', 'http://h:0080/', 'ws://h:443/', 'http://h:/', 'http://h:8080/'].map(s => new URL(s).host))`, "[\"h\",\"h\",\"h\",\"h\",\"h\",\"h\",\"h:443\",\"h\",\"h:8080\"]"},
		{"port out of range", `(() => { try { return String(new URL('http://h:65536/')) } catch (e) { return [e.name, e.code, e.message, e.input, e.base].join('|') } })()`, "TypeError|ERR_INVALID_URL|Invalid URL|http://h:65536/|"},
		{"origin", `JSON.stringify(['http://h:8080/p', 'ws://h:80/', 'blob:https://a.com:443/x', 'blob:ftp://x/y', 'file:///x', 'sc://h/', 'data:,x'].map(s => new URL(s).origin))`, "[\"http://h:8080\",\"ws://h\",\"https://a.com\",\"null\",\"null\",\"null\",\"null\"]"},
		{"path percent-encoding", "new URL('http://h/a^b c{}|`\"<>\\'x/é/%zz%2').pathname", "/a^b%20c%7B%7D|%60%22%3C%3E'x/%C3%A9/%zz%2"},
		{"query percent-encoding special", "new URL('http://h/?a=\\'b\\' c\"<>`é#f\\'\"<>` ').href", "http://h/?a=%27b%27%20c%22%3C%3E`%C3%A9#f'%22%3C%3E%60"},
		{"query percent-encoding non-special", `new URL('sc://h/?a=\'b\' "').href`, "sc://h/?a='b'%20%22"},
		{"lone surrogate", `new URL('http://h/\uD800').pathname`, "/%EF%BF%BD"},
		{"backslashes special", `new URL('http:\\\\h\\a\\b?c\\d#e\\f').href`, "http://h/a/b?c\\d#e\\f"},
		{"backslash non-special host invalid", `String(URL.canParse('foo://h\\a'))`, "false"},
		{"whitespace and controls", `new URL('  \t http://h/a\nb\r/c \x01').href`, "http://h/ab/c"},
		{"controls encoded", `new URL('http://h/\u0000?\u0000#\u0000\u007f').href`, "http://h/%00?%00#%00%7F"},
		{"userinfo", `JSON.stringify(['http://user:pa:ss@h/', 'http://us@er@h/', 'http://@h/', 'http://:@h/', 'http://u:@h/', 'http://a b:c d@h/'].map(s => new URL(s).href))`, "[\"http://user:pa%3Ass@h/\",\"http://us%40er@h/\",\"http://h/\",\"http://h/\",\"http://u@h/\",\"http://a%20b:c%20d@h/\"]"},
		{"scheme forms", `JSON.stringify(['http:example.com/', 'http:/example.com/', 'http:///h/', 'HTTP://h', 'a+b.c-d://x'].map(s => new URL(s).href))`, "[\"http://example.com/\",\"http://example.com/\",\"http://h/\",\"http://h/\",\"a+b.c-d://x\"]"},
		{"opaque paths", `JSON.stringify(['mailto:Someone@Example.com', 'data:text/html,<b>hi</b> ', 'javascript:alert(1)', 'urn:isbn:0451450523', 'sc:\\x'].map(s => new URL(s).pathname))`, "[\"Someone@Example.com\",\"text/html,<b>hi</b>\",\"alert(1)\",\"isbn:0451450523\",\"\\\\x\"]"},
		{"non-special path", `JSON.stringify(['non-spec:/.//', 'non-spec:/..//p', 'foo:////x', 'web+demo:/.//not-a-host/'].map(s => [new URL(s).href, new URL(s).pathname]))`, "[[\"non-spec:/.//\",\"//\"],[\"non-spec:/.//p\",\"//p\"],[\"foo:////x\",\"//x\"],[\"web+demo:/.//not-a-host/\",\"//not-a-host/\"]]"},
		{"file urls", `JSON.stringify(['file:///home/u/x y.txt', 'file://C:/x', 'file:/C|/x', 'file:///C:/../x', 'file:c:\\foo\\bar', 'file://localhost/x', 'file://h/a/../..', 'file:x'].map(s => new URL(s).href))`, "[\"file:///home/u/x%20y.txt\",\"file:///C:/x\",\"file:///C:/x\",\"file:///C:/x\",\"file:///c:/foo/bar\",\"file:///x\",\"file://h/\",\"file:///x\"]"},
		{"relative", `JSON.stringify(['g', './g', 'g/', '/g', '//g', '?y', 'g?y', '#s', 'g#s', ';x', '.', './', '..', '../', '../g', '../..', '../../g', '../../../../g', '', 'http:g', 'https:g', 'g/./h/..', 'a b'].map(r => new URL(r, 'http://a/b/c/d;p?q').href))`, "[\"http://a/b/c/g\",\"http://a/b/c/g\",\"http://a/b/c/g/\",\"http://a/g\",\"http://g/\",\"http://a/b/c/d;p?y\",\"http://a/b/c/g?y\",\"http://a/b/c/d;p?q#s\",\"http://a/b/c/g#s\",\"http://a/b/c/;x\",\"http://a/b/c/\",\"http://a/b/c/\",\"http://a/b/\",\"http://a/b/\",\"http://a/b/g\",\"http://a/\",\"http://a/g\",\"http://a/g\",\"http://a/b/c/d;p?q\",\"http://a/b/c/g\",\"https://g/\",\"http://a/b/c/g/\",\"http://a/b/c/a%20b\"]"},
		{"relative api path", `new URL('projects/1/', 'https://app.posthog.com/api/').href`, "https://app.posthog.com/api/projects/1/"},
		{"relative to file", `JSON.stringify([['x', 'file:///a/b'], ['//h/x', 'file:///a/b'], ['C|/x', 'file:///D:/y'], ['/C:/x/../..', 'file:///'], ['..', 'file:///C:/']].map(([r, b]) => new URL(r, b).href))`, "[\"file:///a/x\",\"file://h/x\",\"file:///C:/x\",\"file:///C:/\",\"file:///C:/\"]"},
		{"relative to non-special", `JSON.stringify([['/p', 'foo://h/x'], ['p', 'foo://h/x/y'], ['#p', 'mailto:x?y'], ['../x', 'sc://h/a/b']].map(([r, b]) => new URL(r, b).href))`, "[\"foo://h/p\",\"foo://h/x/p\",\"mailto:x?y#p\",\"sc://h/x\"]"},
		{"relative to opaque fails", `(() => { try { return String(new URL('p', 'mailto:x')) } catch (e) { return [e.name, e.code, e.message, e.input, e.base].join('|') } })()`, "TypeError|ERR_INVALID_URL|Invalid URL|p|mailto:x"},
		{"base is a URL", `new URL('x', new URL('http://h/a/b')).href`, "http://h/a/x"},
		{"invalid url error", `(() => { try { return String(new URL('x')) } catch (e) { return [e.name, e.code, e.message, e.input, e.base].join('|') } })()`, "TypeError|ERR_INVALID_URL|Invalid URL|x|"},
		{"invalid base error", `(() => { try { return String(new URL('x', 'y')) } catch (e) { return [e.name, e.code, e.message, e.input, e.base].join('|') } })()`, "TypeError|ERR_INVALID_URL|Invalid URL|x|y"},
		{"invalid url error keys", `JSON.stringify((() => { try { new URL('http://a b/') } catch (e) { return [String(e), Object.keys(e), e instanceof TypeError] } })())`, "[\"TypeError: Invalid URL\",[\"code\",\"input\"],true]"},
		{"missing argument", `(() => { try { return String(new URL()) } catch (e) { return [e.name, e.code, e.message, e.input, e.base].join('|') } })()`, "TypeError|ERR_MISSING_ARGS|The \"url\" argument must be specified||"},
		{"empty host", `JSON.stringify(['http://', 'http://@/', 'http://user@/', 'http:///', 'sc://u@/', 'sc://:1/'].map(s => URL.canParse(s)))`, "[false,false,false,false,false,false]"},
		{"canParse and parse", `JSON.stringify([URL.canParse('http://x'), URL.canParse('x'), URL.canParse('x', 'http://h'), URL.canParse('x', 'bad'), URL.parse('x'), URL.parse('x', 'http://h/').href])`, "[true,false,true,false,null,\"http://h/x\"]"},
		{"toString and toJSON", `JSON.stringify([String(new URL('http://h/a b')), new URL('http://h/') + '', JSON.stringify({ u: new URL('http://h/x?y#z') })])`, "[\"http://h/a%20b\",\"http://h/\",\"{\\\"u\\\":\\\"http://h/x?y#z\\\"}\"]"},
		{"toStringTag and keys", `JSON.stringify([Object.prototype.toString.call(new URL('http://h')), Object.keys(URL.prototype), Object.keys(URL), Object.keys(new URL('http://h'))])`, "[\"[object URL]\",[\"toString\",\"href\",\"origin\",\"protocol\",\"username\",\"password\",\"host\",\"hostname\",\"port\",\"pathname\",\"search\",\"searchParams\",\"hash\",\"toJSON\"],[\"parse\",\"canParse\",\"createObjectURL\",\"revokeObjectURL\"],[]]"},
		{"object URLs", `JSON.stringify([() => URL.createObjectURL({}), () => URL.revokeObjectURL(), () => URL.revokeObjectURL('blob:x')].map(f => { try { return String(f()) } catch (e) { return [String(e), e.code] } }))`, "[[\"TypeError [ERR_INVALID_ARG_TYPE]: The \\\"obj\\\" argument must be an instance of Blob. Received an instance of Object\",\"ERR_INVALID_ARG_TYPE\"],[\"TypeError [ERR_MISSING_ARGS]: The \\\"url\\\" argument must be specified\",\"ERR_MISSING_ARGS\"],\"undefined\"]"},
		{"util.inspect", `require('util').inspect({ u: new URL('http://u:p@h:8/a?b=1#c') })`, "{\n  u: URL {\n    href: 'http://u:p@h:8/a?b=1#c',\n    origin: 'http://h:8',\n    protocol: 'http:',\n    username: 'u',\n    password: 'p',\n    host: 'h:8',\n    hostname: 'h',\n    port: '8',\n    pathname: '/a',\n    search: '?b=1',\n    searchParams: URLSearchParams { 'b' => '1' },\n    hash: '#c'\n  }\n}"},
		{"brand check", `(() => { try { return String(Object.getOwnPropertyDescriptor(URL.prototype, 'href').get.call({})) } catch (e) { return [e.name, e.code, e.message, e.input, e.base].join('|') } })()`, "TypeError||Receiver must be an instance of class URL||"},
		{"setter protocol", `JSON.stringify([['https', 'http://h:443/'], ['ws', 'http://h/'], ['foo', 'http://h/'], ['https:xyz', 'http://h/'], ['file', 'http://u@h/'], ['http', 'foo://h/'], ['a b', 'http://h/']].map(([v, s]) => { const u = new URL(s); u.protocol = v; return u.href }))`, "[\"https://h/\",\"ws://h/\",\"http://h/\",\"https://h/\",\"http://u@h/\",\"foo://h/\",\"http://h/\"]"},
		{"setter host and hostname", `JSON.stringify([['host', 'x.com:81'], ['host', 'X.COM:80'], ['host', 'a:99999'], ['host', 'a:8x'], ['host', 'a/b?c'], ['host', ''], ['host', 'ü.com'], ['hostname', 'a:80'], ['hostname', '0x7f.1'], ['hostname', 'a b'], ['host', '[::1]:9']].map(([k, v]) => { const u = new URL('http://h:1/p'); u[k] = v; return u.href }))`, "[\"http://x.com:81/p\",\"http://x.com/p\",\"http://a:1/p\",\"http://a:8/p\",\"http://a:1/p\",\"http://h:1/p\",\"http://xn--tda.com:1/p\",\"http://h:1/p\",\"http://127.0.0.1:1/p\",\"http://h:1/p\",\"http://[::1]:9/p\"]"},
		{"setter port", `JSON.stringify(['81', '80', '', 'abc', '8080x', '99999', '0', '-1', 80, 8443].map(v => { const u = new URL('http://h:1/'); u.port = v; return u.href }))`, "[\"http://h:81/\",\"http://h/\",\"http://h/\",\"http://h:1/\",\"http://h:8080/\",\"http://h:1/\",\"http://h:0/\",\"http://h:1/\",\"http://h/\",\"http://h:8443/\"]"},
		{"setter port as Node runs it", `JSON.stringify(['%2e', '\t80', '+1', '-1', '1\t2', ' 1', 'x1', '٣1', '0000000000080'].map(v => { const u = new URL('http://h:81/'); u.port = v; return u.port }))`, "[\"\",\"\",\"\",\"81\",\"12\",\"81\",\"\",\"\",\"\"]"},
		{"setter host as Node runs it", `JSON.stringify([['http://u:p@h:81/p', '}user:pw@0x7f'], ['http://h:81/p', 'a:x'], ['http://h:81/p', 'a: 1'], ['sc://h:81/p', ':'], ['sc://h:81/p', ':1'], ['sc://u@h/p', ':x'], ['sc://u@h/p', ''], ['sc://h:81/p', 'a\\b:1'], ['file://h/p', ''], ['file://h/p', 'a:'], ['file://h/p', 'LOCALHOST']].map(([b, v]) => { const u = new URL(b); u.host = v; return u.href }))`, "[\"http://u:p@}user/p\",\"http://a:81/p\",\"http://a:81/p\",\"sc://:81/p\",\"sc://:1/p\",\"sc://u@/p\",\"sc://u@h/p\",\"sc://h:81/p\",\"file:///p\",\"file://h/p\",\"file:///p\"]"},
		{"setter port on file", `(() => { const u = new URL('file:///x'); u.port = '80'; return u.href })()`, "file:///x"},
		{"setter credentials", `(() => { const u = new URL('http://h/'); u.username = 'a@b:c'; u.password = 'p@:/ é'; return u.href })()`, "http://a%40b%3Ac:p%40%3A%2F%20%C3%A9@h/"},
		{"setter pathname", `JSON.stringify(['/a/b/', 'a b', '/../x', '?#', '\\x\\y', '', '/%2e/', 'api/projects/'].map(v => { const u = new URL('http://h/p?q#f'); u.pathname = v; return u.href }))`, "[\"http://h/a/b/?q#f\",\"http://h/a%20b?q#f\",\"http://h/x?q#f\",\"http://h/%3F%23?q#f\",\"http://h/x/y?q#f\",\"http://h/?q#f\",\"http://h/?q#f\",\"http://h/api/projects/?q#f\"]"},
		{"setter pathname opaque ignored", `(() => { const u = new URL('mailto:a@b'); u.pathname = 'x'; return u.href })()`, "mailto:a@b"},
		{"setter search", `JSON.stringify(['?a=1', 'a b\'', '', '?', '#x', '??x'].map(v => { const u = new URL('http://h/p?q#f'); u.search = v; return u.href }))`, "[\"http://h/p?a=1#f\",\"http://h/p?a%20b%27#f\",\"http://h/p#f\",\"http://h/p?#f\",\"http://h/p?%23x#f\",\"http://h/p??x#f\"]"},
		{"setter hash", "JSON.stringify(['#x', 'a b', '', '#', '##', '`'].map(v => { const u = new URL('http://h/p?q#f'); u.hash = v; return u.href }))", "[\"http://h/p?q#x\",\"http://h/p?q#a%20b\",\"http://h/p?q\",\"http://h/p?q#\",\"http://h/p?q##\",\"http://h/p?q#%60\"]"},
		{"setter hash strips opaque path spaces", `(() => { const u = new URL('data:a b  #x'); u.hash = ''; return u.href })()`, "data:a b"},
		{"setter href", `JSON.stringify((() => { const u = new URL('http://h/'); u.href = 'https://k/x/'; let e; try { u.href = 'bad' } catch (x) { e = x.code } return [u.href, e] })())`, "[\"https://k/x/\",\"ERR_INVALID_URL\"]"},
		{"origin is read-only", `(() => { const u = new URL('http://h/'); try { u.origin = 'x' } catch {} return u.origin })()`, "http://h"},
		{"searchParams live from url", `JSON.stringify((() => { const u = new URL('http://h/p?a=1&b=2'); const sp = u.searchParams; sp.append('c', 'x y'); sp.set('a', "'"); return [u.href, u.search, sp === u.searchParams] })())`, "[\"http://h/p?a=%27&b=2&c=x+y\",\"?a=%27&b=2&c=x+y\",true]"},
		{"searchParams follow search and href", `JSON.stringify((() => { const u = new URL('http://h/p?a=1'); const sp = u.searchParams; u.search = '?z=9&z=8'; const r = [sp.getAll('z')]; u.href = 'http://k/?q=2#f'; sp.set('r', '3'); return r.concat([u.href, sp.toString()]) })())`, "[[\"9\",\"8\"],\"http://k/?q=2&r=3#f\",\"q=2&r=3\"]"},
		{"searchParams emptied drops query", `JSON.stringify(['http://h/p?a=1#f', 'sc:a b  ?a=1'].map(s => { const u = new URL(s); u.searchParams.delete('a'); return u.href }))`, "[\"http://h/p#f\",\"sc:a b\"]"},
		{"searchParams sort rewrites query", `(() => { const u = new URL('http://h/?b=%20b+c&a=1'); u.searchParams.sort(); return u.href })()`, "http://h/?a=1&b=+b+c"},
		{"searchParams of bare question mark", `JSON.stringify((() => { const u = new URL('http://h/?'); const r = [u.href, u.search, u.searchParams.size]; u.searchParams.sort(); return r.concat(u.href) })())`, "[\"http://h/?\",\"\",0,\"http://h/\"]"},
		{"searchParams decoding", `JSON.stringify([...new URL('http://h/p?a=%20b+c&d=\'e\'&f=%zz&g=%E4%B8%AD').searchParams])`, "[[\"a\",\" b c\"],[\"d\",\"'e'\"],[\"f\",\"%zz\"],[\"g\",\"中\"]]"},
	})
}

// TestURLSearchParams runs URLSearchParams in a VM against Node 20's results.
func TestURLSearchParams(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"from string", `JSON.stringify(['?a=1&b=2&a=3', '??a=1', 'a=b=c&=x&y=&&z', '', 'a+b=c+d%20e', 'a=%zz&b=%E4%B8%AD%FF&c=%E4%B8'].map(s => [...new URLSearchParams(s)]))`, "[[[\"a\",\"1\"],[\"b\",\"2\"],[\"a\",\"3\"]],[[\"?a\",\"1\"]],[[\"a\",\"b=c\"],[\"\",\"x\"],[\"y\",\"\"],[\"z\",\"\"]],[],[[\"a b\",\"c d e\"]],[[\"a\",\"%zz\"],[\"b\",\"中�\"],[\"c\",\"�\"]]]"},
		{"from object", `new URLSearchParams({ a: 1, b: [1, 2], c: null, d: undefined, e: { x: 1 }, 'sp ace': 'v+v' }).toString()`, "a=1&b=1%2C2&c=null&d=undefined&e=%5Bobject+Object%5D&sp+ace=v%2Bv"},
		{"from object own enumerable only", `new URLSearchParams(Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true }, hidden: { value: 3 } })).toString()`, "own=2"},
		{"from pairs", `new URLSearchParams([['a', '1'], ['b', '2'], ['a', '3']]).toString()`, "a=1&b=2&a=3"},
		{"from map and iterable", `JSON.stringify([new URLSearchParams(new Map([['x', 'y'], ['z', 'w']])).toString(), new URLSearchParams(new Set([['s', 't']])).toString(), new URLSearchParams((function* () { yield ['g', 'h'] })()).toString()])`, "[\"x=y&z=w\",\"s=t\",\"g=h\"]"},
		{"from URLSearchParams copies", `JSON.stringify((() => { const p = new URLSearchParams('a=1'); const q = new URLSearchParams(p); q.append('b', 2); return [p.toString(), q.toString()] })())`, "[\"a=1\",\"a=1&b=2\"]"},
		{"from other values", `JSON.stringify([new URLSearchParams(12).toString(), new URLSearchParams(true).toString(), new URLSearchParams(null).toString(), new URLSearchParams(undefined).toString(), new URLSearchParams().toString()])`, "[\"12=\",\"true=\",\"\",\"\",\"\"]"},
		{"bad pairs", `JSON.stringify([[['a']], [['a', 'b', 'c']], [1], { [Symbol.iterator]: 1 }].map(i => { try { new URLSearchParams(i); return 'ok' } catch (e) { return [e.name, e.code, e.message].join('|') } }))`, "[\"TypeError|ERR_INVALID_TUPLE|Each query pair must be an iterable [name, value] tuple\",\"TypeError|ERR_INVALID_TUPLE|Each query pair must be an iterable [name, value] tuple\",\"TypeError|ERR_INVALID_TUPLE|Each query pair must be an iterable [name, value] tuple\",\"TypeError|ERR_ARG_NOT_ITERABLE|Query pairs must be iterable\"]"},
		{"serializer escaping", "new URLSearchParams({ a: \"!'()*~-._ @#$%^&+=,;:/?[]{}|\\\\<>\\\"`é😀\" }).toString()", "a=%21%27%28%29*%7E-._+%40%23%24%25%5E%26%2B%3D%2C%3B%3A%2F%3F%5B%5D%7B%7D%7C%5C%3C%3E%22%60%C3%A9%F0%9F%98%80"},
		{"lone surrogates become U+FFFD", `JSON.stringify((() => { const p = new URLSearchParams('a=\uD800'); p.append('\uDC00', 'x'); return [p.toString(), p.get('a').charCodeAt(0)] })())`, "[\"a=%EF%BF%BD&%EF%BF%BD=x\",65533]"},
		{"get getAll has size", `JSON.stringify((() => { const p = new URLSearchParams('a=1&b=2&a=3'); return [p.get('a'), p.get('c'), p.getAll('a'), p.getAll('c'), p.has('a'), p.has('c'), p.size] })())`, "[\"1\",null,[\"1\",\"3\"],[],true,false,3]"},
		{"has and delete with value", `JSON.stringify((() => { const p = new URLSearchParams('a=1&a=2&b=1'); p.delete('a', '2'); return [p.toString(), p.has('a', '1'), p.has('a', '2'), p.has('b', undefined)] })())`, "[\"a=1&b=1\",true,false,true]"},
		{"set replaces first removes rest", `JSON.stringify((() => { const p = new URLSearchParams('a=1&b=2&a=3'); p.set('a', 'x'); const q = new URLSearchParams('a=1'); q.set('c', 'y'); return [p.toString(), q.toString()] })())`, "[\"a=x&b=2\",\"a=1&c=y\"]"},
		{"delete", `(() => { const p = new URLSearchParams('a=1&b=2&a=3'); p.delete('a'); return p.toString() })()`, "b=2"},
		{"sort stable by code units", `(() => { const p = new URLSearchParams('z=1&b=2&a=3&b=1&\u00e9=1&e=2&A=0&\uD83D\uDE00=x&\uFFFD=y'); p.sort(); return p.toString() })()`, "A=0&a=3&b=2&b=1&e=2&z=1&%C3%A9=1&%F0%9F%98%80=x&%EF%BF%BD=y"},
		{"forEach", `JSON.stringify((() => { const p = new URLSearchParams('a=1&b=2'); const out = []; p.forEach(function (v, k, o) { out.push(k + v + (o === p) + (this === out)) }, out); return out })())`, "[\"a1truetrue\",\"b2truetrue\"]"},
		{"forEach needs a function", `(() => { try { return String(new URLSearchParams().forEach(1)) } catch (e) { return [e.name, e.code, e.message].join('|') } })()`, "TypeError|ERR_INVALID_ARG_TYPE|The \"callback\" argument must be of type function. Received type number (1)"},
		{"iterators", `JSON.stringify((() => { const p = new URLSearchParams('a=1&b=2'); const it = p[Symbol.iterator](); return [[...p.keys()], [...p.values()], [...p.entries()], it.next(), it.next(), it.next(), it[Symbol.iterator]() === it, Object.prototype.toString.call(it)] })())`, "[[\"a\",\"b\"],[\"1\",\"2\"],[[\"a\",\"1\"],[\"b\",\"2\"]],{\"value\":[\"a\",\"1\"],\"done\":false},{\"value\":[\"b\",\"2\"],\"done\":false},{\"done\":true},true,\"[object URLSearchParams Iterator]\"]"},
		{"iteration is live", `JSON.stringify((() => { const p = new URLSearchParams('a=1&b=2&c=3'); const out = []; for (const [k] of p) { out.push(k); if (k === 'a') { p.delete('a'); p.append('d', '4') } } return out })())`, "[\"a\",\"c\",\"d\"]"},
		{"prototype shape", `JSON.stringify([Object.keys(URLSearchParams.prototype), URLSearchParams.prototype[Symbol.iterator] === URLSearchParams.prototype.entries, Object.prototype.toString.call(new URLSearchParams())])`, "[[\"size\",\"append\",\"delete\",\"get\",\"getAll\",\"has\",\"set\",\"sort\",\"entries\",\"forEach\",\"keys\",\"values\",\"toString\"],true,\"[object URLSearchParams]\"]"},
		{"missing arguments", `JSON.stringify([() => new URLSearchParams().append('a'), () => new URLSearchParams().get(), () => new URLSearchParams().set('a'), () => new URLSearchParams().has()].map(f => { try { f() } catch (e) { return [String(e), e.code] } }))`, "[[\"TypeError [ERR_MISSING_ARGS]: The \\\"name\\\" and \\\"value\\\" arguments must be specified\",\"ERR_MISSING_ARGS\"],[\"TypeError [ERR_MISSING_ARGS]: The \\\"name\\\" argument must be specified\",\"ERR_MISSING_ARGS\"],[\"TypeError [ERR_MISSING_ARGS]: The \\\"name\\\" and \\\"value\\\" arguments must be specified\",\"ERR_MISSING_ARGS\"],[\"TypeError [ERR_MISSING_ARGS]: The \\\"name\\\" argument must be specified\",\"ERR_MISSING_ARGS\"]]"},
		{"util.inspect", `JSON.stringify(['a=1&b=2', '', 'a=' + 'x'.repeat(70) + '&b=' + 'y'.repeat(70)].map(s => require('util').inspect(new URLSearchParams(s))))`, "[\"URLSearchParams { 'a' => '1', 'b' => '2' }\",\"URLSearchParams {}\",\"URLSearchParams {\\n  'a' => 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',\\n  'b' => 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' }\"]"},
		{"brand check", `(() => { try { return String(URLSearchParams.prototype.get.call({}, 'a')) } catch (e) { return [e.name, e.code, e.message].join('|') } })()`, "TypeError|ERR_INVALID_THIS|Value of \"this\" must be of type URLSearchParams"},
		{"round trip", `(() => { const q = new URLSearchParams({ q: 'a b&c=d', e: 'é', p: '+' }).toString(); return q + ' ' + new URLSearchParams(q).get('q') + ' ' + new URLSearchParams(q).get('p') })()`, "q=a+b%26c%3Dd&e=%C3%A9&p=%2B a b&c=d +"},
	})
}

func newEnv(t *testing.T) *nodetest.Env {
	return nodetest.New(t, nodetest.Modules(util.Module()), nodetest.Globals(buffer.Global(), Global()))
}
