package url

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/node/querystring"
	weburl "github.com/hogpipe/hogpipe/internal/web/url"
)

// TestModuleURL checks the legacy url API (and the WHATWG exports) against Node 20.
// The expected values are what Node 20 returns for the same snippets.
func TestModuleURL(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"parse 0", `JSON.stringify(require("url").parse("https://user:pa%20ss@Example.COM:8080/p/a/t/h?query=string&a=1#hash"))`, "{\"protocol\":\"https:\",\"slashes\":true,\"auth\":\"user:pa ss\",\"host\":\"example.com:8080\",\"port\":\"8080\",\"hostname\":\"example.com\",\"hash\":\"#hash\",\"search\":\"?query=string&a=1\",\"query\":\"query=string&a=1\",\"pathname\":\"/p/a/t/h\",\"path\":\"/p/a/t/h?query=string&a=1\",\"href\":\"https://user:pa%20ss@example.com:8080/p/a/t/h?query=string&a=1#hash\"}"},
		{"parse 1", `JSON.stringify(require("url").parse("http://example.com"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"example.com\",\"port\":null,\"hostname\":\"example.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://example.com/\"}"},
		{"parse 2", `JSON.stringify(require("url").parse("example.com/foo"))`, "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"example.com/foo\",\"path\":\"example.com/foo\",\"href\":\"example.com/foo\"}"},
		{"parse 3", `JSON.stringify(require("url").parse("/foo/bar?x=1"))`, "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":\"?x=1\",\"query\":\"x=1\",\"pathname\":\"/foo/bar\",\"path\":\"/foo/bar?x=1\",\"href\":\"/foo/bar?x=1\"}"},
		{"parse 4", `JSON.stringify(require("url").parse("//example.com/foo"))`, "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"//example.com/foo\",\"path\":\"//example.com/foo\",\"href\":\"//example.com/foo\"}"},
		{"parse 5", `JSON.stringify(require("url").parse("mailto:someone@example.com"))`, "{\"protocol\":\"mailto:\",\"slashes\":null,\"auth\":\"someone\",\"host\":\"example.com\",\"port\":null,\"hostname\":\"example.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":null,\"path\":null,\"href\":\"mailto:someone@example.com\"}"},
		{"parse 6", `JSON.stringify(require("url").parse("HTTP://EXAMPLE.com/A B?c d#e f"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"example.com\",\"port\":null,\"hostname\":\"example.com\",\"hash\":\"#e%20f\",\"search\":\"?c%20d\",\"query\":\"c%20d\",\"pathname\":\"/A%20B\",\"path\":\"/A%20B?c%20d\",\"href\":\"http://example.com/A%20B?c%20d#e%20f\"}"},
		{"parse 7", `JSON.stringify(require("url").parse("https://example.com/path with spaces/?q=\"x\""))`, "{\"protocol\":\"https:\",\"slashes\":true,\"auth\":null,\"host\":\"example.com\",\"port\":null,\"hostname\":\"example.com\",\"hash\":null,\"search\":\"?q=%22x%22\",\"query\":\"q=%22x%22\",\"pathname\":\"/path%20with%20spaces/\",\"path\":\"/path%20with%20spaces/?q=%22x%22\",\"href\":\"https://example.com/path%20with%20spaces/?q=%22x%22\"}"},
		{"parse 8", `JSON.stringify(require("url").parse("file:///etc/passwd"))`, "{\"protocol\":\"file:\",\"slashes\":true,\"auth\":null,\"host\":\"\",\"port\":null,\"hostname\":\"\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/etc/passwd\",\"path\":\"/etc/passwd\",\"href\":\"file:///etc/passwd\"}"},
		{"parse 9", `JSON.stringify(require("url").parse("http://[::1]:3000/x"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"[::1]:3000\",\"port\":\"3000\",\"hostname\":\"::1\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/x\",\"path\":\"/x\",\"href\":\"http://[::1]:3000/x\"}"},
		{"parse 10", `JSON.stringify(require("url").parse("?a=1&a=2&b"))`, "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":\"?a=1&a=2&b\",\"query\":\"a=1&a=2&b\",\"pathname\":null,\"path\":\"?a=1&a=2&b\",\"href\":\"?a=1&a=2&b\"}"},
		{"parse 11", `JSON.stringify(require("url").parse("#frag"))`, "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":\"#frag\",\"search\":null,\"query\":null,\"pathname\":null,\"path\":null,\"href\":\"#frag\"}"},
		{"parse 12", `JSON.stringify(require("url").parse("http://a.com:80"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com:80\",\"port\":\"80\",\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://a.com:80/\"}"},
		{"parse 13", `JSON.stringify(require("url").parse("javascript:alert(1)"))`, "{\"protocol\":\"javascript:\",\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"alert(1)\",\"path\":\"alert(1)\",\"href\":\"javascript:alert(1)\"}"},
		{"parse 14", `JSON.stringify(require("url").parse("http://x.com/a\\\\b"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"x.com\",\"port\":null,\"hostname\":\"x.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/a//b\",\"path\":\"/a//b\",\"href\":\"http://x.com/a//b\"}"},
		{"parse 15", `JSON.stringify(require("url").parse("https://www.posthog.com/blog?utm_source=x&utm_medium=y"))`, "{\"protocol\":\"https:\",\"slashes\":true,\"auth\":null,\"host\":\"www.posthog.com\",\"port\":null,\"hostname\":\"www.posthog.com\",\"hash\":null,\"search\":\"?utm_source=x&utm_medium=y\",\"query\":\"utm_source=x&utm_medium=y\",\"pathname\":\"/blog\",\"path\":\"/blog?utm_source=x&utm_medium=y\",\"href\":\"https://www.posthog.com/blog?utm_source=x&utm_medium=y\"}"},
		{"parse 16", `JSON.stringify(require("url").parse("http://user@host"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":\"user\",\"host\":\"host\",\"port\":null,\"hostname\":\"host\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://user@host/\"}"},
		{"parse 17", `JSON.stringify(require("url").parse("http://host/?"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"host\",\"port\":null,\"hostname\":\"host\",\"hash\":null,\"search\":\"?\",\"query\":\"\",\"pathname\":\"/\",\"path\":\"/?\",\"href\":\"http://host/?\"}"},
		{"parse 18", `JSON.stringify(require("url").parse("http://host/#"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"host\",\"port\":null,\"hostname\":\"host\",\"hash\":\"#\",\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://host/#\"}"},
		{"parse 19", `JSON.stringify(require("url").parse("http://host?x"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"host\",\"port\":null,\"hostname\":\"host\",\"hash\":null,\"search\":\"?x\",\"query\":\"x\",\"pathname\":\"/\",\"path\":\"/?x\",\"href\":\"http://host/?x\"}"},
		{"parse 20", `JSON.stringify(require("url").parse("foo://bar/baz"))`, "{\"protocol\":\"foo:\",\"slashes\":true,\"auth\":null,\"host\":\"bar\",\"port\":null,\"hostname\":\"bar\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/baz\",\"path\":\"/baz\",\"href\":\"foo://bar/baz\"}"},
		{"parse 21", `JSON.stringify(require("url").parse("abc"))`, "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"abc\",\"path\":\"abc\",\"href\":\"abc\"}"},
		{"parse 22", `JSON.stringify(require("url").parse(""))`, "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":null,\"path\":null,\"href\":\"\"}"},
		{"parse 23", `JSON.stringify(require("url").parse("http://ex.com/ü?ö=ä"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"ex.com\",\"port\":null,\"hostname\":\"ex.com\",\"hash\":null,\"search\":\"?ö=ä\",\"query\":\"ö=ä\",\"pathname\":\"/ü\",\"path\":\"/ü?ö=ä\",\"href\":\"http://ex.com/ü?ö=ä\"}"},
		{"parse 24", `JSON.stringify(require("url").parse("HTTPS://ex.com/%7Efoo"))`, "{\"protocol\":\"https:\",\"slashes\":true,\"auth\":null,\"host\":\"ex.com\",\"port\":null,\"hostname\":\"ex.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/%7Efoo\",\"path\":\"/%7Efoo\",\"href\":\"https://ex.com/%7Efoo\"}"},
		{"parse 25", "JSON.stringify(require(\"url\").parse(\"http://a.com/{x}|y^`\"))", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/%7Bx%7D%7Cy%5E%60\",\"path\":\"/%7Bx%7D%7Cy%5E%60\",\"href\":\"http://a.com/%7Bx%7D%7Cy%5E%60\"}"},
		{"parse 26", `JSON.stringify(require("url").parse("http://a_b.com/x"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a_b.com\",\"port\":null,\"hostname\":\"a_b.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/x\",\"path\":\"/x\",\"href\":\"http://a_b.com/x\"}"},
		{"parse 27", `JSON.stringify(require("url").parse("www.example.com:8000/x"))`, "{\"protocol\":\"www.example.com:\",\"slashes\":null,\"auth\":null,\"host\":\"8000\",\"port\":null,\"hostname\":\"8000\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/x\",\"path\":\"/x\",\"href\":\"www.example.com:8000/x\"}"},
		{"parse 28", `JSON.stringify(require("url").parse("http://a.com/b c?d e"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":\"?d%20e\",\"query\":\"d%20e\",\"pathname\":\"/b%20c\",\"path\":\"/b%20c?d%20e\",\"href\":\"http://a.com/b%20c?d%20e\"}"},
		{"parse 29", `JSON.stringify(require("url").parse("  http://trim.me/  "))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"trim.me\",\"port\":null,\"hostname\":\"trim.me\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://trim.me/\"}"},
		{"parse 30", `JSON.stringify(require("url").parse("http://münchen.de/x"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"xn--mnchen-3ya.de\",\"port\":null,\"hostname\":\"xn--mnchen-3ya.de\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/x\",\"path\":\"/x\",\"href\":\"http://xn--mnchen-3ya.de/x\"}"},
		{"parse 31", `JSON.stringify(require("url").parse("http://a.com$x/y"))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com$x\",\"port\":null,\"hostname\":\"a.com$x\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/y\",\"path\":\"/y\",\"href\":\"http://a.com$x/y\"}"},
		{"parse 32", `JSON.stringify(require("url").parse("https://app.posthog.com/e/?ip=1&_=1700000000000&ver=1.2.3"))`, "{\"protocol\":\"https:\",\"slashes\":true,\"auth\":null,\"host\":\"app.posthog.com\",\"port\":null,\"hostname\":\"app.posthog.com\",\"hash\":null,\"search\":\"?ip=1&_=1700000000000&ver=1.2.3\",\"query\":\"ip=1&_=1700000000000&ver=1.2.3\",\"pathname\":\"/e/\",\"path\":\"/e/?ip=1&_=1700000000000&ver=1.2.3\",\"href\":\"https://app.posthog.com/e/?ip=1&_=1700000000000&ver=1.2.3\"}"},
		{"parse is Url", `require('url').parse('http://x').constructor.name`, "Url"},
		{"parse query", `JSON.stringify([require('url').parse('http://h/p?a=1&a=2&b=&c', true).query, require('url').parse('http://h/p', true).query, require('url').parse('/p?x=1', true).query])`, "[{\"a\":[\"1\",\"2\"],\"b\":\"\",\"c\":\"\"},{},{\"x\":\"1\"}]"},
		{"slashesDenoteHost", `JSON.stringify(require('url').parse('//h/p', false, true))`, "{\"protocol\":null,\"slashes\":true,\"auth\":null,\"host\":\"h\",\"port\":null,\"hostname\":\"h\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/p\",\"path\":\"/p\",\"href\":\"//h/p\"}"},
		{"parse non-string", `(() => { try { require('url').parse(5) } catch (e) { return [e.name, e.code, e.message].join('|') } })()`, "TypeError|ERR_INVALID_ARG_TYPE|The \"url\" argument must be of type string. Received type number (5)"},
		{"format 0", `require('url').format({protocol:'https', hostname:'example.com', pathname:'/some/path', query:{page:1, format:'json', a:[1,2]}})`, "https://example.com/some/path?page=1&format=json&a=1&a=2"},
		{"format 1", `require('url').format({protocol:'http:', host:'a.com:81', hostname:'ignored', port: 99, pathname:'x', search:'?q=1', query:{z:1}, hash:'h'})`, "http://a.com:81/x?q=1#h"},
		{"format 2", `require('url').format({protocol:'mailto', auth:'u:p', hostname:'h', pathname:'/p'})`, "mailto:u:p@h/p"},
		{"format 3", `require('url').format({protocol:'mailto:', pathname:'a@b.c'})`, "mailto:a@b.c"},
		{"format 4", `require('url').format({host:'h', pathname:'p'})`, "hp"},
		{"format 5", `require('url').format({protocol:'file', pathname:'/etc/x'})`, "file:///etc/x"},
		{"format 6", `require('url').format({protocol:'http', slashes:true, hostname:'h'})`, "http://h"},
		{"format 7", `require('url').format({protocol:'foo', hostname:'h'})`, "foo:h"},
		{"format 8", `require('url').format({protocol:'foo', slashes: true, hostname:'h'})`, "foo://h"},
		{"format 9", `require('url').format({pathname:'/a#b?c', search:'x=1'})`, "/a%23b%3Fc?x=1"},
		{"format 10", `require('url').format({hostname:'h', port:'8'})`, "h:8"},
		{"format 11", `require('url').format({})`, ""},
		{"format 12", `require('url').format('http://a.com/x?y#z')`, "http://a.com/x?y#z"},
		{"format 13", `require('url').format(new URL('https://a:b@ü.com/x?y#z'))`, "https://a:b@xn--tda.com/x?y#z"},
		{"format 14", `require('url').format({protocol: 'http', hostname: '::1', port: 80, pathname: '/'})`, "http://[::1]:80/"},
		{"format 15", `require('url').format({protocol: 'https', auth: 'a b@c', host: 'h'})`, "https://a%20b%40c@h"},
		{"format URL options", `require('url').format(new URL('https://a:b@x.com/x?y#z'), {auth:false, search:false, fragment:false})`, "https://x.com/x"},
		{"format URL unicode", `require('url').format(new URL('https://ü.com/x'), {unicode: true})`, "https://ü.com/x"},
		{"resolve 0", `require('url').resolve("/one/two/three", "four")`, "/one/two/four"},
		{"resolve 1", `require('url').resolve("http://example.com/", "/one")`, "http://example.com/one"},
		{"resolve 2", `require('url').resolve("http://example.com/one", "/two")`, "http://example.com/two"},
		{"resolve 3", `require('url').resolve("http://a/b/c/d;p?q", "../g")`, "http://a/b/g"},
		{"resolve 4", `require('url').resolve("http://a/b/c/d;p?q", "?y")`, "http://a/b/c/d;p?y"},
		{"resolve 5", `require('url').resolve("http://a/b/c/d;p?q", "#s")`, "http://a/b/c/d;p?q#s"},
		{"resolve 6", `require('url').resolve("http://a/b/c/d;p?q", "//g")`, "http://g/"},
		{"resolve 7", `require('url').resolve("http://a/b/c/d;p?q", "g/./h/..")`, "http://a/b/c/g/"},
		{"resolve 8", `require('url').resolve("http://a/b/c/d;p?q", "../../../g")`, "http://a/g"},
		{"resolve 9", `require('url').resolve("http://a/b/c/", "https://x/y")`, "https://x/y"},
		{"resolve 10", `require('url').resolve("a/b", "../c")`, "c"},
		{"resolve 11", `require('url').resolve("http://a.com", "b")`, "http://a.com/b"},
		{"resolve 12", `require('url').resolve("http://a/b/c/d;p?q", "")`, "http://a/b/c/d;p?q"},
		{"resolve 13", `require('url').resolve("mailto:a@b", "c")`, "mailto:a@c"},
		{"resolve 14", `require('url').resolve("http://a/b", "http:c")`, "http://a/c"},
		{"resolve 15", `require('url').resolve("/a/b/", "./")`, "/a/b/"},
		{"resolve 16", `require('url').resolve("http://a/b/c", ".")`, "http://a/b/"},
		{"resolve 17", `require('url').resolve("http://a/b/c", "..")`, "http://a/"},
		{"resolve 18", `require('url').resolve("https://u:p@h/x", "//other/y")`, "https://other/y"},
		{"URL is global URL", `String(require('url').URL === URL && require('url').URLSearchParams === URLSearchParams)`, "true"},
		{"fileURLToPath", `require('url').fileURLToPath('file:///tmp/a%20b')`, "/tmp/a b"},
		{"pathToFileURL", `require('url').pathToFileURL('/tmp/a b#?').href`, "file:///tmp/a%20b%23%3F"},
		{"fileURLToPath errors", `['http://x', 'file://host/x', 'file:///a%2fb'].map((u) => { try { require('url').fileURLToPath(u) } catch (e) { return e.code } }).join()`, "ERR_INVALID_URL_SCHEME,ERR_INVALID_FILE_URL_HOST,ERR_INVALID_FILE_URL_PATH"},
		{"urlToHttpOptions", `JSON.stringify(require('url').urlToHttpOptions(new URL('https://u:p@h.com:8443/p?q=1#f')))`, "{\"protocol\":\"https:\",\"hostname\":\"h.com\",\"hash\":\"#f\",\"search\":\"?q=1\",\"pathname\":\"/p\",\"path\":\"/p?q=1\",\"href\":\"https://u:p@h.com:8443/p?q=1#f\",\"port\":8443,\"auth\":\"u:p\"}"},
		{"host ends at colon", `JSON.stringify(require('url').parse('http://a.com:x/'))`, "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/:x/\",\"path\":\"/:x/\",\"href\":\"http://a.com/:x/\"}"},
		{"invalid host", `(() => { try { require('url').parse('http://a.com[x]/') } catch (e) { return [e.name, e.code, e.message].join('|') } })()`, "TypeError|ERR_INVALID_URL|Invalid URL"},
	})
}

func newEnv(t *testing.T) *nodetest.Env {
	return nodetest.New(t, nodetest.Modules(Module(), querystring.Module()), nodetest.Globals(buffer.Global(), weburl.Global()))
}
