/**
 * No incident data is written to disk by any node: only the log (issue 4, item 6).
 *
 * The two-region network (real broker, two emulated SOARs, two clearing nodes in this process,
 * peer API over mutual TLS) runs every flow on an incident whose name, description, note,
 * artifact and a custom field carry a random marker: the automatic group coordination, share
 * read-only, the shared view read from US, distribute (the copy is created in US) and
 * distribute again, revoke. Then every regular file modified since the test started under the
 * repository, the OS temp directory and this process's working directory is searched for the
 * marker. Left out, and only these: the broker's instance directories (the broker stands in for
 * SOAR's own, it is not the node's), the nodes' log files (none here: the nodes log to memory),
 * and the emulators' state (kept in memory). A planted file proves the scan finds the marker.
 * The scan also runs after each flow, so a file a node writes and deletes again within the run
 * has less room to slip through.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sharedIncident, sharedWithMyBrand } from '../../src/clearing/shared-client.js';
import { isNotFound } from '../../src/clearing/shared-view.js';
import { REPO_ROOT } from '../support/broker.js';
import { NetworkWorld } from '../support/network-world.js';

const TABLE = 'clearing_distribution';
/** The marker file in every broker instance directory (sim/testbed/broker.ts). */
const BROKER_DIR_MARKER = '.sc-test-broker';

const MARKER = `NODISK${randomBytes(12).toString('hex')}`;
const CHUNK = 1 << 20;

interface ScanResult {
  /** Files holding the marker. */
  readonly hits: string[];
  /** Regular files modified since the start that were read. */
  readonly scanned: number;
}

/** Whether the file contains `needle`, read in chunks (with overlap) so big files are fine. */
function fileContains(path: string, needle: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false; // gone meanwhile, or not readable
  }
  try {
    const buf = Buffer.alloc(CHUNK + needle.length);
    let carry = 0;
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, carry, CHUNK, pos);
      if (n <= 0) return false;
      const filled = carry + n;
      if (buf.subarray(0, filled).includes(needle)) return true;
      pos += n;
      carry = Math.min(needle.length - 1, filled);
      buf.copy(buf, 0, filled - carry, filled);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Every regular file under `roots` changed (content or inode) at or after `sinceMs`, searched
 * for the marker. Symbolic links are not followed; excluded paths and broker instance
 * directories are skipped whole.
 */
function scan(roots: readonly string[], sinceMs: number, excluded: ReadonlySet<string>): ScanResult {
  const needle = Buffer.from(MARKER, 'utf8');
  const hits: string[] = [];
  const seen = new Set<string>();
  let scanned = 0;
  const walk = (dir: string): void => {
    if (seen.has(dir) || excluded.has(dir)) return;
    seen.add(dir);
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    if (entries.includes(BROKER_DIR_MARKER)) return;
    for (const name of entries) {
      const p = join(dir, name);
      if (excluded.has(p)) continue;
      let st: Stats;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && Math.max(st.mtimeMs, st.ctimeMs) >= sinceMs) {
        scanned++;
        if (fileContains(p, needle)) hits.push(p);
      }
    }
  };
  for (const r of roots) walk(resolve(r));
  return { hits, scanned };
}

describe('no incident data on disk', () => {
  let world: NetworkWorld;
  let startedAt: number;
  let incidentId: number;
  let rowId: number;
  const canary = join(tmpdir(), `sc-no-disk-canary-${process.pid}.txt`);
  const roots = [...new Set([REPO_ROOT, tmpdir(), process.cwd()].map((r) => resolve(r)))];
  const excluded = new Set<string>();

  before(async () => {
    // Whole seconds on some file systems: start a little early rather than miss a write.
    startedAt = Date.now() - 1000;
    world = await NetworkWorld.start();
    world.region('eu').emulator.state.addIncidentField('marker_field');
    for (const r of world.regions.values()) {
      if (r.config.logging.file) excluded.add(resolve(r.config.logging.file));
    }
  });
  after(async () => {
    rmSync(canary, { force: true });
    await world?.stop();
  });

  const eu = () => world.region('eu');
  const us = () => world.region('us');

  function assertClean(after: string): void {
    const { hits, scanned } = scan(roots, startedAt, excluded);
    if (process.env['SC_TEST_VERBOSE']) process.stderr.write(`no-disk scan after ${after}: ${scanned} file(s) modified since the start, under ${roots.join(', ')}\n`);
    assert.deepEqual(hits, [], `incident data written to disk (after ${after}; ${scanned} files scanned)`);
  }

  async function setFlag(column: 'read_only' | 'distribute', value: boolean): Promise<void> {
    await eu().soar.updateTableRow(incidentId, TABLE, rowId, { [column]: value });
    await world.settle();
    const run = eu().emulator.workflows.instancesFor({ incidentId, workflow: 'wf_clearing_distribution_table_changed' }).at(-1);
    assert.equal(run?.status, 'completed', run?.error ?? 'no workflow ran');
  }

  test('the scan finds the marker in a file written during the test', () => {
    writeFileSync(canary, `planted: ${MARKER}\n`);
    const { hits, scanned } = scan(roots, startedAt, excluded);
    assert.deepEqual(hits, [canary]);
    assert.ok(scanned >= 1);
    rmSync(canary);
  });

  test('a new incident carrying the marker: group coordination', async () => {
    const soar = eu().soar;
    const incident = await soar.createIncident({
      name: `Wire fraud attempt ${MARKER}`,
      discovered_date: Date.now(),
      description: `Description with ${MARKER}`,
      properties: { marker_field: MARKER },
    });
    incidentId = incident.id;
    await soar.addNote(incidentId, `<p>Note with ${MARKER}</p>`);
    await soar.addArtifact(incidentId, { type: 'String', value: `artifact-${MARKER}`, description: `about ${MARKER}` });
    await world.settle();
    const row = (await soar.getTableData(incidentId, TABLE)).rows.find((r) => r.cells['brand']?.value === 'soar3');
    assert.ok(row, 'the involve rule added the soar3 row');
    rowId = row.id;
    assertClean('group coordination');
  });

  test('share read-only, and US reads it through its node', async () => {
    await setFlag('read_only', true);
    const list = await sharedWithMyBrand(us().node.network, 'soar3', { page: 1, perPage: 50 });
    assert.ok(list.items.some((i) => i.incident_id === incidentId), 'US lists the shared incident');
    const detail = await sharedIncident(us().node.network, 'soar3', 'soar2', incidentId);
    assert.ok(JSON.stringify(detail).includes(MARKER), 'the marker went through the peer API');
    assertClean('share and view');
  });

  test('distribute a copy, and again', async () => {
    await setFlag('distribute', true);
    const copies = await us().soar.queryIncidentsPaged({
      filters: [{ conditions: [{ field_name: 'properties.clearing_origin_incident_id', method: 'equals', value: String(incidentId) }] }],
    });
    assert.equal(copies.data.length, 1, 'one copy in the US SOAR');
    assert.ok(copies.data[0]!.name.includes(MARKER), 'the marker went to the US SOAR');
    const rule = (await eu().soar.get<{ entities: { id: number; name: string }[] }>('/actions')).entities.find((r) => r.name === 'Clearing: distribute now');
    assert.ok(rule);
    await eu().soar.post(`/incidents/${incidentId}/action_invocations`, { action_id: rule.id, properties: {} });
    await world.settle();
    assertClean('distribute');
  });

  test('revoke the share', async () => {
    await setFlag('read_only', false);
    await assert.rejects(sharedIncident(us().node.network, 'soar3', 'soar2', incidentId), (err: unknown) => isNotFound(err));
    assertClean('revoke');
  });

  test('after the nodes and SOARs stopped: still nothing on disk', async () => {
    const w = world;
    world = undefined as unknown as NetworkWorld; // stopped here, not again in after()
    await w.stop();
    assertClean('shutdown');
  });
});
