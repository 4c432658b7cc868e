/**
 * axios, loaded without waking Node's fetch. When it loads, axios reads the globals `FormData`
 * (to recognise a FormData body), `Request` and `Response` (for its fetch adapter; in Node it
 * uses its http adapter). On Node 20 reading any of them loads Node's fetch implementation
 * (undici), a few MiB of resident memory a `soar-clearing run` process never uses. They read as
 * undefined while axios loads and are put back as they were right after: axios's fetch adapter
 * stays off, and a native FormData body would not be recognised (the SOAR client builds its
 * multipart bodies itself).
 */
const HIDDEN = ['FormData', 'Request', 'Response'] as const;

const saved = HIDDEN.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
for (const [name] of saved) Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true });
let loaded: typeof import('axios');
try {
  loaded = await import('axios');
} finally {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete (globalThis as Record<string, unknown>)[name];
  }
}

export const axios = loaded.default;
