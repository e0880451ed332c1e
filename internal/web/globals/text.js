(function (global, host) {
  "use strict";
  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") { return new Uint8Array(host.utf8Encode(String(input))); }
  }
  class TextDecoder {
    constructor(label = "utf-8") {
      const l = String(label).toLowerCase();
      if (l !== "utf-8" && l !== "utf8") throw new RangeError("TextDecoder: only utf-8 is supported, not " + label);
    }
    get encoding() { return "utf-8"; }
    decode(input) { return input === undefined ? "" : host.utf8Decode(input); }
  }
  for (const [name, value] of Object.entries({ TextEncoder, TextDecoder })) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true });
  }
})
