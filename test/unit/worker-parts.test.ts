import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from '../../src/core/backoff.js';
import { DedupeCache } from '../../src/worker/dedupe.js';
import { FunctionRegistry } from '../../src/worker/registry.js';
import { functions } from '../../functions/index.js';

const delivery = (id: string) => ({ session: 1, ackId: id, subscription: 's', messageId: id, redelivered: false });

test('backoff doubles up to the ceiling, with jitter in the upper half', () => {
  assert.equal(backoffDelay(0, 1000, 60_000, () => 0), 500);
  assert.equal(backoffDelay(0, 1000, 60_000, () => 1), 1000);
  assert.equal(backoffDelay(3, 1000, 60_000, () => 1), 8000);
  assert.equal(backoffDelay(20, 1000, 60_000, () => 1), 60_000);
  assert.equal(backoffDelay(2000, 1000, 60_000, () => 0), 30_000);
});

test('dedupe forgets the oldest finished entries, never a running one', () => {
  const cache = new DedupeCache(2);
  cache.set('a', { state: 'running', delivery: delivery('a') });
  for (const id of ['b', 'c', 'd']) {
    cache.set(id, { state: 'done', delivery: delivery(id), replyTo: 'r', correlationId: id, reply: null });
  }
  assert.equal(cache.get('a')?.state, 'running');
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('c'), undefined);
  assert.equal(cache.get('d')?.state, 'done');
});

test('registry validates inputs against each function schema', () => {
  const registry = new FunctionRegistry(functions);
  assert.deepEqual(registry.names(), functions.map((f) => f.name));
  assert.ok(registry.names().includes('clearing_ping'));
  assert.deepEqual(registry.validate('clearing_ping', { clearing_ping_message: 'hi' }), []);
  assert.deepEqual(registry.validate('clearing_ping', { clearing_ping_delay_ms: 'soon' }), ['inputs.clearing_ping_delay_ms: must be a whole number']);
  assert.deepEqual(registry.validate('clearing_ping', { clearing_ping_delay_ms: 70_000 }), ['inputs.clearing_ping_delay_ms: must be <= 60000']);
  assert.throws(() => new FunctionRegistry([...functions, ...functions]), /defined twice/);
});
