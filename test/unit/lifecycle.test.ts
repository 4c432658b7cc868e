/**
 * Lifecycles: the generic state holder, the node's and the worker's transition tables, and what
 * repeated or out-of-order start()/stop() calls do (no SOAR and no broker listening: the node
 * waits for SOAR and the worker for its broker, which is where a stop finds them).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { NODE_TRANSITIONS, NodeState, ClearingNode } from '../../src/app/node.js';
import { parseConfig } from '../../src/config/index.js';
import type { AppConfig } from '../../src/config/types.js';
import { ErrorCode, IllegalStateError } from '../../src/core/errors.js';
import { Lifecycle, type Transitions } from '../../src/core/lifecycle.js';
import type { SoarClient } from '../../src/soar/client.js';
import { ClearingNetwork } from '../../src/clearing/network.js';
import { FunctionRegistry } from '../../src/worker/registry.js';
import { BrandWorker, WORKER_TRANSITIONS, WorkerState } from '../../src/worker/worker.js';
import { collectingLogger } from '../support/loggers.js';

/** States reachable from `from` by the table's transitions (itself included). */
function reachable<S extends string>(table: Transitions<S>, from: S): Set<S> {
  const seen = new Set<S>([from]);
  for (const s of seen) for (const next of table[s]) seen.add(next);
  return seen;
}

function assertWellFormed<S extends string>(table: Transitions<S>, initial: S, terminal: S): void {
  const states = Object.keys(table) as S[];
  assert.deepEqual([...reachable(table, initial)].sort(), [...states].sort(), 'every state is reachable from the initial one');
  for (const s of states) {
    assert.ok(reachable(table, s).has(terminal), `${terminal} is reachable from ${s}`);
    assert.ok(!table[s].includes(s), `${s} does not move to itself`);
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function configWithNothingListening(port: number): AppConfig {
  return parseConfig(`
node: { id: eu-1 }
soar: { host: 127.0.0.1, port: ${port}, org: Example Org, api_key_id: key-id, api_key_secret: key-secret, retries: 0 }
stomp: { host: 127.0.0.1, port: ${port}, reconnect_initial_s: 0.05, reconnect_max_s: 0.1, connect_timeout_s: 1 }
destinations: [fn_lifecycle]
`, { source: '/nonexistent/app.config.yaml', env: {} });
}

const transitionsLogged = (lines: [string, string, unknown][]): string[] =>
  lines.filter(([, m]) => / -> /.test(m)).map(([, m]) => m.replace(/:.*$/, ''));

describe('Lifecycle', () => {
  const table: Transitions<'a' | 'b' | 'c'> = { a: ['b'], b: ['c'], c: [] };

  test('logs one line per transition: from, to, why', () => {
    const { logger, lines } = collectingLogger();
    const life = new Lifecycle('thing', 'a', table, logger);
    life.transition('b', 'asked to', { extra: 1 });
    assert.equal(life.state, 'b');
    assert.ok(life.is('a', 'b'));
    assert.ok(!life.is('c'));
    assert.deepEqual(lines, [['info', 'thing a -> b: asked to', { extra: 1, state: 'b' }]]);
  });

  test('a transition the table does not allow throws IllegalStateError and changes nothing', () => {
    const { logger, lines } = collectingLogger();
    const life = new Lifecycle('thing', 'a', table, logger);
    assert.throws(() => life.transition('c', 'skipping b'), (err: unknown) =>
      err instanceof IllegalStateError && err.code === ErrorCode.IllegalState && err.message === "thing cannot go from 'a' to 'c'");
    assert.equal(life.state, 'a');
    assert.equal(lines.length, 0);
  });
});

describe('transition tables', () => {
  test('node: every state reachable, every state can end stopped, a stopped node can start again', () => {
    assertWellFormed(NODE_TRANSITIONS, NodeState.Created, NodeState.Stopped);
    assert.deepEqual(NODE_TRANSITIONS[NodeState.Stopped], [NodeState.Starting]);
    assert.ok(!NODE_TRANSITIONS[NodeState.Running].includes(NodeState.Starting), 'start twice is illegal');
    assert.deepEqual(NODE_TRANSITIONS[NodeState.Failed], [NodeState.Stopping], 'a failed start is released by stop()');
  });

  test('worker: every state reachable, every state can end stopped, stopped is final', () => {
    assertWellFormed(WORKER_TRANSITIONS, WorkerState.Created, WorkerState.Stopped);
    assert.deepEqual(WORKER_TRANSITIONS[WorkerState.Stopped], []);
    for (const s of [WorkerState.Connecting, WorkerState.Running, WorkerState.Reconnecting]) {
      assert.ok(WORKER_TRANSITIONS[s].includes(WorkerState.Draining), `stop() while ${s} drains`);
    }
    assert.deepEqual(WORKER_TRANSITIONS[WorkerState.Draining], [WorkerState.Stopping]);
  });
});

describe('ClearingNode start/stop', () => {
  test('stop before start marks it stopped; stop again does nothing', async () => {
    const { logger, lines } = collectingLogger();
    const node = new ClearingNode(configWithNothingListening(await closedPort()), [], logger);
    await node.stop();
    await node.stop();
    assert.equal(node.state, NodeState.Stopped);
    assert.deepEqual(transitionsLogged(lines), ["node 'eu-1' created -> stopped"]);
  });

  test('stop while starting (SOAR unreachable) ends the start; start twice throws', async () => {
    const { logger, lines } = collectingLogger();
    const node = new ClearingNode(configWithNothingListening(await closedPort()), [], logger);
    const started = node.start();
    assert.equal(node.state, NodeState.Starting);
    await assert.rejects(node.start(), IllegalStateError);
    while (!lines.some(([, m]) => /SOAR not reachable/.test(m))) await new Promise((r) => setTimeout(r, 10));
    const stopping = node.stop('test over');
    assert.equal(node.stop('test over'), stopping, 'a second stop() returns the stop under way');
    await stopping;
    await started;
    assert.equal(node.state, NodeState.Stopped);
    assert.deepEqual(transitionsLogged(lines), [
      "node 'eu-1' created -> starting", "node 'eu-1' starting -> stopping", "node 'eu-1' stopping -> stopped",
    ]);
  });
});

describe('BrandWorker start/stop', () => {
  function worker(config: AppConfig, log: ReturnType<typeof collectingLogger>['logger']): BrandWorker {
    const brand = config.brands[0]!;
    // Never called: the worker reads SOAR only once subscribed, and no broker listens here.
    const soar = {} as SoarClient;
    return new BrandWorker({ brand, worker: config.worker, registry: new FunctionRegistry([]), soar, log, nodeId: 'eu-1', network: new ClearingNetwork(config, log) });
  }

  test('stop before start marks it stopped; start afterwards throws; stop again does nothing', async () => {
    const { logger, lines } = collectingLogger();
    const w = worker(configWithNothingListening(await closedPort()), logger);
    await w.stop();
    assert.equal(w.state, WorkerState.Stopped);
    assert.throws(() => w.start(), IllegalStateError);
    await w.stop();
    assert.deepEqual(transitionsLogged(lines), ["worker 'default' created -> stopped"]);
  });

  test('start twice waits for the same first subscription; stop while connecting drains and disconnects', async () => {
    const { logger, lines } = collectingLogger();
    const w = worker(configWithNothingListening(await closedPort()), logger);
    const first = w.start();
    assert.equal(w.start(), first);
    assert.equal(w.state, WorkerState.Connecting);
    // StompConnection.stop() in the very turn of start() never settles (the client is still
    // activating); a real stop comes later, here once the first attempt has failed.
    while (!lines.some(([, m]) => /STOMP connect failed/.test(m))) await new Promise((r) => setTimeout(r, 10));
    await Promise.all([w.stop(), w.stop()]);
    assert.equal(w.state, WorkerState.Stopped);
    assert.deepEqual(transitionsLogged(lines), [
      "worker 'default' created -> connecting", "worker 'default' connecting -> draining",
      "worker 'default' draining -> stopping", "worker 'default' stopping -> stopped",
    ]);
  });
});
