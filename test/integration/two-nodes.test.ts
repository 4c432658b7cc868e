/**
 * Two nodes per region (issue 15, item 6): region us runs as two real `soar-clearing run`
 * processes with the same config file (only the listen port comes from the environment, as two
 * hosts would each have their own address), behind one peer address: a TCP round robin on
 * loopback. Region eu is an in-process node. Against the emulated SOARs and the real broker:
 *  - 40 concurrent deliveries of one incident, spread over both processes: one copy, every
 *    delivery answers its id, its notes and the acknowledgement task once; a claim left on the
 *    copy by a dead delivery is waited out, then taken over; a duplicate SOAR refuses to delete
 *    is unmarked instead;
 *  - both processes sweeping: every row transition made once (counted in the emulator's recorded
 *    row writes), though the two sweeps raced (their 409s are counted too);
 *  - a configuration push (its calls on one connection) whose connection is cut mid-way: the
 *    next call reaches the other process, which never saw the begin; the push begins again;
 *  - one process SIGKILLed while deliveries and function invocations are under way on it (checked:
 *    the kill is repeated until it cut both): the other serves on; the broker redelivers the
 *    invocations the dead one held and the survivor answers them, each exactly once; deliveries it
 *    cut are repeated, to the one copy, each note once.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { customization } from '../../customize/build.js';
import { ACKNOWLEDGE_RECEIVED_INCIDENT_TASK } from '../../customize/tasks.js';
import { freePorts } from '../../sim/testbed/broker.js';
import { SoarInvoker } from '../../sim/emulator/invoker.js';
import { pushConfiguration } from '../../src/clearing/config-push.js';
import { PeerClient } from '../../src/clearing/peer-client.js';
import { type DistributeAnswer, type DistributeBody, distributePath } from '../../src/clearing/contracts/distribute.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { figures, sleep } from '../support/faults.js';
import { collectingLogger } from '../support/loggers.js';
import { NetworkWorld, type Region } from '../support/network-world.js';
import { RoundRobinProxy } from '../support/round-robin.js';
import { uniqueDestination, WorkerProcess } from '../support/world.js';

const TABLE = 'clearing_distribution';
const HOUR = 3_600_000;

describe('two nodes per region behind one peer address', () => {
  let world: NetworkWorld;
  let us: Region;
  let proxy: RoundRobinProxy;
  let asEu: PeerClient;
  const procs: WorkerProcess[] = [];
  let backends: number[];
  /** The one config file of both processes of region us. */
  let twoConfigPath: string;

  before(async () => {
    world = await NetworkWorld.start({ start: false, extraYaml: 'triage:\n  sweep_interval_s: 1\n  ack_timeout_hours: 1' });
    us = world.region('us');
    await world.startNode('eu');
    // One config file for both processes: the listen port is the only thing a host changes.
    const config = readFileSync(us.configPath, 'utf8').replace(/(listen: \{ host: 127\.0\.0\.1, port: )\d+ \}/, '$1"${SC_TEST_NODE_PORT}" }');
    assert.match(config, /SC_TEST_NODE_PORT/);
    twoConfigPath = us.configPath.replace(/\.yaml$/, '.two.yaml');
    writeFileSync(twoConfigPath, config);
    backends = await freePorts(2);
    for (const port of backends) procs.push(new WorkerProcess(twoConfigPath, { env: { SC_TEST_NODE_PORT: String(port) } }));
    await Promise.all(procs.map((p) => p.waitForOutput(/peer API listening/)));
    await Promise.all(procs.map((p) => p.ready));
    proxy = await RoundRobinProxy.start(us.peerPort, backends);
    const euRegion = world.region('eu');
    asEu = new PeerClient({
      self: { id: 'eu', tls: euRegion.config.node.tls! },
      peer: { id: 'us', url: `https://127.0.0.1:${us.peerPort}`, brands: ['soar3'] },
      timeoutMs: 60_000,
      log: collectingLogger().logger,
    });
  });

  after(async () => {
    asEu?.close();
    for (const p of procs) p.signal('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await proxy?.close();
    await world?.stop();
  });

  const body = (originId: number, notes: readonly string[]): DistributeBody => ({
    origin: { node: 'eu', brand: 'soar2', incident_id: originId },
    incident: { name: `Two-node delivery ${originId}`, discovered_date: Date.now() },
    notes: notes.map((n) => ({ text: `<p>${n}</p>` })),
    artifacts: [{ type: 'DNS Name', value: 'evil.example.com' }],
    attachments: [],
    tasks: [],
    dropped: { incident_fields: 0, properties: 0, notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncated_values: 0 },
  });
  const deliver = (b: DistributeBody): Promise<DistributeAnswer> => asEu.request<DistributeAnswer>('POST', distributePath('soar3'), b);

  /** What the copy holds: its notes' texts, artifact values and task names, each with its count. */
  async function contents(id: number): Promise<{ notes: Map<string, number>; artifacts: Map<string, number>; tasks: Map<string, number> }> {
    const count = (xs: string[]): Map<string, number> => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : v && typeof v === 'object' && !Array.isArray(v) ? String(v['content']) : '');
    return {
      notes: count((await us.soar.listNotes(id)).map((n) => text(n.text as JsonValue).replace(/<[^>]*>/g, '').slice(0, 40))),
      artifacts: count((await us.soar.listArtifacts(id)).map((a) => String(a.value))),
      tasks: count((await us.soar.listIncidentTasks(id)).map((t) => t.name)),
    };
  }

  test('40 concurrent deliveries of one incident over both processes: one copy, every answer names it', { timeout: 120_000 }, async (t) => {
    const originId = 915_001;
    // Creates held, so that deliveries on both processes find no copy and create one each.
    us.emulator.faults.delayNext(6, 2500, { method: 'POST', path: /\/incidents$/ });
    us.emulator.clearRequests();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => deliver(body(originId, ['seen on the EU portal', `delivery #${i}`]))));
    const ids = new Set(answers.map((a) => a.remote_incident_id));
    const creates = us.emulator.requestsTo('POST', /\/incidents$/).filter((r) => r.status === 200).length;
    const deletes = us.emulator.requestsTo('DELETE', /\/incidents\/\d+$/).length;
    const copies = await world.copiesOf('us', 'soar2', originId);
    const spread = Object.fromEntries([...proxy.connections].map(([port, n]) => [backends.indexOf(port) === 0 ? 'a' : 'b', n]));
    t.diagnostic(figures('two-nodes-deliveries', { deliveries: 40, creates, duplicates_deleted: deletes, copies: copies.length, connections: spread }));
    assert.ok(backends.every((p) => (proxy.connections.get(p) ?? 0) > 0), `both processes took deliveries: ${JSON.stringify(spread)}`);
    assert.ok(creates >= 2, `deliveries on both processes created a copy (${creates}), so the convergence was exercised`);
    assert.deepEqual(copies.map((c) => c.id), [...ids], 'one copy, and every delivery answered its id');
    assert.equal(answers.filter((a) => a.created).length, 1);
    const held = await contents([...ids][0]!);
    assert.equal(held.tasks.get(ACKNOWLEDGE_RECEIVED_INCIDENT_TASK.name), 1, 'one acknowledgement task');
    assert.equal(held.artifacts.get('evil.example.com'), 1);
    assert.equal(held.notes.get('seen on the EU portal'), 1);
    for (let i = 0; i < 40; i++) assert.equal(held.notes.get(`delivery #${i}`), 1, `note of delivery #${i} once`);
    assert.equal([...held.notes.keys()].filter((k) => k.startsWith('Received from brand soar2')).length, 1, 'one origin note');
    assert.equal([...held.notes.values()].filter((n) => n > 1).length, 0, JSON.stringify([...held.notes]));
    const claim = (await us.soar.getIncident([...ids][0]!)).properties['clearing_delivery_claim'] ?? null;
    assert.equal(claim, null, 'no claim left on the copy');
  });

  test('a claim left on a copy by a delivery that died is waited for until it runs out, then taken over', { timeout: 60_000 }, async (t) => {
    const originId = 915_001;
    const [copy] = await world.copiesOf('us', 'soar2', originId);
    assert.ok(copy);
    const until = Date.now() + 2000;
    await us.soar.updateIncident(copy.id, (inc) => ({ ...inc, properties: { ...inc.properties, clearing_delivery_claim: `us/999999/deadbeef ${until}` } }));
    const started = Date.now();
    const answer = await deliver(body(originId, ['after a dead claim']));
    const waited = Date.now() - started;
    t.diagnostic(figures('two-nodes-dead-claim', { claim_left_ms: until - started, delivery_ms: waited }));
    assert.equal(answer.remote_incident_id, copy.id);
    assert.ok(Date.now() >= until && waited < 8000, `waited ${waited} ms for a claim with ${until - started} ms left`);
    assert.equal((await contents(copy.id)).notes.get('after a dead claim'), 1);
    assert.equal((await us.soar.getIncident(copy.id)).properties['clearing_delivery_claim'] ?? null, null);
  });

  test('a duplicate SOAR refuses to delete (the key lacks delete_all_incidents) is unmarked instead', { timeout: 60_000 }, async (t) => {
    const originId = 915_003;
    us.emulator.faults.delayNext(4, 2500, { method: 'POST', path: /\/incidents$/ });
    us.emulator.faults.failNext(4, 403, { method: 'DELETE', path: /\/incidents\/\d+$/ });
    us.emulator.clearRequests();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(body(originId, [`refused delete #${i}`]))));
    us.emulator.faults.clear();
    const creates = us.emulator.requestsTo('POST', /\/incidents$/).filter((r) => r.status === 200).length;
    const copies = await world.copiesOf('us', 'soar2', originId);
    const named = await us.soar.queryIncidentsPaged({ filters: [{ conditions: [{ field_name: 'name', method: 'equals', value: `Two-node delivery ${originId}` }] }], start: 0, length: 10 });
    t.diagnostic(figures('two-nodes-refused-delete', { creates, copies: copies.length, incidents_named: named.data.length }));
    assert.ok(creates >= 2, `both processes created a copy (${creates})`);
    assert.deepEqual(copies.map((c) => c.id), [...new Set(answers.map((a) => a.remote_incident_id))], 'one copy, named by every delivery');
    const others = named.data.filter((i) => i.id !== copies[0]!.id);
    assert.equal(others.length, creates - 1, 'the duplicates are still there (not deleted)');
    for (const other of others) assert.equal(other.properties?.['clearing_origin_brand'] ?? null, null, `duplicate ${other.id} unmarked`);
  });

  test('both processes sweeping: each row transition is made once', { timeout: 120_000 }, async (t) => {
    const overdue: { incident: number; row: number }[] = [];
    const undelivered: { incident: number; row: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const incident = await us.soar.createIncident({ name: `Two-node sweep ${i} ${Date.now()}`, discovered_date: Date.now() });
      await world.settle();
      let row = (await us.soar.getTableData(incident.id, TABLE)).rows.find((r) => r.cells['brand']?.value === 'soar2');
      row ??= await us.soar.addTableRow(incident.id, TABLE, { brand: 'soar2' });
      const late = i % 2 === 0;
      await us.soar.updateTableRow(incident.id, TABLE, row.id, late
        ? { status: 'Pending', last_update: Date.now() - 2 * HOUR, remote_incident_id: String(990_000 + i), message: 'delivered (test)' }
        : { status: 'Undelivered', last_update: Date.now() - 60_000, message: 'undelivered to soar2 (node eu): test' });
      (late ? overdue : undelivered).push({ incident: incident.id, row: row.id });
    }
    us.emulator.clearRequests();
    // The first row writes held, so that both sweeps read the rows before either writes.
    us.emulator.faults.delayNext(4, 1500, { method: 'PUT', path: /\/row_data\/\d+$/ });
    for (const x of [...overdue, ...undelivered]) {
      await us.soar.updateIncident(x.incident, (inc) => ({ ...inc, properties: { ...inc.properties, clearing_ack_open: true } }));
    }
    const status = async (x: { incident: number; row: number }): Promise<JsonValue> =>
      (await us.soar.getTableData(x.incident, TABLE)).rows.find((r) => r.id === x.row)?.cells['status']?.value ?? null;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now = await Promise.all([...overdue.map(status), ...undelivered.map(status)]);
      if (now.slice(0, overdue.length).every((s) => s === 'Not Acknowledged') && now.slice(overdue.length).every((s) => s === 'Pending')) break;
      assert.ok(Date.now() < deadline, `rows still ${JSON.stringify(now)}`);
      await sleep(250);
    }
    await sleep(3000); // more sweeps of both processes pass over the rows
    const puts = us.emulator.requestsTo('PUT', /\/row_data\/\d+$/);
    const written = (x: { row: number }, message: RegExp): number =>
      puts.filter((r) => r.status === 200 && r.path.endsWith(`/row_data/${x.row}`) && message.test(String(((r.body as JsonObject)['cells'] as Record<string, { value: JsonValue }>)['message']?.value ?? ''))).length;
    const conflicts = puts.filter((r) => r.status === 409).length;
    const perRow = {
      not_acknowledged: overdue.map((x) => written(x, /^not acknowledged by soar2/)),
      retry_claims: undelivered.map((x) => written(x, /^sending again/)),
      delivered: undelivered.map((x) => written(x, /^delivered to soar2/)),
    };
    const euCopies = await Promise.all(undelivered.map(async (x) => (await world.copiesOf('eu', 'soar3', x.incident)).length));
    t.diagnostic(figures('two-nodes-sweep', { rows: overdue.length + undelivered.length, row_puts: puts.length, row_409s: conflicts, ...perRow, eu_copies: euCopies }));
    assert.ok(conflicts > 0, 'the two sweeps raced on the rows (else this test proves nothing)');
    assert.deepEqual(perRow.not_acknowledged, overdue.map(() => 1), 'Pending -> Not Acknowledged once per row');
    assert.deepEqual(perRow.retry_claims, undelivered.map(() => 1), 'an Undelivered row is claimed for sending again once');
    assert.deepEqual(perRow.delivered, undelivered.map(() => 1), 'and delivered once');
    assert.deepEqual(euCopies, undelivered.map(() => 1), 'one copy each in EU');
  });

  test('a configuration push whose connection is cut mid-way reaches the other node and is begun again there', { timeout: 120_000 }, async (t) => {
    const eu = world.region('eu');
    let cutAt = 0;
    const report = await pushConfiguration(eu.node.network, {
      reason: 'two nodes', dryRun: true, log: eu.log, chunkBytes: 4096,
      onProgress: (p) => {
        if (p.node === 'us' && p.phase === 'chunk' && p.sent === 2 && cutAt === 0) {
          cutAt = p.sent;
          proxy.cut();
        }
      },
    });
    const restarts = eu.lines.filter((l) => l.includes(report.push_id) && l.includes('beginning it again')).length;
    t.diagnostic(figures('two-nodes-config-push', { chunks: report.chunks, cut_after_chunk: cutAt, restarts, ok: report.ok }));
    assert.ok(report.chunks > 2, `enough chunks to cut in between (${report.chunks})`);
    assert.equal(report.ok, true, JSON.stringify(report.nodes));
    assert.equal(restarts, 1, 'the chunk after the cut reached the other process, which did not know the push: begun again there');
  });

  test('one process SIGKILLed under deliveries and invocations: the work it held is finished by the other', { timeout: 120_000 }, async (t) => {
    const invoker = await SoarInvoker.connect({ port: world.broker.stompPort, orgId: 202, destination: uniqueDestination('fn_two_nodes') });
    const toWorkers = { headers: { destination: `/queue/actions.202.${customization.destination}` } };
    const victimPort = backends[0]!;
    const survivor = procs[1]!;
    try {
      const originId = 915_002;
      const pings: string[] = [];
      const invoke = async (n: number, delayMs: number, label: string): Promise<string[]> => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) ids.push(await invoker.invoke('clearing_ping', { clearing_ping_message: `${label} ${i}`, clearing_ping_delay_ms: delayMs }, toWorkers));
        pings.push(...ids);
        return ids;
      };
      /** The "Running ..." status lines an invocation sent: one per process that began it. */
      const starts = (id: string): number => invoker.repliesFor(id).filter((r) => r.json?.complete === false && /^Running /.test(r.json.message)).length;
      /** The output lines in which a process logged an invocation done. */
      const logged = (p: WorkerProcess, id: string): number => {
        const re = new RegExp(`correlation_id=${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w:])`);
        return p.output.filter((l) => l.includes('invocation success') && re.test(l)).length;
      };

      // The kill must cut work the victim holds, else this test proves nothing: each attempt holds
      // invocations running on both processes (all begun, each for seconds) and deliveries in
      // flight (their notes held by SOAR, one at a time under the copy's claim), then kills. Should
      // the broker or the round robin have left the victim nothing, it is started again and the
      // kill repeated.
      let victim = procs[0]!;
      let cut: { attempt: number; deliveries: number[]; pings: string[] } | null = null;
      const delivered: { label: string; answer: DistributeAnswer }[] = [];
      const repeated: number[] = [];
      const attempts: { deliveries_cut: number; invocations_cut: number }[] = [];
      for (let attempt = 1; attempt <= 3 && !cut; attempt++) {
        if (attempt > 1) {
          victim = new WorkerProcess(twoConfigPath, { env: { SC_TEST_NODE_PORT: String(victimPort) } });
          procs[0] = victim;
          await victim.ready;
        }
        us.emulator.faults.delayNext(10, 400, { method: 'POST', path: /\/comments$/ });
        const held = await invoke(10, 2500, `attempt ${attempt} before the kill`);
        const labels = Array.from({ length: 10 }, (_, i) => `attempt ${attempt} before the kill #${i}`);
        const racing = Promise.allSettled(labels.map((l) => deliver(body(originId, [l]))));
        await invoker.waitUntil(() => held.every((id) => starts(id) > 0), 15_000, 'every invocation begun');
        victim.signal('SIGKILL');
        assert.equal(await victim.exited, null);
        const connectionsAtKill = proxy.connections.get(victimPort) ?? 0;
        const settled = await racing;
        us.emulator.faults.clear();
        const cutDeliveries = settled.flatMap((s, i) => (s.status === 'rejected' ? [i] : []));
        settled.forEach((s, i) => s.status === 'fulfilled' && delivered.push({ label: labels[i]!, answer: s.value }));
        // The deliveries the kill cut are repeated (the origin's sweep does it with Undelivered rows).
        for (const i of cutDeliveries) delivered.push({ label: labels[i]!, answer: await deliver(body(originId, [labels[i]!])) });
        repeated.push(...cutDeliveries);
        await invoker.waitUntil(() => held.every((id) => invoker.finalsFor(id).length > 0), 60_000, 'every final reply');
        // Begun on both processes: begun on the victim, then redelivered to the survivor.
        const cutPings = held.filter((id) => starts(id) > 1);
        attempts.push({ deliveries_cut: cutDeliveries.length, invocations_cut: cutPings.length });
        assert.equal(proxy.connections.get(victimPort) ?? 0, connectionsAtKill, 'nothing reached the dead process after the kill');
        if (cutDeliveries.length > 0 && cutPings.length > 0) cut = { attempt, deliveries: cutDeliveries, pings: cutPings };
      }
      t.diagnostic(figures('two-nodes-kill-attempts', { attempts: JSON.stringify(attempts) }));
      assert.ok(cut, `the kill cut deliveries and invocations in flight on the killed process (attempts: ${JSON.stringify(attempts)})`);

      // After the kill: new deliveries and invocations, served by the survivor alone.
      const connectionsAfterKill = proxy.connections.get(victimPort) ?? 0;
      const later = await invoke(10, 0, 'after the kill');
      const afterLabels = Array.from({ length: 10 }, (_, i) => `after the kill #${i}`);
      const afterKill = await Promise.all(afterLabels.map((l) => deliver(body(originId, [l])).catch((err: Error) => {
        throw new Error(`${l}: ${err.message}; survivor:\n${survivor.output.slice(-30).join('\n')}`);
      })));
      afterKill.forEach((answer, i) => delivered.push({ label: afterLabels[i]!, answer }));
      await invoker.waitUntil(() => pings.every((id) => invoker.finalsFor(id).length > 0), 60_000, 'every final reply');

      const copies = await world.copiesOf('us', 'soar2', originId);
      const ids = new Set(delivered.map((d) => d.answer.remote_incident_id));
      const onCopy = await contents([...ids][0]!);
      const finals = pings.map((id) => invoker.finalsFor(id));
      t.diagnostic(figures('two-nodes-kill', {
        attempt: cut.attempt, deliveries_cut_by_kill: cut.deliveries.length, invocations_cut_by_kill: cut.pings.length,
        invocations: pings.length, copies: copies.length, survivor_pid: survivor.pid,
      }));
      assert.deepEqual(finals.map((f) => f.length), pings.map(() => 1), 'every invocation answered exactly once');
      assert.deepEqual(finals.map((f) => f[0]?.json?.message), pings.map(() => 'Completed'));
      // What the victim held when killed was finished by the survivor, never by the victim.
      for (const id of cut.pings) {
        assert.equal(logged(survivor, id), 1, `${id}, cut on the killed process, completed by the survivor`);
        assert.equal(logged(victim, id), 0, `${id} never completed by the killed process`);
      }
      for (const id of later) assert.equal(logged(survivor, id), 1, `${id}, sent after the kill, served by the survivor`);
      assert.equal(proxy.connections.get(victimPort) ?? 0, connectionsAfterKill, 'deliveries after the kill all went to the survivor');
      assert.deepEqual(copies.map((c) => c.id), [...ids], 'one copy, named by every delivery');
      for (const d of delivered) assert.equal(onCopy.notes.get(d.label), 1, `note of "${d.label}" once`);
    } finally {
      us.emulator.faults.clear();
      await invoker.close();
    }
  });
});
