// Package crypto is Node's crypto module as plugins use it: hashes, HMAC,
// random bytes, integers and UUIDs, and timingSafeEqual.
package crypto

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"hash"
	"math"
	"math/big"
	"sort"
	"strings"

	nodebuffer "github.com/hogpipe/hogpipe/internal/node/buffer"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	nodeerrors "github.com/dop251/goja_nodejs/errors"
	"github.com/dop251/goja_nodejs/require"
	"github.com/gofrs/uuid/v5"

	"github.com/hogpipe/hogpipe/internal/node"
)

// hashes are the digests createHash and createHmac accept, under
// OpenSSL's names and aliases (matched case-insensitively, as Node does).
var hashes = map[string]func() hash.Hash{
	"md5":        md5.New,
	"rsa-md5":    md5.New,
	"sha1":       sha1.New,
	"sha-1":      sha1.New,
	"rsa-sha1":   sha1.New,
	"sha224":     sha256.New224,
	"sha-224":    sha256.New224,
	"rsa-sha224": sha256.New224,
	"sha256":     sha256.New,
	"sha-256":    sha256.New,
	"rsa-sha256": sha256.New,
	"sha384":     sha512.New384,
	"sha-384":    sha512.New384,
	"rsa-sha384": sha512.New384,
	"sha512":     sha512.New,
	"sha-512":    sha512.New,
	"rsa-sha512": sha512.New,
	"sha512-256": sha512.New512_256,
	"sha512-224": sha512.New512_224,
}

// load serves Node's crypto: hashes, HMAC, random bytes and UUIDs,
// and a constant-time comparison.
func load(h node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		exports := module.Get("exports").(*goja.Object)
		_ = exports.Set("createHash", func(call goja.FunctionCall) goja.Value {
			alg := call.Argument(0).String()
			newHash, ok := hashes[strings.ToLower(alg)]
			if !ok {
				panic(nodeError(rt, "Digest method not supported"))
			}
			return hashObject(rt, newHash(), newHash)
		})
		_ = exports.Set("createHmac", func(call goja.FunctionCall) goja.Value {
			alg := call.Argument(0).String()
			newHash, ok := hashes[strings.ToLower(alg)]
			if !ok {
				panic(nodeerrors.NewTypeError(rt, "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest: "+alg))
			}
			keyArg := call.Argument(1)
			var key []byte
			if s, ok := keyArg.Export().(string); ok {
				key = nodebuffer.DecodeString(s, optString(call.Argument(2)))
			} else if b, ok := nodebuffer.View(rt, keyArg); ok {
				key = append([]byte(nil), b...)
			} else {
				panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
					`The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey.`+node.Received(keyArg)))
			}
			return hashObject(rt, hmac.New(newHash, key), nil)
		})
		_ = exports.Set("randomBytes", func(call goja.FunctionCall) goja.Value {
			n := sizeArg(rt, call.Argument(0))
			b := make([]byte, n)
			_, _ = rand.Read(b)
			if cb, ok := goja.AssertFunction(call.Argument(1)); ok {
				h.Callback()(func() {
					if _, err := cb(goja.Undefined(), goja.Null(), buffer.WrapBytes(rt, b)); err != nil {
						h.ReportError(fmt.Errorf("crypto.randomBytes callback: %w", err))
					}
				})
				return goja.Undefined()
			}
			return buffer.WrapBytes(rt, b)
		})
		_ = exports.Set("randomUUID", func(goja.FunctionCall) goja.Value {
			return rt.ToValue(uuid.Must(uuid.NewV4()).String())
		})
		_ = exports.Set("randomInt", func(call goja.FunctionCall) goja.Value {
			lo, hi := int64(0), call.Argument(0).ToInteger()
			if len(call.Arguments) > 1 {
				if _, isFn := goja.AssertFunction(call.Argument(1)); !isFn {
					lo, hi = hi, call.Argument(1).ToInteger()
				}
			}
			if hi <= lo {
				panic(nodeerrors.NewRangeError(rt, nodeerrors.ErrCodeOutOfRange,
					fmt.Sprintf(`The value of "max" is out of range. It must be greater than the value of "min" (%d). Received %d`, lo, hi)))
			}
			n, _ := rand.Int(rand.Reader, big.NewInt(hi-lo))
			return rt.ToValue(lo + n.Int64())
		})
		_ = exports.Set("timingSafeEqual", func(call goja.FunctionCall) goja.Value {
			a, okA := nodebuffer.View(rt, call.Argument(0))
			if !okA {
				panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
					`The "buf1" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`))
			}
			b, okB := nodebuffer.View(rt, call.Argument(1))
			if !okB {
				panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
					`The "buf2" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`))
			}
			if len(a) != len(b) {
				panic(nodeerrors.NewRangeError(rt, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length"))
			}
			return rt.ToValue(subtle.ConstantTimeCompare(a, b) == 1)
		})
		_ = exports.Set("getHashes", func(goja.FunctionCall) goja.Value {
			names := make([]string, 0, len(hashes))
			for name := range hashes {
				if strings.HasPrefix(name, "rsa-") {
					name = "RSA-" + strings.ToUpper(name[4:])
				}
				names = append(names, name)
			}
			sort.Strings(names)
			return rt.ToValue(names)
		})
	}
}

// hashObject is a Hash or Hmac: update(data[, encoding]) chains,
// digest([encoding]) finishes; copy() exists on hashes only.
func hashObject(rt *goja.Runtime, h hash.Hash, newHash func() hash.Hash) *goja.Object {
	obj := rt.NewObject()
	done := false
	finalized := func() *goja.Object {
		return nodeerrors.NewError(rt, nil, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called")
	}
	_ = obj.Set("update", func(call goja.FunctionCall) goja.Value {
		if done {
			panic(finalized())
		}
		h.Write(nodebuffer.Data(rt, call.Argument(0), call.Argument(1), "data"))
		return call.This
	})
	_ = obj.Set("digest", func(call goja.FunctionCall) goja.Value {
		if done {
			panic(finalized())
		}
		done = true
		return nodebuffer.Encode(rt, h.Sum(nil), call.Argument(0))
	})
	if newHash != nil {
		_ = obj.Set("copy", func(goja.FunctionCall) goja.Value {
			if done {
				panic(finalized())
			}
			clone, ok := cloneHash(h, newHash)
			if !ok {
				panic(nodeError(rt, "hash.copy() is not supported for this algorithm"))
			}
			return hashObject(rt, clone, newHash)
		})
	}
	return obj
}

// cloneHash copies a hash's state through its binary marshaling.
func cloneHash(h hash.Hash, newHash func() hash.Hash) (hash.Hash, bool) {
	m, ok := h.(interface{ MarshalBinary() ([]byte, error) })
	if !ok {
		return nil, false
	}
	state, err := m.MarshalBinary()
	if err != nil {
		return nil, false
	}
	clone := newHash()
	u, ok := clone.(interface{ UnmarshalBinary([]byte) error })
	if !ok || u.UnmarshalBinary(state) != nil {
		return nil, false
	}
	return clone, true
}

func optString(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}

// sizeArg validates randomBytes' size as Node does.
func sizeArg(rt *goja.Runtime, v goja.Value) int {
	f, ok := v.Export().(float64)
	if i, isInt := v.Export().(int64); isInt {
		f, ok = float64(i), true
	}
	if !ok {
		panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType, `The "size" argument must be of type number.`+node.Received(v)))
	}
	if f < 0 || f > math.MaxInt32 || f != math.Trunc(f) {
		panic(nodeerrors.NewRangeError(rt, nodeerrors.ErrCodeOutOfRange,
			fmt.Sprintf(`The value of "size" is out of range. It must be >= 0 && <= 2147483647. Received %s`, v.String())))
	}
	return int(f)
}

// nodeError is a plain JavaScript Error with message.
func nodeError(rt *goja.Runtime, message string) *goja.Object {
	ctor, _ := rt.Get("Error").(*goja.Object)
	obj, err := rt.New(ctor, rt.ToValue(message))
	if err != nil {
		panic(err)
	}
	return obj
}

// Module serves require("crypto").
func Module() node.Module { return node.Module{Name: "crypto", Load: load} }
