/** Which proxy a URL goes through (HTTPS_PROXY, NO_PROXY); the tunnels themselves: test/integration/proxy.test.ts. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { environmentProxyFor } from '../../src/http/proxy.js';
import { redactUrlPassword } from '../../src/core/text.js';

const NAMES = ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
});
function env(values: Record<string, string>): void {
  for (const n of NAMES) delete process.env[n];
  Object.assign(process.env, values);
}

test('no proxy variable: direct', () => {
  env({});
  assert.equal(environmentProxyFor('https://soar.example.com:443'), null);
});

test('HTTPS_PROXY or https_proxy (lower case first), ALL_PROXY as a fallback', () => {
  env({ HTTPS_PROXY: 'http://upper:3128' });
  assert.equal(environmentProxyFor('https://soar.example.com'), 'http://upper:3128');
  env({ HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128' });
  assert.equal(environmentProxyFor('https://soar.example.com'), 'http://lower:3128');
  env({ ALL_PROXY: 'http://all:3128' });
  assert.equal(environmentProxyFor('https://soar.example.com'), 'http://all:3128');
});

test('NO_PROXY: exact host, domain suffix, host:port, *', () => {
  for (const [noProxy, url, proxied] of [
    ['soar.example.com', 'https://soar.example.com:8443', false],
    ['soar.example.com', 'https://other.example.com', true],
    ['.example.com', 'https://soar.example.com', false],
    ['*.example.com', 'https://soar.example.com', false],
    ['127.0.0.1:8443', 'https://127.0.0.1:8443', false],
    ['127.0.0.1:8443', 'https://127.0.0.1:9443', true],
    ['a.test, soar.example.com', 'https://soar.example.com', false],
    ['*', 'https://anything.example', false],
  ] as const) {
    env({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy });
    assert.equal(environmentProxyFor(url), proxied ? 'http://proxy:3128' : null, `NO_PROXY=${noProxy} ${url}`);
  }
});

test('a proxy that is not http(s) is refused in words, its password hidden', () => {
  env({ HTTPS_PROXY: 'socks5://user:secret@proxy:1080' });
  assert.throws(() => environmentProxyFor('https://soar.example.com'), (e: Error) =>
    /is not http:\/\/ or https:\/\/ \(SOCKS is not supported\)/.test(e.message) && !e.message.includes('secret'));
});

test('redactUrlPassword hides the password only', () => {
  assert.equal(redactUrlPassword('http://user:secret@proxy.corp:3128'), 'http://user:***@proxy.corp:3128');
  // An @ or : in the password (percent-encoded or not) is hidden whole.
  assert.equal(redactUrlPassword('http://user:p@ss@proxy.corp:3128'), 'http://user:***@proxy.corp:3128');
  assert.equal(redactUrlPassword('http://user:a%3Ab%40c@proxy.corp:3128'), 'http://user:***@proxy.corp:3128');
  assert.equal(redactUrlPassword('http://proxy.corp:3128/'), 'http://proxy.corp:3128');
});
