/**
 * The worker against the real ActiveMQ broker and the SOAR emulator: SOAR's invocation frames
 * in, SOAR's reply shapes out.
 */
import type { FunctionDefinition } from '../../src/worker/function.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineFunction } from '../../functions/define.js';
import { functions } from '../../functions/index.js';
import type { BrandWorker } from '../../src/worker/worker.js';
import type { SoarInvoker } from '../../sim/emulator/invoker.js';
import { memoryLogger, uniqueDestination, World } from '../support/world.js';

const failing = defineFunction<{ reason: string }, null>({
  name: 'test_fails',
  displayName: 'Test: fails',
  description: 'Throws a plain Error.',
  inputSchema: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'], additionalProperties: false },
  async handler(inputs) {
    throw new Error(`it broke: ${inputs.reason}`);
  },
});

const readsIncident = defineFunction<{ incident_id: number }, { name: string }>({
  name: 'test_reads_incident',
  displayName: 'Test: reads an incident',
  description: 'Reads an incident from SOAR on behalf of the invocation.',
  inputSchema: { type: 'object', properties: { incident_id: { type: 'integer' } }, required: ['incident_id'], additionalProperties: false },
  async handler(inputs, ctx) {
    const incident = await ctx.soar.getIncident(inputs.incident_id);
    return { name: incident.name };
  },
});

const served: readonly FunctionDefinition[] = [...functions, failing, readsIncident];

describe('worker over the real broker', () => {
  let world: World;
  let worker: BrandWorker;
  let invoker: SoarInvoker;
  const destination = uniqueDestination();
  const logged = memoryLogger();

  before(async () => {
    world = await World.start();
    const config = world.config({ destination });
    worker = await world.worker(config, served, logged.log);
    await worker.start();
    invoker = await world.invoker(destination);
  });

  after(async () => {
    await invoker?.close();
    await worker?.stop();
    await world?.stop();
  });

  test('clearing_ping answers with a status message, then the exact final reply shape', async () => {
    const id = await invoker.invoke('clearing_ping', {
      clearing_ping_message: { format: 'text', content: 'hello ล ฦ <b>' },
      clearing_ping_delay_ms: 5,
    });
    const final = await invoker.final(id);
    const replies = invoker.repliesFor(id);
    assert.equal(replies.length, 2, 'one status message and one final reply');
    assert.deepEqual(replies[0]!.json, { message_type: 0, message: "Running 'Clearing: Ping'", complete: false });
    assert.equal(replies[0]!.headers['correlation-id'], id);
    assert.ok(replies[0]!.at <= final.at);

    assert.equal(final.headers['correlation-id'], id);
    assert.match(final.raw, /"results":\{"version":2\.0,/);
    const msg = final.json!;
    assert.deepEqual(Object.keys(msg), ['message_type', 'message', 'complete', 'results']);
    assert.equal(msg.message_type, 0);
    assert.equal(msg.message, 'Completed');
    assert.equal(msg.complete, true);
    const results = msg.results as Record<string, unknown>;
    assert.deepEqual(Object.keys(results), ['version', 'success', 'reason', 'content', 'raw', 'inputs', 'metrics']);
    assert.equal(results['success'], true);
    assert.equal(results['reason'], null);
    assert.equal(results['raw'], null);
    assert.deepEqual(results['inputs'], { clearing_ping_message: 'hello ล ฦ <b>', clearing_ping_delay_ms: 5 });
    const content = results['content'] as Record<string, unknown>;
    assert.equal(content['pong'], true);
    assert.equal(content['message'], 'hello ล ฦ <b>');
    assert.equal(content['node'], 'test-node');
    assert.equal(content['brand'], 'soar2');
    assert.equal(content['correlation_id'], id);
    const metrics = results['metrics'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(metrics), ['version', 'package', 'package_version', 'host', 'execution_time_ms', 'timestamp']);
    assert.equal(metrics['package'], 'soar-clearing');
    assert.ok((metrics['execution_time_ms'] as number) >= 5);
    assert.match(metrics['timestamp'] as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.ok(logged.lines.some((l) => /invocation success/.test(l) && l.includes(`correlation_id=${id}`) && /duration_ms=\d+/.test(l)));
  });

  test('invalid inputs, an unknown function and a throwing handler each get an error reply; serving goes on', async () => {
    const invalid = await invoker.invoke('clearing_ping', { clearing_ping_delay_ms: 'soon' });
    const unknown = await invoker.invoke('no_such_function', {});
    const throws = await invoker.invoke('test_fails', { reason: 'disk full' });
    const missing = await invoker.invoke('test_fails', {});
    for (const [id, pattern] of [
      [invalid, /^\[input_invalid\] invalid inputs for 'clearing_ping': inputs\.clearing_ping_delay_ms: must be a whole number$/],
      [unknown, /^\[function_unknown\] function 'no_such_function' is not served by this app/],
      [throws, /^\[internal\] it broke: disk full$/],
      [missing, /^\[input_invalid\] .*inputs\.reason: required$/],
    ] as const) {
      const final = await invoker.final(id);
      assert.equal(final.json?.message_type, 1, id);
      assert.equal(final.json?.complete, true);
      assert.match(final.json!.message, pattern);
      assert.equal(final.json?.results, undefined);
    }
    const ok = await invoker.invoke('clearing_ping', {});
    assert.equal((await invoker.final(ok)).json?.message, 'Completed');
  });

  test('poison messages are answered and acknowledged, never left to block a prefetch slot', async () => {
    const notJson = await invoker.invoke('clearing_ping', {}, { rawBody: '{"function": {"name": "clearing_ping"' });
    const legacy = await invoker.invoke('clearing_ping', {}, { headers: { Co3MessagePayload: 'ActionDataDTO' } });
    const noName = await invoker.invoke('clearing_ping', {}, { rawBody: '{"inputs": {}}' });
    await invoker.invoke('clearing_ping', {}, { headers: { 'reply-to': null } }); // cannot be answered: acked only
    assert.match((await invoker.final(notJson)).json!.message, /^\[message_malformed\] message body is not valid JSON/);
    assert.match((await invoker.final(legacy)).json!.message, /^\[message_unsupported\] message payload 'ActionDataDTO'/);
    assert.match((await invoker.final(noName)).json!.message, /^\[message_malformed\] message has no function.name/);
    // All four were acked: a burst larger than the prefetch window still flows.
    const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => invoker.invoke('clearing_ping', { clearing_ping_message: `n${i}` })));
    await invoker.waitUntil(() => ids.every((id) => invoker.finalsFor(id).length === 1), 15_000, '25 final replies');
    assert.equal(worker.getStats().inFlight, 0);
  });

  test('REST calls made on behalf of an invocation carry its Co3ContextToken', async () => {
    const incident = world.soar.state.createIncident(world.soar.orgId, { name: 'Phishing at EU', discovered_date: Date.now() }, null);
    const id = await invoker.invoke('test_reads_incident', { incident_id: incident['id'] as number }, { contextToken: 'ctx.token.1234' });
    const final = await invoker.final(id);
    assert.deepEqual((final.json?.results as { content: unknown } | undefined)?.content, { name: 'Phishing at EU' });
    const [call] = world.soar.requestsTo('GET', `/incidents/${String(incident['id'])}`);
    assert.equal(call?.contextToken, 'ctx.token.1234');
  });

  test('at most `concurrency` invocations run at once (prefetch) and all finish', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => invoker.invoke('clearing_ping', { clearing_ping_delay_ms: 100 })));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, worker.getStats().inFlight)), 5);
    await invoker.waitUntil(() => ids.every((id) => invoker.finalsFor(id).length === 1), 20_000, '30 final replies');
    clearInterval(sampler);
    assert.ok(peak <= 10, `peak in flight ${peak} exceeds concurrency 10`);
    assert.ok(peak >= 5, `peak in flight ${peak}: invocations did not run concurrently`);
  });
});
