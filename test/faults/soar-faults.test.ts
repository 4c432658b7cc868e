/**
 * Issue 8, fault 5: SOAR's REST API misbehaves (5xx, slow answers past the client timeout,
 * 409 storms, dropped connections) while clearing_involve_group_coordination runs through a
 * real `soar-clearing run` process. The client retries within its limits (soar.retries: 2, so
 * at most 3 attempts of an idempotent request; POSTs that may have reached SOAR are not
 * repeated) and then the workflow gets a clear error reply with a stable code; nothing hangs:
 * every invocation is answered within a bound.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { buildExport, customization } from '../../customize/build.js';
import { installCustomization } from '../../src/app/customize.js';
import type { SoarInvoker } from '../../sim/emulator/invoker.js';
import { SoarClient } from '../../src/soar/client.js';
import { figures, setConfigKey } from '../support/faults.js';
import { memoryLogger, uniqueDestination, WorkerProcess, World } from '../support/world.js';

/** soar.timeout_s in the worker's config; each request waits at most this long per attempt. */
const SOAR_TIMEOUT_S = 1;
/** An invocation must be answered within this, whatever SOAR does (3 attempts x 1 s + backoff). */
const ANSWER_BOUND_MS = 10_000;

const TASKS = /\/incidents\/\d+\/tasks$/;
const TABLE = /\/incidents\/\d+\/table_data\//;

describe('fault: SOAR REST faults while a function calls SOAR', () => {
  let world: World;
  let admin: SoarClient;
  let proc: WorkerProcess;
  let invoker: SoarInvoker;
  const latencies: number[] = [];

  before(async () => {
    world = await World.start();
    admin = await SoarClient.connect(world.soar.soarConfig());
    await installCustomization(admin, buildExport(), customization.destination, memoryLogger().log);
    const destination = uniqueDestination('fn_faults_soar');
    const configPath = world.configFile({ destination, concurrency: 20, functionTimeoutS: 30 });
    setConfigKey(configPath, 'soar', 'timeout_s', SOAR_TIMEOUT_S);
    invoker = await world.invoker(destination);
    proc = new WorkerProcess(configPath);
    await proc.ready;
  });
  after(async () => {
    await invoker?.close();
    if (proc) {
      proc.signal('SIGTERM');
      await proc.exited;
    }
    await admin?.close();
    await world?.stop();
  });

  beforeEach(() => world.soar.faults.clear());

  async function incident(): Promise<number> {
    return (await admin.createIncident({ name: `soar faults ${Date.now()}`, discovered_date: Date.now() })).id;
  }

  /** Invokes coordination for an incident; answers the final reply's outcome and how long it took. */
  async function coordinate(incidentId: number): Promise<{ ok: boolean; code: string | null; message: string; ms: number }> {
    const t0 = Date.now();
    const id = await invoker.invoke('clearing_involve_group_coordination', { incident_id: incidentId });
    const final = await invoker.final(id, ANSWER_BOUND_MS + 5000);
    const ms = final.at - t0;
    latencies.push(ms);
    const message = final.json?.message ?? '';
    return { ok: message === 'Completed', code: /^\[([a-z_]+)\]/.exec(message)?.[1] ?? null, message, ms };
  }

  const attempts = (incidentId: number, method: string, path: RegExp): number =>
    world.soar.requestsTo(method, path).filter((r) => r.path.includes(`/incidents/${incidentId}/`)).length;

  test('503 twice on a GET: retried, then success', async () => {
    const id = await incident();
    world.soar.faults.failNext(2, 503, { method: 'GET', path: TASKS });
    const r = await coordinate(id);
    assert.ok(r.ok, r.message);
    assert.equal(attempts(id, 'GET', TASKS), 3);
  });

  test('a 5xx storm on a GET: 3 attempts, then a clear [soar_*] error, in bound', async () => {
    const id = await incident();
    world.soar.faults.failNext(10, 500, { method: 'GET', path: TASKS });
    const r = await coordinate(id);
    assert.equal(r.ok, false);
    assert.match(r.code ?? '', /^soar_/, r.message);
    assert.equal(attempts(id, 'GET', TASKS), 3, 'retries stop at soar.retries');
    world.soar.faults.clear();
  });

  test('a 5xx on the creating POST: not repeated (it may have been applied), clear error', async () => {
    const id = await incident();
    world.soar.faults.failNext(1, 502, { method: 'POST', path: TASKS });
    const r = await coordinate(id);
    assert.equal(r.ok, false);
    assert.match(r.code ?? '', /^soar_/, r.message);
    assert.equal(attempts(id, 'POST', TASKS), 1);
    // Running it again (SOAR's retry of the workflow) creates the task once.
    const again = await coordinate(id);
    assert.ok(again.ok, again.message);
  });

  test('SOAR slower than the client timeout: each attempt times out, then a clear error, in bound', async () => {
    const id = await incident();
    world.soar.faults.delayNext(3, 3000, { method: 'GET', path: TASKS });
    const r = await coordinate(id);
    assert.equal(r.ok, false);
    assert.match(r.code ?? '', /^soar_/, r.message);
    assert.ok(r.ms < ANSWER_BOUND_MS, `answered after ${r.ms} ms`);
    assert.equal(attempts(id, 'GET', TASKS), 3);
  });

  test('one slow answer: the retry succeeds', async () => {
    const id = await incident();
    world.soar.faults.delayNext(1, 3000, { method: 'GET', path: TABLE });
    const r = await coordinate(id);
    assert.ok(r.ok, r.message);
  });

  test('a 409 storm: not retried blindly, a clear [soar_conflict]-style error, in bound', async () => {
    const id = await incident();
    world.soar.faults.failNext(20, 409, { method: 'GET', path: TASKS });
    const r = await coordinate(id);
    assert.equal(r.ok, false);
    assert.match(r.code ?? '', /^soar_/, r.message);
    assert.ok(r.ms < ANSWER_BOUND_MS);
    assert.ok(attempts(id, 'GET', TASKS) <= 3);
  });

  test('dropped connections: retried, then success', async () => {
    const id = await incident();
    world.soar.faults.dropConnections(2, { method: 'GET', path: TABLE });
    const r = await coordinate(id);
    assert.ok(r.ok, r.message);
  });

  test('40 concurrent invocations through a mixed storm: every one answered within the bound, each success or a [soar_*] error', { timeout: 60_000 }, async (t) => {
    const ids = await Promise.all(Array.from({ length: 40 }, () => incident()));
    world.soar.faults.failNext(30, 503, { method: 'GET', path: TASKS });
    world.soar.faults.failNext(10, 409, { method: 'GET', path: TABLE });
    world.soar.faults.delayNext(15, 2500, { method: 'GET', path: TABLE });
    world.soar.faults.dropConnections(10, { method: 'GET', path: TASKS });
    world.soar.faults.failNext(5, 500, { method: 'POST', path: TASKS });
    const results = await Promise.all(ids.map((id) => coordinate(id)));
    const codes: Record<string, number> = {};
    for (const r of results) codes[r.ok ? 'success' : r.code ?? 'none'] = (codes[r.ok ? 'success' : r.code ?? 'none'] ?? 0) + 1;
    const max = Math.max(...results.map((r) => r.ms));
    t.diagnostic(figures('soar-faults', { storm_invocations: results.length, outcomes: codes, storm_max_ms: max, all_latencies_max_ms: Math.max(...latencies) }));
    for (const r of results) {
      assert.ok(r.ok || /^soar_/.test(r.code ?? ''), r.message);
      assert.ok(r.ms < ANSWER_BOUND_MS, `answered after ${r.ms} ms`);
    }
    // The worker is still healthy.
    const ping = await invoker.invoke('clearing_ping', {});
    assert.equal((await invoker.final(ping)).json?.message, 'Completed');
  });
});
