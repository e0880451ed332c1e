package path

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModulePath checks path against Node 20: the expected values are what
// Node 20 returns for the same snippets.
func TestModulePath(t *testing.T) {
	nodetest.New(t, nodetest.Modules(Module())).Run(t, []nodetest.Case{
		{"join", "require('path').join('/a/b', '../c', './d/', 'e')", "/a/c/d/e"},
		{"join empty", "require('path').join('', '') + '|' + require('path').join('a', '', '..', '..')", ".|.."},
		{"normalize", "[require('path').normalize('/a//b/../c/.'), require('path').normalize('a/../../b/'), require('path').normalize(''), require('path').normalize('./'), require('path').normalize('/..')].join('|')", "/a/c|../b/|.|./|/"},
		{"resolve", "[require('path').resolve('/a/b', 'c', '../d'), require('path').resolve('/x', '/y/z/'), require('path').resolve('/')].join('|')", "/a/b/d|/y/z|/"},
		{"relative", "[require('path').relative('/a/b/c', '/a/d'), require('path').relative('/a', '/a/b/c'), require('path').relative('/a', '/a')].join('|')", "../../d|b/c|"},
		{"dirname", "[require('path').dirname('/a/b/c'), require('path').dirname('/a/b/'), require('path').dirname('a'), require('path').dirname('/a'), require('path').dirname('//a'), require('path').dirname('')].join('|')", "/a/b|/a|.|/|//|."},
		{"basename", "[require('path').basename('/a/b.txt'), require('path').basename('/a/b.txt', '.txt'), require('path').basename('/a/b/'), require('path').basename('b.txt', 'b.txt'), require('path').basename('/')].join('|')", "b.txt|b|b||"},
		{"extname", "[require('path').extname('a.b.c'), require('path').extname('.bashrc'), require('path').extname('a.'), require('path').extname('a'), require('path').extname('..'), require('path').extname('/x/.a.b')].join('|')", ".c||.|||.b"},
		{"isAbsolute", "[require('path').isAbsolute('/a'), require('path').isAbsolute('a'), require('path').isAbsolute('')].join('|')", "true|false|false"},
		{"parse", "JSON.stringify([require('path').parse('/home/u/f.txt'), require('path').parse('f.txt'), require('path').parse('/'), require('path').parse('a/b')])", "[{\"root\":\"/\",\"dir\":\"/home/u\",\"base\":\"f.txt\",\"ext\":\".txt\",\"name\":\"f\"},{\"root\":\"\",\"dir\":\"\",\"base\":\"f.txt\",\"ext\":\".txt\",\"name\":\"f\"},{\"root\":\"/\",\"dir\":\"/\",\"base\":\"\",\"ext\":\"\",\"name\":\"\"},{\"root\":\"\",\"dir\":\"a\",\"base\":\"b\",\"ext\":\"\",\"name\":\"b\"}]"},
		{"format", "[require('path').format({dir: '/a', base: 'b.txt'}), require('path').format({root: '/', name: 'f', ext: 'txt'}), require('path').format({name: 'x', ext: '.js'})].join('|')", "/a/b.txt|/f.txt|x.js"},
		{"sep posix", "[require('path').sep, require('path').delimiter, require('path').posix === require('path').posix.posix].join('|')", "/|:|true"},
		{"bad arg", "(() => { try { require('path').join('a', 5) } catch (e) { return [e.name, e.code, e.message].join('|') } })()", "TypeError|ERR_INVALID_ARG_TYPE|The \"path\" argument must be of type string. Received type number (5)"},
		{"dirname slashes", "[require('path').dirname('/a//b'), require('path').dirname('//a'), require('path').dirname('///a'), require('path').dirname('a//b//')].join('|')", "/a/|//|//|a/"},
		{"win32 refused", `(() => { try { return require('path').win32 } catch (e) { return e.name + ': ' + e.message } })()`, "TypeError: path: path.win32 is not supported by hogpipe"},
	})
}
