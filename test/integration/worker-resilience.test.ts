/**
 * What must survive: a worker process killed mid-invocation, a graceful stop, a broker restart,
 * and what must be refused: a broker whose certificate is not from the configured CA.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { functions } from '../../functions/index.js';
import { StompConnection } from '../../src/worker/connection.js';
import { Broker } from '../support/broker.js';
import { memoryLogger, uniqueDestination, WorkerProcess, World } from '../support/world.js';

describe('worker resilience', () => {
  let world: World;
  before(async () => {
    world = await World.start();
  });
  after(async () => {
    await world?.stop();
  });

  test('SIGKILL mid-invocation: the message is redelivered and the restarted worker answers it exactly once', async () => {
    const destination = uniqueDestination();
    const configPath = world.configFile({ destination });
    const invoker = await world.invoker(destination);
    const first = new WorkerProcess(configPath);
    await first.ready;
    const id = await invoker.invoke('clearing_ping', { clearing_ping_message: 'survive', clearing_ping_delay_ms: 3000 });
    // The status message proves the handler is running when the process dies.
    await invoker.waitUntil(() => invoker.repliesFor(id).length === 1, 10_000, 'the status message');
    first.signal('SIGKILL');
    assert.equal(await first.exited, null);
    assert.equal(invoker.finalsFor(id).length, 0);

    const second = new WorkerProcess(configPath);
    try {
      await second.ready;
      const final = await invoker.final(id, 15_000);
      assert.equal(final.json?.message, 'Completed');
      assert.equal((final.json?.results as { content: { message: string } } | undefined)?.content.message, 'survive');
      await new Promise((r) => setTimeout(r, 1500)); // time for a duplicate to show up, if there were one
      assert.equal(invoker.finalsFor(id).length, 1);
    } finally {
      second.signal('SIGTERM');
      assert.equal(await second.exited, 0);
      await invoker.close();
    }
  });

  test('SIGTERM lets the in-flight invocation finish and answer, then exits 0', async () => {
    const destination = uniqueDestination();
    const invoker = await world.invoker(destination);
    const proc = new WorkerProcess(world.configFile({ destination, shutdownGraceS: 10 }));
    await proc.ready;
    const id = await invoker.invoke('clearing_ping', { clearing_ping_delay_ms: 1500 });
    await invoker.waitUntil(() => invoker.repliesFor(id).length === 1, 10_000, 'the status message');
    proc.signal('SIGTERM');
    assert.equal(await proc.exited, 0);
    assert.equal(invoker.finalsFor(id).length, 1);
    assert.ok(proc.output.some((l) => /SIGTERM received/.test(l)));
    assert.ok(proc.output.some((l) => /draining/.test(l)));
    // The emulator's SOAR defines no clearing functions yet: the start-up check says so.
    assert.ok(proc.output.some((l) => /WARN .*function 'clearing_ping' is not defined in SOAR; run 'soar-clearing customize'/.test(l)), proc.output.join('\n'));
    await invoker.close();
  });

  test('a broker restart mid-invocation is survived: one final reply, then serving goes on', async () => {
    const broker = await Broker.start({ name: 'restart-test' });
    const destination = uniqueDestination();
    const logged = memoryLogger();
    const worker = await world.worker(world.config({ destination, stompPort: broker.stompPort }), functions, logged.log);
    try {
      await worker.start();
      let invoker = await world.invoker(destination, broker.stompPort);
      const id = await invoker.invoke('clearing_ping', { clearing_ping_delay_ms: 1500 });
      await invoker.waitUntil(() => invoker.repliesFor(id).length === 1, 10_000, 'the status message');
      const restartedAt = Date.now();
      await broker.restart();
      await invoker.close().catch(() => undefined);
      invoker = await world.invoker(destination, broker.stompPort);
      const final = await invoker.final(id, 20_000);
      assert.equal(final.json?.message, 'Completed');
      const afterRestart = await invoker.invoke('clearing_ping', { clearing_ping_message: 'after' });
      assert.equal((await invoker.final(afterRestart, 20_000)).json?.message, 'Completed');
      const recoveredInMs = Date.now() - restartedAt;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(invoker.finalsFor(id).length, 1, 'exactly one final reply after the restart');
      assert.ok(logged.lines.some((l) => /STOMP connection lost/.test(l)));
      assert.ok(logged.lines.filter((l) => /subscribed to /.test(l)).length === 2, 'subscribed once per connection');
      assert.ok(recoveredInMs < 30_000, `recovered in ${recoveredInMs} ms`);
      await invoker.close();
    } finally {
      await worker.stop();
      await broker.stop();
    }
  });

  test('a broker that stops heart-beating is detected as dead and the worker recovers when it is back', async () => {
    const broker = await Broker.start({ name: 'heartbeat-test' });
    const destination = uniqueDestination();
    const logged = memoryLogger();
    const worker = await world.worker(world.config({ destination, stompPort: broker.stompPort, heartbeatS: 1 }), functions, logged.log);
    try {
      await worker.start();
      // Frozen, not dead: the TCP link stays up, only the heart-beats stop.
      process.kill(broker.pid, 'SIGSTOP');
      const frozenAt = Date.now();
      while (!logged.lines.some((l) => /no heart-beat from the broker/.test(l)) && Date.now() - frozenAt < 10_000) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const detectedInMs = Date.now() - frozenAt;
      process.kill(broker.pid, 'SIGCONT');
      assert.ok(detectedInMs < 5000, `heart-beat loss detected after ${detectedInMs} ms:\n${logged.lines.join('\n')}`);
      const invoker = await world.invoker(destination, broker.stompPort);
      const id = await invoker.invoke('clearing_ping', {});
      assert.equal((await invoker.final(id, 20_000)).json?.message, 'Completed');
      assert.equal(logged.lines.filter((l) => /subscribed to /.test(l)).length, 2);
      await invoker.close();
    } finally {
      await worker.stop();
      await broker.stop();
    }
  });

  test('STOMP over TLS works with the configured CA and is refused for an unknown CA', async () => {
    const destination = uniqueDestination();
    const config = world.config({ destination, stompTls: true });
    const worker = await world.worker(config, functions, memoryLogger().log);
    try {
      await worker.start();
      const invoker = await world.invoker(destination);
      const id = await invoker.invoke('clearing_ping', {});
      assert.equal((await invoker.final(id)).json?.message, 'Completed');
      await invoker.close();
    } finally {
      await worker.stop();
    }

    const rogue = world.config({ destination, stompTls: true, stompCafile: world.broker.pki.rogueCaCert });
    const logged = memoryLogger();
    let connected = false;
    const connection = new StompConnection(rogue.brands[0]!.stomp, logged.log, {
      onConnected: () => (connected = true),
      onDisconnected: () => undefined,
    });
    connection.start();
    await new Promise((r) => setTimeout(r, 1500));
    await connection.stop();
    assert.equal(connected, false);
    assert.ok(
      logged.lines.some((l) => /connect failed: .*(self-signed|unable to verify|certificate)/i.test(l)),
      logged.lines.join('\n'),
    );
  });
});
