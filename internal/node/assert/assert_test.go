package assert

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleAssert checks assert against Node 20: the expected values are
// what Node 20 returns for the same snippets.
func TestModuleAssert(t *testing.T) {
	nodetest.New(t, nodetest.Modules(Module())).Run(t, []nodetest.Case{
		{"passes", "(() => { const a = require('assert'); a(1); a.ok('x'); a.equal(1, '1'); a.strictEqual(NaN, NaN); a.deepStrictEqual({a: [1, {b: 2}]}, {a: [1, {b: 2}]}); a.deepEqual({a: 1}, {a: '1'}); a.notStrictEqual(1, '1'); a.match('abc', /b/); a.throws(() => { throw new TypeError('x') }, TypeError); a.throws(() => { throw new Error('boom') }, /boom/); a.throws(() => { throw new Error('boom') }, {message: 'boom'}); return 'ok' })()", "ok"},
		{"strictEqual fails", "(() => { try { require('assert').strictEqual(1, 2) } catch (e) { return [e.name, e.code, e.operator, e.actual, e.expected, e.generatedMessage, e instanceof require('assert').AssertionError, JSON.stringify(e.message)].join('|') } })()", "AssertionError|ERR_ASSERTION|strictEqual|1|2|true|true|\"Expected values to be strictly equal:\\n\\n1 !== 2\\n\""},
		{"custom message", "(() => { try { require('assert').equal(1, 2, 'one is not two') } catch (e) { return [e.message, e.operator, e.generatedMessage].join('|') } })()", "one is not two|==|false"},
		{"ok falsy", "(() => { try { require('assert').ok(0, 'zero') } catch (e) { return [e.message, e.actual, e.expected, e.operator].join('|') } })()", "zero|0|true|=="},
		{"deepStrictEqual type", "(() => { try { require('assert').deepStrictEqual({a: 1}, {a: '1'}) } catch (e) { return [e.code, e.operator].join('|') } })()", "ERR_ASSERTION|deepStrictEqual"},
		{"throws missing", "(() => { try { require('assert').throws(() => {}) } catch (e) { return [e.message, e.operator].join('|') } })()", "Missing expected exception.|throws"},
		{"throws wrong type rethrows", "(() => { try { require('assert').throws(() => { throw new Error('e') }, TypeError) } catch (e) { return e.name + ':' + e.message } })()", "AssertionError:The error is expected to be an instance of \"TypeError\". Received \"Error\"\n\nError message:\n\ne"},
		{"fail", "(() => { try { require('assert').fail('nope') } catch (e) { return [e.message, e.operator].join('|') } })()", "nope|fail"},
		{"rejects", "require('assert').rejects(Promise.reject(new Error('r')), /r/).then(() => 'ok')", "ok"},
		{"rejects missing", "require('assert').rejects(Promise.resolve(1)).catch((e) => e.message)", "Missing expected rejection."},
		{"strict alias", "String(require('assert').strict.strictEqual === require('assert').strictEqual)", "true"},
		{"message error thrown", "(() => { try { require('assert').ok(false, new TypeError('mine')) } catch (e) { return e.name + ':' + e.message } })()", "TypeError:mine"},
	})
}
