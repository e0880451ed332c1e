package crypto

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleCrypto checks crypto against Node 20.
// Expected values are Node 20's (node /tmp/gen/gen.js on the same snippets).
func TestModuleCrypto(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"sha256 hex", `require('crypto').createHash('sha256').update('abc').digest('hex')`, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"md5 chained base64", `require('crypto').createHash('md5').update('abc').update(Buffer.from('def')).digest('base64')`, "6AtQFwmJUPxYqtg8jBSXjg=="},
		{"sha1 hex input base64url", `require('crypto').createHash('sha1').update('616263', 'hex').digest('base64url')`, "qZk-NkcGgWq6PiVxeFDCbJzQ2J0"},
		{"sha512 latin1 length", `String(require('crypto').createHash('sha512').update('é').digest('latin1').length)`, "64"},
		{"md5 latin1", `JSON.stringify(require('crypto').createHash('md5').update('x').digest('latin1'))`, "\"Ôäa&4õÈVN\\u0015\\\\g¦\""},
		{"md5 binary", `JSON.stringify(require('crypto').createHash('md5').update('x').digest('binary'))`, "\"Ôäa&4õÈVN\\u0015\\\\g¦\""},
		{"uppercase alg", `require('crypto').createHash('SHA256').update('a').digest('hex')`, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
		{"sha-256 alias", `require('crypto').createHash('sha-256').update('a').digest('hex')`, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
		{"RSA-SHA256 alias", `require('crypto').createHash('RSA-SHA256').update('a').digest('hex')`, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
		{"sha384", `require('crypto').createHash('sha384').update('').digest('hex')`, "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"},
		{"sha224", `require('crypto').createHash('sha224').update('').digest('hex')`, "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"},
		{"sha512", `require('crypto').createHash('sha512').update('abc').digest('base64')`, "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="},
		{"digest buffer", `(() => { const d = require('crypto').createHash('sha256').update('a').digest(); return [d instanceof Buffer, d.length, d.toString('hex')].join() })()`, "true,32,ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
		{"base64 input", `require('crypto').createHash('md5').update('YWJj', 'base64').digest('hex')`, "900150983cd24fb0d6963f7d28e17f72"},
		{"uint8array input", `require('crypto').createHash('md5').update(new Uint8Array([1,2,3])).digest('hex')`, "5289df737df57326fcdd22597afb1fac"},
		{"unknown alg", `(() => { try { require('crypto').createHash('foo') } catch (e) { return e.name + ': ' + e.message } })()`, "Error: Digest method not supported"},
		{"digest twice", `(() => { const h = require('crypto').createHash('md5'); h.digest(); try { h.digest() } catch (e) { return e.code + ': ' + e.message } })()`, "ERR_CRYPTO_HASH_FINALIZED: Digest already called"},
		{"update after digest", `(() => { const h = require('crypto').createHash('md5'); h.digest(); try { h.update('x') } catch (e) { return e.code + ': ' + e.message } })()`, "ERR_CRYPTO_HASH_FINALIZED: Digest already called"},
		{"update number", `(() => { try { require('crypto').createHash('md5').update(5) } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, "TypeError ERR_INVALID_ARG_TYPE: The \"data\" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)"},
		{"copy", `(() => { const h = require('crypto').createHash('sha256'); h.update('a'); const c = h.copy(); c.update('b'); return h.digest('hex') + ' ' + c.digest('hex') })()`, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603"},
		{"hmac sha256", `require('crypto').createHmac('sha256', 'key').update('msg').digest('hex')`, "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628"},
		{"hmac sha1 buffer key", `require('crypto').createHmac('sha1', Buffer.from('k')).update('m').digest('base64')`, "dytxyKKZfnaL4B2XEeSk80ok7zM="},
		{"hmac bad digest", `(() => { try { require('crypto').createHmac('nope', 'k') } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, "TypeError ERR_CRYPTO_INVALID_DIGEST: Invalid digest: nope"},
		{"hmac no key", `(() => { try { require('crypto').createHmac('md5') } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, "TypeError ERR_INVALID_ARG_TYPE: The \"key\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received undefined"},
		{"timingSafeEqual", `String(require('crypto').timingSafeEqual(Buffer.from('ab'), Buffer.from('ab'))) + String(require('crypto').timingSafeEqual(Buffer.from('ab'), Buffer.from('ac')))`, "truefalse"},
		{"timingSafeEqual length", `(() => { try { require('crypto').timingSafeEqual(Buffer.from('a'), Buffer.from('ab')) } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, "RangeError ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH: Input buffers must have the same byte length"},
		{"timingSafeEqual string", `(() => { try { require('crypto').timingSafeEqual('a', 'a') } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, "TypeError ERR_INVALID_ARG_TYPE: The \"buf1\" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView."},
		{"randomBytes", `(() => { const b = require('crypto').randomBytes(16); return [b instanceof Buffer, b.length].join() })()`, "true,16"},
		{"randomBytes negative", `(() => { try { require('crypto').randomBytes(-1) } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, "RangeError ERR_OUT_OF_RANGE: The value of \"size\" is out of range. It must be >= 0 && <= 2147483647. Received -1"},
		{"randomBytes string", `(() => { try { require('crypto').randomBytes('x') } catch (e) { return e.name + ' ' + e.code + ': ' + e.message } })()`, "TypeError ERR_INVALID_ARG_TYPE: The \"size\" argument must be of type number. Received type string ('x')"},
		{"randomBytes callback", `new Promise((resolve) => { let sync = true; require('crypto').randomBytes(3, (err, b) => resolve([err, b.length, sync].join())); sync = false; })`, ",3,false"},
		{"randomUUID", `/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(require('crypto').randomUUID()) + ''`, "true"},
		{"randomInt", `(() => { const c = require('crypto'); for (let i = 0; i < 50; i++) { const n = c.randomInt(3, 6); if (n < 3 || n >= 6) return 'bad ' + n } return 'ok' })()`, "ok"},
		{"getHashes", `['md5', 'sha1', 'sha256', 'sha512', 'RSA-SHA256'].every((h) => require('crypto').getHashes().includes(h)) + ''`, "true"},
	})
}

func newEnv(t *testing.T) *nodetest.Env {
	return nodetest.New(t, nodetest.Modules(Module(), buffer.Module()), nodetest.Globals(buffer.Global()))
}
