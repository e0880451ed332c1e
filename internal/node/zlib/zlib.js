(function (exports, stream) {
  "use strict";
  const make = (name) => (options) => {
    const chunks = [];
    return new stream.Transform({
      transform(chunk, encoding, callback) { chunks.push(Buffer.from(chunk, encoding)); callback(); },
      flush(callback) {
        let out;
        try { out = exports[name + "Sync"](Buffer.concat(chunks), options); } catch (e) { callback(e); return; }
        callback(null, out);
      },
    });
  };
  const names = { Gzip: "gzip", Gunzip: "gunzip", Deflate: "deflate", Inflate: "inflate", DeflateRaw: "deflateRaw",
    InflateRaw: "inflateRaw", Unzip: "unzip", BrotliCompress: "brotliCompress", BrotliDecompress: "brotliDecompress" };
  for (const [cls, fn] of Object.entries(names)) {
    exports["create" + cls] = make(fn);
  }
})
