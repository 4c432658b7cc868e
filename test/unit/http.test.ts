/**
 * The HTTP layer under both HTTPS servers (src/http): the path router, the request target
 * check and the bounded body reader (stop at the limit, or drain and then cut).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { readBody } from '../../src/http/body.js';
import { PathRouter } from '../../src/http/router.js';
import { checkTarget } from '../../src/http/target.js';

test('the router: literal segments before parameters, the methods a path allows, overlaps refused', () => {
  const router = new PathRouter([
    { method: 'GET', path: '/api/v1/items/:id' },
    { method: 'GET', path: '/api/v1/items/special' },
    { method: 'PUT', path: '/api/v1/items/:id' },
  ]);
  assert.equal(router.match('GET', ['api', 'v1', 'items', 'special']).route?.path, '/api/v1/items/special');
  const byId = router.match('GET', ['api', 'v1', 'items', 'a1']);
  assert.equal(byId.route?.path, '/api/v1/items/:id');
  assert.deepEqual({ ...(byId.route ? byId.params : {}) }, { id: 'a1' });
  assert.deepEqual(router.match('POST', ['api', 'v1', 'items', 'a1']), { route: null, allowed: ['GET', 'PUT'] });
  assert.deepEqual(router.match('GET', ['api', 'v1', 'other']), { route: null, allowed: [] });
  // A parameter value must be a plain name.
  assert.deepEqual(router.match('GET', ['api', 'v1', 'items', 'a b']), { route: null, allowed: [] });
  assert.throws(() => new PathRouter([{ method: 'GET', path: '/a/:x' }, { method: 'GET', path: '/a/:y' }]), /overlap/);
  assert.throws(() => new PathRouter([{ method: 'GET', path: '/a/:x/:x' }]), /names :x twice/);
});

test('the target check refuses what could mean another path once decoded', () => {
  assert.deepEqual(checkTarget('/ui/shared/soar1/7?x=1'), { ok: true, segments: ['ui', 'shared', 'soar1', '7'], query: new URLSearchParams('x=1') });
  for (const bad of ['ui', '/a//b', '/a/../b', '/a/%2e%2e/b', '/a%2fb', '/a\\b', '/a/%zz', '/a/%01', `/${'a'.repeat(2048)}`]) {
    assert.equal(checkTarget(bad).ok, false, bad);
  }
});

/** A request streaming `chunks`; `cut` says whether the reader destroyed it. */
function request(chunks: readonly Buffer[], headers: Record<string, string> = {}): IncomingMessage & PassThrough & { cut: boolean } {
  const stream = new PassThrough({ autoDestroy: false }) as PassThrough & { headers: Record<string, string>; cut: boolean };
  stream.headers = headers;
  stream.cut = false;
  const destroy = stream.destroy.bind(stream);
  stream.destroy = (err?: Error) => {
    stream.cut = true;
    return destroy(err);
  };
  setImmediate(() => {
    for (const c of chunks) stream.write(c);
    stream.end();
  });
  return stream as unknown as IncomingMessage & PassThrough & { cut: boolean };
}

const limits = (extra: object = {}) => ({
  maxBytes: 10,
  overflow: 'pause' as const,
  tooLarge: () => new Error('too large'),
  broken: (err?: Error) => new Error(`broken: ${err?.message ?? 'closed'}`),
  ...extra,
});

test('the body reader: within the limit, over it (declared or streamed), drained, broken off', async () => {
  assert.equal((await readBody(request([Buffer.from('hello'), Buffer.from(' you')]), limits())).toString(), 'hello you');
  await assert.rejects(readBody(request([], { 'content-length': '11' }), limits()), /too large/);
  await assert.rejects(readBody(request([Buffer.alloc(6), Buffer.alloc(6)]), limits()), /too large/);
  // Drained: read to its end (up to drainBytes), then refused.
  const drained = request([Buffer.alloc(8), Buffer.alloc(8)]);
  await assert.rejects(readBody(drained, limits({ drainBytes: 100, overflow: 'destroy' })), /too large/);
  assert.equal(drained.cut, false);
  // Beyond drainBytes: cut.
  const cut = request([Buffer.alloc(60), Buffer.alloc(60)]);
  await assert.rejects(readBody(cut, limits({ drainBytes: 100, overflow: 'destroy' })), /too large/);
  assert.equal(cut.cut, true);
  const broken = new PassThrough() as PassThrough & { headers: object };
  broken.headers = {};
  const reading = readBody(broken as unknown as IncomingMessage, limits());
  broken.destroy(new Error('reset'));
  await assert.rejects(reading, /broken: reset/);
});
