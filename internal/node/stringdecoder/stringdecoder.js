(function (module) {
  'use strict'

  function normalizeEncoding(enc) {
    const e = String(enc === undefined || enc === null ? 'utf8' : enc).toLowerCase()
    switch (e) {
      case 'utf8':
      case 'utf-8':
      case '':
        return 'utf8'
      case 'ucs2':
      case 'ucs-2':
      case 'utf16le':
      case 'utf-16le':
        return 'utf16le'
      case 'latin1':
      case 'binary':
        return 'latin1'
      case 'base64':
      case 'base64url':
      case 'ascii':
      case 'hex':
        return e
    }
    const err = new TypeError('Unknown encoding: ' + enc)
    err.code = 'ERR_UNKNOWN_ENCODING'
    throw err
  }

  // utf8Need is how many bytes the sequence starting with byte b has.
  function utf8Need(b) {
    if (b >= 0xf0 && b <= 0xf4) return 4
    if (b >= 0xe0) return b <= 0xef ? 3 : 1
    if (b >= 0xc2) return 2
    return 1
  }

  class StringDecoder {
    constructor(encoding) {
      this.encoding = normalizeEncoding(encoding)
      this._pending = Buffer.alloc(0)
    }

    // _split returns the bytes that form whole characters and keeps the rest.
    _split(buf) {
      if (this.encoding === 'utf8') {
        let start = Math.max(buf.length - 3, 0)
        for (let i = buf.length - 1; i >= start; i--) {
          const b = buf[i]
          if ((b & 0xc0) === 0x80) continue
          const need = utf8Need(b)
          if (need > 1 && i + need > buf.length) return [buf.subarray(0, i), buf.subarray(i)]
          break
        }
        return [buf, Buffer.alloc(0)]
      }
      let unit = 1
      if (this.encoding === 'utf16le') unit = 2
      if (this.encoding === 'base64' || this.encoding === 'base64url') unit = 3
      const whole = buf.length - (buf.length % unit)
      let cut = whole
      if (this.encoding === 'utf16le' && whole >= 2) {
        const hi = buf[whole - 1]
        if (hi >= 0xd8 && hi <= 0xdb) cut = whole - 2 // a lead surrogate waits for its pair
      }
      return [buf.subarray(0, cut), buf.subarray(cut)]
    }

    write(buf) {
      if (typeof buf === 'string') return buf
      if (!(buf instanceof Uint8Array)) {
        const err = new TypeError('The "buf" argument must be an instance of Buffer, TypedArray, or DataView.' + (buf === undefined ? ' Received undefined' : ''))
        err.code = 'ERR_INVALID_ARG_TYPE'
        throw err
      }
      const all = Buffer.concat([this._pending, Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)])
      const [whole, rest] = this._split(all)
      // A copy, so the caller may reuse its buffer; an empty one is made
      // fresh, as goja cannot export an empty typed array under checkptr.
      this._pending = rest.length ? Buffer.from(rest) : Buffer.alloc(0)
      return whole.toString(this.encoding)
    }

    end(buf) {
      let out = buf === undefined ? '' : this.write(buf)
      if (this._pending.length > 0) {
        out += this._pending.toString(this.encoding)
        this._pending = Buffer.alloc(0)
      }
      return out
    }

    text(buf, offset) {
      return this.write(buf.subarray(offset))
    }
  }

  module.exports = { StringDecoder }
})
