(function (global) {
  "use strict";
  class RetryError extends Error {
    constructor(message) { super(message); this.name = "RetryError"; }
  }
  for (const [name, value] of Object.entries({ RetryError })) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true });
  }
  return { isRetryError: (e) => e instanceof RetryError };
})
