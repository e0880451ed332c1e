(function (module) {
  'use strict'

  function check(p, name) {
    if (typeof p !== 'string') {
      const err = new TypeError(`The "${name}" argument must be of type string.` + received(p))
      err.code = 'ERR_INVALID_ARG_TYPE'
      throw err
    }
  }

  function received(v) {
    if (v === undefined) return ' Received undefined'
    if (v === null) return ' Received null'
    if (typeof v === 'number') return ` Received type number (${v})`
    if (typeof v === 'object') return ` Received an instance of ${(v.constructor && v.constructor.name) || 'Object'}`
    return ` Received type ${typeof v} (${String(v)})`
  }

  // normalizeParts resolves "." and ".." segments; above the root they are
  // dropped for an absolute path and kept for a relative one.
  function normalizeParts(path, absolute) {
    const out = []
    for (const seg of path.split('/')) {
      if (seg === '' || seg === '.') continue
      if (seg === '..') {
        if (out.length > 0 && out[out.length - 1] !== '..') out.pop()
        else if (!absolute) out.push('..')
        continue
      }
      out.push(seg)
    }
    return out.join('/')
  }

  const posix = {
    sep: '/',
    delimiter: ':',

    normalize(path) {
      check(path, 'path')
      if (path.length === 0) return '.'
      const absolute = path[0] === '/'
      const trailing = path[path.length - 1] === '/'
      let p = normalizeParts(path, absolute)
      if (p.length === 0) {
        if (absolute) return '/'
        return trailing ? './' : '.'
      }
      if (trailing) p += '/'
      return absolute ? '/' + p : p
    },

    join(...parts) {
      parts.forEach((p) => check(p, 'path'))
      const joined = parts.filter((p) => p.length > 0).join('/')
      return joined.length === 0 ? '.' : posix.normalize(joined)
    },

    resolve(...parts) {
      let resolved = ''
      let absolute = false
      for (let i = parts.length - 1; i >= -1 && !absolute; i--) {
        const p = i >= 0 ? parts[i] : '/'
        check(p, 'paths[' + i + ']')
        if (p.length === 0) continue
        resolved = p + '/' + resolved
        absolute = p[0] === '/'
      }
      const p = normalizeParts(resolved, true)
      return '/' + p
    },

    isAbsolute(path) {
      check(path, 'path')
      return path.length > 0 && path[0] === '/'
    },

    relative(from, to) {
      check(from, 'from')
      check(to, 'to')
      if (from === to) return ''
      const f = posix.resolve(from).split('/').filter(Boolean)
      const t = posix.resolve(to).split('/').filter(Boolean)
      let i = 0
      while (i < f.length && i < t.length && f[i] === t[i]) i++
      return f.slice(i).map(() => '..').concat(t.slice(i)).join('/')
    },

    dirname(path) {
      check(path, 'path')
      if (path.length === 0) return '.'
      const hasRoot = path[0] === '/'
      let end = -1
      let matchedSlash = true
      for (let i = path.length - 1; i >= 1; i--) {
        if (path[i] === '/') {
          if (!matchedSlash) {
            end = i
            break
          }
        } else {
          matchedSlash = false
        }
      }
      if (end === -1) return hasRoot ? '/' : '.'
      if (hasRoot && end === 1) return '//'
      return path.slice(0, end)
    },

    basename(path, ext) {
      check(path, 'path')
      if (ext !== undefined) check(ext, 'ext')
      let end = path.length
      while (end > 0 && path[end - 1] === '/') end--
      if (end === 0) return ''
      const base = path.slice(path.lastIndexOf('/', end - 1) + 1, end)
      if (ext !== undefined && base.endsWith(ext)) return base.slice(0, base.length - ext.length)
      return base
    },

    extname(path) {
      check(path, 'path')
      const base = posix.basename(path)
      const i = base.lastIndexOf('.')
      if (i <= 0 || (i === 1 && base === '..')) return ''
      return base.slice(i)
    },

    parse(path) {
      check(path, 'path')
      const root = path[0] === '/' ? '/' : ''
      const base = posix.basename(path)
      const ext = posix.extname(path)
      let dir = posix.dirname(path)
      if (dir === '.' && !path.slice(0, path.length - base.length).includes('/')) dir = ''
      return { root, dir, base, ext, name: ext ? base.slice(0, base.length - ext.length) : base }
    },

    format(obj) {
      if (obj === null || typeof obj !== 'object') {
        const err = new TypeError('The "pathObject" argument must be of type object.' + received(obj))
        err.code = 'ERR_INVALID_ARG_TYPE'
        throw err
      }
      const dir = obj.dir || obj.root
      const base = obj.base || `${obj.name || ''}${obj.ext ? (obj.ext[0] === '.' ? '' : '.') + obj.ext : ''}`
      if (!dir) return base
      return dir === obj.root ? `${dir}${base}` : `${dir}/${base}`
    },

    toNamespacedPath(path) {
      return path
    },
  }
  posix.posix = posix
  Object.defineProperty(posix, 'win32', {
    enumerable: true,
    get() {
      throw new TypeError('path: path.win32 is not supported by hogpipe')
    },
  })
  module.exports = posix
})
