/**
 * Benchmarks 4 and 5 on the two-region network (NetworkWorld: an emulated SOAR per region and a
 * ClearingNode each, peers over mutual TLS, the shared broker):
 *   4. distribution: clearing_distribute_incident invoked through the broker in EU for soar3,
 *      until the copy exists in US, vs the same SOAR REST calls made directly;
 *   5. shared view: 1,000 EU incidents shared with soar3, listed and read from US, vs a direct
 *      query_paged / read on EU's SOAR.
 */
import { performance } from 'node:perf_hooks';
import { INCIDENT_FIELD } from '../customize/fields.js';
import { readIncidentBundle } from '../src/clearing/bundle.js';
import { sharedWithMarker } from '../src/clearing/shared-view.js';
import { sharedIncident, sharedWithMyBrand } from '../src/clearing/shared-client.js';
import { SoarInvoker } from '../sim/emulator/invoker.js';
import type { QueryPagedRequest } from '../src/soar/dto.js';
import type { JsonObject } from '../src/core/types.js';
import { NetworkWorld, type Region } from '../test/support/network-world.js';
import { type BenchResult, f, log, stats, type Stats, table, x } from './lib.js';

const TABLE = 'clearing_distribution';

let worldP: Promise<NetworkWorld> | null = null;
/** One two-region world for benchmarks 4 and 5, started on first use. */
function world(): Promise<NetworkWorld> {
  worldP ??= NetworkWorld.start();
  return worldP;
}
export async function stopWorld(): Promise<void> {
  const w = worldP;
  worldP = null;
  if (w) await (await w).stop();
}

/** An invoker on the brand's fn_clearing queue whose replies come to a queue of its own (the emulator's workflows consume acks.<org>.fn_clearing). */
async function invokerFor(w: NetworkWorld, region: Region): Promise<SoarInvoker> {
  const orgId = region.soar.orgId;
  const invoker = await SoarInvoker.connect({ port: w.broker.stompPort, orgId, destination: `bench_replies_${process.pid}` });
  Object.defineProperty(invoker, 'actionQueue', { get: () => `actions.${orgId}.fn_clearing` });
  return invoker;
}

async function euIncident(eu: Region, i: number): Promise<number> {
  const inc = await eu.soar.createIncident({
    name: `Bench distribution ${i}`,
    discovered_date: Date.now() - 3_600_000,
    description: { format: 'html', content: `<p>Benchmark incident ${i}: credential phishing against the EU finance team.</p>` },
  });
  await eu.soar.addNote(inc.id, `<p>Sender address spoofed; ${i} recipients clicked.</p>`);
  await eu.soar.addArtifact(inc.id, { type: 'IP Address', value: `203.0.113.${i % 250}`, description: 'phishing landing page' });
  return inc.id;
}

function rowRequests(region: Region, from: number): number {
  return region.emulator.requests.length - from;
}

interface Timing { toCreatedMs: number; toDoneMs: number; euRequests: number; usRequests: number }

export async function distributionBench(runs: number): Promise<BenchResult> {
  const t0 = performance.now();
  const w = await world();
  const eu = w.region('eu');
  const us = w.region('us');
  const warm = 5;
  log(`distribution: creating ${runs + warm} EU incidents (the coordination rule adds their soar3 rows)`);
  const ids: number[] = [];
  for (let i = 0; i < runs + warm; i++) ids.push(await euIncident(eu, i));
  await w.settle(120_000);
  const invoker = await invokerFor(w, eu);
  const wl = eu.node.network.whitelistOf('soar2');

  const viaClearing = async (incidentId: number): Promise<Timing> => {
    const e0 = eu.emulator.requests.length;
    const u0 = us.emulator.requests.length;
    const wall = Date.now();
    const begin = performance.now();
    const id = await invoker.invoke('clearing_distribute_incident', { incident_id: incidentId, clearing_brand: 'soar3' });
    const reply = await invoker.final(id, 120_000);
    const toDoneMs = performance.now() - begin;
    invoker.forget(id);
    const content = (reply.json?.results as { content?: { distributions?: { outcome: string; remote_incident_id: number | null }[] } } | undefined)?.content;
    const d = content?.distributions?.[0];
    if (!d || d.outcome !== 'delivered' || d.remote_incident_id === null) throw new Error(`distribution of ${incidentId} failed: ${reply.raw.slice(0, 500)}`);
    const created = us.emulator.state.incidents.get(d.remote_incident_id)?.['create_date'];
    if (typeof created !== 'number') throw new Error(`no remote incident ${d.remote_incident_id}`);
    return { toCreatedMs: created - wall, toDoneMs, euRequests: rowRequests(eu, e0), usRequests: rowRequests(us, u0) };
  };

  /** The SOAR REST calls a distribution makes (sender reads, receiver's lookup and writes, the row update), made directly. */
  const direct = async (incidentId: number, n: number): Promise<Timing> => {
    const e0 = eu.emulator.requests.length;
    const u0 = us.emulator.requests.length;
    const begin = performance.now();
    const incident = await eu.soar.getIncident(incidentId);
    const rows = await eu.soar.getTableData(incidentId, TABLE);
    const row = rows.rows.find((r) => r.cells['brand']?.value === 'soar3');
    if (!row) throw new Error(`incident ${incidentId} has no soar3 row`);
    const bundle = await readIncidentBundle(eu.soar, incidentId, wl);
    await us.soar.get('/types/incident/fields');
    const origin = { [INCIDENT_FIELD.originBrand.name]: 'bench', [INCIDENT_FIELD.originIncidentId.name]: String(900_000 + n) };
    await us.soar.queryIncidentsPaged({
      filters: [{ conditions: Object.entries(origin).map(([k, v]) => ({ field_name: `properties.${k}`, method: 'equals', value: v })) }],
      sorts: [{ field_name: 'id', type: 'asc' }], start: 0, length: 10,
    });
    const copy = await us.soar.createIncident({ name: incident.name, discovered_date: incident.discovered_date, description: incident.description, properties: origin } as never);
    const toCreatedMs = performance.now() - begin;
    await us.soar.createTask(copy.id, { name: 'Acknowledge received incident', instructions: 'bench', phase_id: 1000, required: true } as never);
    for (const note of bundle.notes ?? []) await us.soar.addNote(copy.id, typeof note.text === 'string' ? note.text : JSON.stringify(note.text));
    for (const a of bundle.artifacts ?? []) await us.soar.addArtifact(copy.id, { type: 'IP Address', value: String(a.value), description: 'phishing landing page' });
    await us.soar.addNote(copy.id, '<p>Received from brand bench.</p>');
    await eu.soar.updateTableRow(incidentId, TABLE, row.id, { last_update: Date.now(), status: 'Pending', remote_incident_id: String(copy.id), message: 'bench' });
    return { toCreatedMs, toDoneMs: performance.now() - begin, euRequests: rowRequests(eu, e0), usRequests: rowRequests(us, u0) };
  };

  const clearing: Timing[] = [];
  const baseline: Timing[] = [];
  for (let i = 0; i < ids.length; i++) {
    // Side by side: each incident distributed, then the same calls made directly; the network settles (US rules on the new copy) untimed in between.
    const a = await viaClearing(ids[i]!);
    await w.settle(60_000);
    const b = await direct(ids[i]!, i);
    await w.settle(60_000);
    if (i >= warm) { clearing.push(a); baseline.push(b); }
    if ((i + 1) % 25 === 0) log(`distribution: ${i + 1}/${ids.length}`);
  }
  await invoker.close();
  const cCreated = stats(clearing.map((t) => t.toCreatedMs));
  const cDone = stats(clearing.map((t) => t.toDoneMs));
  const bCreated = stats(baseline.map((t) => t.toCreatedMs));
  const bDone = stats(baseline.map((t) => t.toDoneMs));
  const reqs = (ts: Timing[]): string => `${f(ts.reduce((s, t) => s + t.euRequests, 0) / ts.length, 1)} EU + ${f(ts.reduce((s, t) => s + t.usRequests, 0) / ts.length, 1)} US`;
  const row = (name: string, s: Stats, base: Stats): string[] => [name, f(s.p50Ms, 1), f(s.p99Ms, 1), f(s.meanMs, 1), x(s.p50Ms / base.p50Ms), x(s.p99Ms / base.p99Ms)];
  const lines = [
    `4. Distribution: clearing_distribute_incident (EU incident -> soar3) invoked through the broker, node eu -> node us over mutual TLS; ${runs} distinct incidents (1 note, 1 artifact) after ${warm} warm-up;`,
    `   direct = the same SOAR REST calls made one after another by a client (no broker, no worker, no peer hop, no whitelist)`,
    ...table(['path', 'p50 ms', 'p99 ms', 'mean ms', 'p50 ratio', 'p99 ratio'], [
      row('clearing: invoke -> remote incident created', cCreated, bCreated),
      row('direct: first call -> incident created', bCreated, bCreated),
      row('clearing: invoke -> final reply', cDone, bDone),
      row('direct: all calls done', bDone, bDone),
    ]),
    `SOAR requests per distribution: clearing ${reqs(clearing)}, direct ${reqs(baseline)}; clearing overhead at p50: ${f(cCreated.p50Ms - bCreated.p50Ms, 1)} ms to created, ${f(cDone.p50Ms - bDone.p50Ms, 1)} ms to done`,
  ];
  return { name: 'distribution', lines, figures: { runs, clearing: { toCreated: cCreated, toDone: cDone }, direct: { toCreated: bCreated, toDone: bDone } }, seconds: (performance.now() - t0) / 1000 };
}

export async function sharedViewBench(count: number, runs: number): Promise<BenchResult> {
  const t0 = performance.now();
  const w = await world();
  const eu = w.region('eu');
  const us = w.region('us');
  const orgId = eu.soar.orgId;
  // Straight into the emulator's state: no rules fire, 1,000 incidents in milliseconds.
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const inc = eu.emulator.state.createIncident(orgId, {
      name: `Bench shared ${i}`,
      discovered_date: Date.now() - 3_600_000,
      description: { format: 'html', content: `<p>Shared benchmark incident ${i}.</p>` },
      properties: { [INCIDENT_FIELD.sharedWith.name]: sharedWithMarker('soar3') } as JsonObject,
    } as JsonObject, null);
    ids.push(inc['id'] as number);
  }
  const detailId = ids[Math.floor(count / 2)]!;
  for (let n = 0; n < 5; n++) await eu.soar.addNote(detailId, `<p>Shared note ${n}: lateral movement observed on host ${n}.</p>`);
  await eu.soar.addArtifact(detailId, { type: 'IP Address', value: '198.51.100.7', description: 'C2 server' });
  await w.settle(60_000);
  const usNet = us.node.network;
  const wl = eu.node.network.whitelistOf('soar2');
  const query: QueryPagedRequest = {
    filters: [{ conditions: [{ field_name: `properties.${INCIDENT_FIELD.sharedWith.name}`, method: 'contains', value: sharedWithMarker('soar3') }] }],
    sorts: [{ field_name: 'create_date', type: 'desc' }, { field_name: 'id', type: 'desc' }],
    start: 0,
    length: 50,
  };

  const first = await sharedWithMyBrand(usNet, 'soar3', { page: 1, perPage: 50 });
  const direct0 = await eu.soar.queryIncidentsPaged(query, { handleFormat: 'names' });
  if (first.items.length !== 50 || !first.sources.every((s) => s.ok)) throw new Error(`shared list: ${first.items.length} items, sources ${JSON.stringify(first.sources)}`);

  const listC: number[] = [];
  const listD: number[] = [];
  const detC: number[] = [];
  const detD: number[] = [];
  const warm = 5;
  for (let i = 0; i < runs + warm; i++) {
    // Interleaved, so drift hits both sides alike.
    let t = performance.now();
    await sharedWithMyBrand(usNet, 'soar3', { page: 1, perPage: 50 });
    const lc = performance.now() - t;
    t = performance.now();
    await eu.soar.queryIncidentsPaged(query, { handleFormat: 'names' });
    const ld = performance.now() - t;
    t = performance.now();
    await sharedIncident(usNet, 'soar3', 'soar2', detailId);
    const dc = performance.now() - t;
    t = performance.now();
    await readIncidentBundle(eu.soar, detailId, wl);
    const dd = performance.now() - t;
    if (i >= warm) { listC.push(lc); listD.push(ld); detC.push(dc); detD.push(dd); }
  }
  const s = { listClearing: stats(listC), listDirect: stats(listD), detailClearing: stats(detC), detailDirect: stats(detD) };
  const row = (name: string, a: Stats, base: Stats): string[] => [name, f(a.p50Ms, 2), f(a.p95Ms, 2), x(a.p50Ms / base.p50Ms), x(a.p95Ms / base.p95Ms)];
  const lines = [
    `5. Shared view: ${count} EU (soar2) incidents shared with soar3 (EU's SOAR holds ${direct0.recordsTotal} incidents in all); from US over mutual TLS vs directly on EU's SOAR; ${runs} runs each after ${warm} warm-up, interleaved`,
    ...table(['request', 'p50 ms', 'p95 ms', 'p50 ratio', 'p95 ratio'], [
      row(`sharedWithMyBrand page 1 of 50 (total ${first.total})`, s.listClearing, s.listDirect),
      row('direct query_paged 50 on EU', s.listDirect, s.listDirect),
      row('sharedIncident detail (5 notes, 1 artifact)', s.detailClearing, s.detailDirect),
      row('direct incident + notes + artifacts on EU', s.detailDirect, s.detailDirect),
    ]),
    `clearing overhead at p50: list ${f(s.listClearing.p50Ms - s.listDirect.p50Ms, 2)} ms, detail ${f(s.detailClearing.p50Ms - s.detailDirect.p50Ms, 2)} ms`,
  ];
  return { name: 'shared', lines, figures: { count, runs, total: first.total, ...s }, seconds: (performance.now() - t0) / 1000 };
}
