/**
 * Benchmark 7: the triage sweep on the two-region network, per number of rows/copies N.
 *   origin side   N EU incidents each with a Pending soar3 row: a sweep with nothing due
 *                 (reads every watched incident's rows) and a sweep 25 h later (marks all N
 *                 Not Acknowledged);
 *   receiving     N copies in US: a sweep with nothing to report (reads each copy's tasks), and
 *                 one after every acknowledgement task was closed (N reports to EU over mutual TLS,
 *                 each updating the EU row);
 * each as wall time, per row, and SOAR requests per row; the baseline is the bare REST reads the
 * sweep cannot avoid (one query page per 100 incidents plus one table/task read per incident).
 */
import { performance } from 'node:perf_hooks';
import { TABLE } from '../src/clearing/distribution-table.js';
import { TriageSweep } from '../src/triage/sweep.js';
import { ACKNOWLEDGE_RECEIVED_INCIDENT_TASK as ACK_TASK } from '../customize/tasks.js';
import { INCIDENT_FIELD } from '../customize/fields.js';
import { NetworkWorld, type Region } from '../test/support/network-world.js';
import { type BenchResult, f, log, table, x } from './lib.js';

const HOUR = 3_600_000;

interface Row { n: number; side: string; what: string; ms: number; perRowMs: number; requestsPerRow: number; baselineMs: number }

async function timed<T>(region: Region, run: () => Promise<T>): Promise<{ ms: number; requests: number; value: T }> {
  const r0 = region.emulator.requests.length;
  const t0 = performance.now();
  const value = await run();
  return { ms: performance.now() - t0, requests: region.emulator.requests.length - r0, value };
}

/** The reads the origin sweep cannot avoid, made directly: the query pages and one table read per incident. */
async function baselineOrigin(eu: Region, ids: readonly number[]): Promise<number> {
  const t0 = performance.now();
  for (let start = 0; start <= ids.length; start += 100) {
    await eu.soar.queryIncidentsPaged({ filters: [{ conditions: [{ field_name: `properties.${INCIDENT_FIELD.ackOpen.name}`, method: 'equals', value: true }] }], start, length: 100 });
  }
  for (const id of ids) await eu.soar.getTableData(id, TABLE);
  return performance.now() - t0;
}

async function baselineReceiving(us: Region, ids: readonly number[]): Promise<number> {
  const t0 = performance.now();
  for (let start = 0; start <= ids.length; start += 100) {
    await us.soar.queryIncidentsPaged({ filters: [{ conditions: [{ field_name: `properties.${INCIDENT_FIELD.originBrand.name}`, method: 'has_a_value' }] }], start, length: 100 });
  }
  for (const id of ids) await us.soar.listIncidentTasks(id);
  return performance.now() - t0;
}

async function oneSize(n: number): Promise<Row[]> {
  // A fresh network per size, so that earlier rows never count.
  const w = await NetworkWorld.start({ extraYaml: 'triage:\n  sweep_interval_s: 0' });
  try {
    const eu = w.region('eu');
    const us = w.region('us');
    log(`triage: ${n} EU incidents with a Pending row, ${n} US copies`);
    const origin: number[] = [];
    const copies: number[] = [];
    const sentAt = Date.now();
    for (let i = 0; i < n; i++) origin.push((await eu.soar.createIncident({ name: `Bench triage ${i}`, discovered_date: sentAt })).id);
    await w.settle(300_000); // the coordination rule adds each soar3 row
    for (const id of origin) {
      const copy = await us.soar.createIncident({ name: `Copy ${id}`, discovered_date: sentAt, properties: { [INCIDENT_FIELD.originBrand.name]: 'soar2', [INCIDENT_FIELD.originIncidentId.name]: String(id) } });
      await us.soar.createTask(copy.id, { name: ACK_TASK.name, required: true });
      copies.push(copy.id);
      const row = (await eu.soar.getTableData(id, TABLE)).rows[0]!;
      await eu.soar.updateTableRow(id, TABLE, row.id, { status: 'Pending', remote_incident_id: String(copy.id), last_update: sentAt });
      await eu.soar.updateIncident(id, (inc) => ({ ...inc, properties: { ...inc.properties, [INCIDENT_FIELD.ackOpen.name]: true } }));
    }
    await w.settle(300_000);

    let clock = sentAt + HOUR;
    const euSweep = new TriageSweep(eu.node.network, { now: () => clock });
    const usSweep = new TriageSweep(us.node.network);
    const rows: Row[] = [];
    const add = (side: string, what: string, t: { ms: number; requests: number }, baselineMs: number): void => {
      rows.push({ n, side, what, ms: t.ms, perRowMs: t.ms / n, requestsPerRow: t.requests / n, baselineMs });
    };

    const originBase = await baselineOrigin(eu, origin);
    add('origin', 'nothing due', await timed(eu, () => euSweep.runOnce()), originBase);
    clock = sentAt + 25 * HOUR;
    const overdue = await timed(eu, () => euSweep.runOnce());
    if (overdue.value.notAcknowledged !== n) throw new Error(`expected ${n} Not Acknowledged, got ${JSON.stringify(overdue.value)}`);
    add('origin', 'all overdue', overdue, originBase);

    const receivingBase = await baselineReceiving(us, copies);
    add('receiving', 'nothing to report', await timed(us, () => usSweep.runOnce()), receivingBase);
    for (const id of copies) {
      const task = (await us.soar.listIncidentTasks(id))[0]!;
      await us.soar.closeTask(task.id);
    }
    const acks = await timed(us, () => usSweep.runOnce());
    if (acks.value.reported !== n) throw new Error(`expected ${n} reports, got ${JSON.stringify(acks.value)}`);
    add('receiving', 'all acknowledged', acks, receivingBase);
    return rows;
  } finally {
    await w.stop();
  }
}

export async function triageBench(sizes: readonly number[] = [10, 100, 500]): Promise<BenchResult> {
  const t0 = performance.now();
  const rows: Row[] = [];
  for (const n of sizes) rows.push(...(await oneSize(n)));
  const lines = [
    'Triage sweep: wall time per run and per row, SOAR requests per row (the sweeping side\'s SOAR), vs the bare reads it needs',
    ...table(
      ['N', 'side', 'sweep', 'ms', 'ms/row', 'req/row', 'bare reads ms', 'ratio'],
      rows.map((r) => [String(r.n), r.side, r.what, f(r.ms), f(r.perRowMs, 2), f(r.requestsPerRow, 1), f(r.baselineMs), x(r.ms / r.baselineMs)]),
    ),
  ];
  return { name: 'triage', lines, figures: rows, seconds: (performance.now() - t0) / 1000 };
}
