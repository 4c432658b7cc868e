/**
 * Configuration push end to end on a three-region network (real broker, three emulated SOARs,
 * three nodes over mutual TLS; eu is the primary): a rule, an incident field, a datatable and a
 * message destination created in eu's SOAR reach us and ap after a push, without the API keys
 * and users of the destination; a dry run reports what would change and changes nothing; a
 * non-primary's push is refused by the receivers; a brand whose SOAR rejects the import is
 * reported failed while the others import; a second push while one runs is refused, by the
 * primary and by a receiver; the workflow function writes its report as a note; the CLI's
 * `config push --dry-run` and `--yes`; a node that is down is reported failed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pushConfiguration, type PushReport } from '../../src/clearing/config-push.js';
import type { BrandPushResult } from '../../src/clearing/contracts/config-push.js';
import { PeerError } from '../../src/clearing/contracts/peer-error.js';
import { importConfiguration } from '../../src/soar/configuration.js';
import { ClearingError, ErrorCode } from '../../src/core/errors.js';
import type { SoarClient } from '../../src/soar/client.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { NetworkWorld, THREE_REGIONS, type Region } from '../support/network-world.js';
import { runCli } from '../support/world.js';

let world: NetworkWorld;
let eu: Region;
let us: Region;
let ap: Region;

/** Creates a menu-item rule in a SOAR the way an admin's import would. */
function ruleExport(name: string): JsonObject {
  return {
    export_format_version: 2,
    actions: [{ name, type: 1, object_type: 'incident', logic_type: 'all', conditions: [], workflows: [], message_destinations: [], automations: [], view_items: [], enabled: true, tags: [] }],
  };
}

/** A rule, an incident field, a datatable and a destination that API key test-key and the admin may use. */
const NEW_CONFIG: JsonObject = {
  export_format_version: 2,
  message_destinations: [{ programmatic_name: 'fn_cp_test', name: 'fn_cp_test', destination_type: 0, expect_ack: true, api_keys: ['test-key'], users: ['admin@example.com'], tags: [] }],
  fields: [{ export_key: 'incident/cp_test_field', name: 'cp_test_field', text: 'CP test field', input_type: 'text', type_id: 0, tags: [] }],
  types: [{
    export_key: 'cp_test_table', type_name: 'cp_test_table', display_name: 'CP test table', type_id: 8, parent_types: ['incident'],
    fields: { col_a: { export_key: 'cp_test_table/col_a', name: 'col_a', text: 'Column A', input_type: 'text' } },
  }],
  ...ruleExport('CP test rule'),
};

async function create(region: Region, data: JsonObject): Promise<void> {
  await importConfiguration(region.soar, data, region.log);
}

async function ruleNames(soar: SoarClient): Promise<string[]> {
  return (await soar.get<{ entities: { name: string }[] }>('/actions')).entities.map((r) => r.name);
}

async function has(soar: SoarClient): Promise<{ rule: boolean; field: boolean; table: boolean }> {
  const fields = await soar.get<{ name: string }[]>('/types/incident/fields');
  const table = await soar.get('/types/cp_test_table').then(() => true, () => false);
  return { rule: (await ruleNames(soar)).includes('CP test rule'), field: fields.some((f) => f.name === 'cp_test_field'), table };
}

function brandOf(report: PushReport, brand: string): BrandPushResult {
  const r = report.nodes.flatMap((n) => n.brands).find((b) => b.brand === brand);
  assert.ok(r, `the report has brand ${brand}`);
  return r;
}

function push(reason: string, extra: { dryRun?: boolean; chunkBytes?: number; onProgress?: Parameters<typeof pushConfiguration>[1]['onProgress'] } = {}): Promise<PushReport> {
  return pushConfiguration(eu.node.network, { reason, dryRun: extra.dryRun ?? false, log: eu.log, ...(extra.chunkBytes ? { chunkBytes: extra.chunkBytes } : {}), ...(extra.onProgress ? { onProgress: extra.onProgress } : {}) });
}

/** The peer API call that begins a push, made by `from` to node `to` directly. */
function beginPush(from: Region, to: string, pushId: string): Promise<unknown> {
  const client = from.node.network.peerClients.find((p) => p.peer.id === to)!;
  const manifest = { json_bytes: 2, bytes: 22, sha256: '0'.repeat(64), chunk_count: 1, chunk_bytes: 1024 };
  return client.request('PUT', `/api/v1/config-pushes/${pushId}`, { reason: 'by hand', dry_run: false, manifest });
}

/** Every `api_keys`/`users`/`members` list that is not empty, and every principal, in a JSON tree. */
function identityTraces(v: JsonValue | undefined, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => identityTraces(x, `${path}[${i}]`));
  if (v === null || v === undefined || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const here = (['api_keys', 'users', 'members'].includes(k) && Array.isArray(x) && x.length > 0) || /principal|last_modified_by|creator/.test(k) ? [`${path}.${k}`] : [];
    return [...here, ...(path.endsWith('.fields') ? [] : identityTraces(x, `${path}.${k}`))];
  });
}

describe('configuration push (three regions, eu primary)', () => {
  before(async () => {
    world = await NetworkWorld.start({ regions: THREE_REGIONS });
    eu = world.region('eu');
    us = world.region('us');
    ap = world.region('ap');
    await create(eu, NEW_CONFIG);
  });

  after(async () => {
    await world?.stop();
  });

  test('dry run: each brand reports what would be added; nothing changes', async () => {
    const report = await push('dry run test', { dryRun: true });
    assert.equal(report.ok, true, JSON.stringify(report.nodes));
    assert.equal(report.dry_run, true);
    for (const brand of ['soar3', 'soar4']) {
      const r = brandOf(report, brand);
      assert.equal(r.outcome, 'dry_run');
      for (const name of ['rules: CP test rule', 'fields: incident/cp_test_field', 'datatables: cp_test_table', 'message_destinations: fn_cp_test']) {
        assert.ok(r.added.includes(name), `${brand} would add ${name}: ${r.added.join(', ')}`);
      }
      assert.deepEqual(r.changed, [], `${brand}: the customization is the same everywhere`);
    }
    assert.deepEqual(await has(us.soar), { rule: false, field: false, table: false });
  });

  test('push: the new rule, field and datatable appear on us and ap, in several chunks; users and API keys do not travel', async () => {
    const chunks: number[] = [];
    const report = await push('new rule, field and table', { chunkBytes: 4096, onProgress: (p) => p.phase === 'chunk' && p.node === 'us' && chunks.push(p.sent) });
    assert.equal(report.ok, true, JSON.stringify(report.nodes));
    assert.ok(report.chunks > 1, `${report.chunks} chunks of 4 KiB`);
    assert.deepEqual(chunks, Array.from({ length: report.chunks }, (_, i) => i + 1));
    assert.ok(report.stripped >= 2, 'the destination\'s API key and user were removed');
    for (const [region, brand] of [[us, 'soar3'], [ap, 'soar4']] as const) {
      const r = brandOf(report, brand);
      assert.equal(r.outcome, 'imported', JSON.stringify(r));
      assert.equal(typeof r.import_id, 'number');
      assert.deepEqual(await has(region.soar), { rule: true, field: true, table: true }, brand);
      const dest = (await region.soar.listMessageDestinations()).find((d) => d.programmatic_name === 'fn_cp_test');
      assert.ok(dest, `${brand} has the destination`);
      assert.deepEqual([dest['api_keys'], dest.users], [[], []], `${brand}: nobody may use the pushed destination`);
      const imports = region.emulator.requestsTo('POST', '/configurations/imports');
      const body = imports[imports.length - 1]!.body;
      assert.deepEqual(identityTraces(body), [], `${brand}: the imported export names no user or API key`);
      assert.doesNotMatch(JSON.stringify(body), /"test-key"|admin@example\.com/);
      // The node's own API key still reaches its destination.
      const own = (await region.soar.listMessageDestinations()).find((d) => d.programmatic_name === 'fn_clearing');
      assert.ok(own && Array.isArray(own['api_keys']) && own['api_keys'].length === 1, `${brand}: fn_clearing keeps its API key`);
    }
    // The push is logged on every node with its id and reason.
    for (const region of [eu, us, ap]) {
      assert.ok(region.lines.some((l) => l.includes(report.push_id) && l.includes('new rule, field and table')), `${region.spec.nodeId} logged the push`);
    }
  });

  test('a push of the same configuration again: every brand is up to date, nothing is imported', async () => {
    const before = us.emulator.requestsTo('POST', '/configurations/imports').length;
    const report = await push('again');
    assert.equal(report.ok, true);
    for (const brand of ['soar3', 'soar4']) {
      const r = brandOf(report, brand);
      assert.equal(r.outcome, 'skipped', JSON.stringify(r));
      assert.match(r.reason ?? '', /up to date/);
      assert.deepEqual([r.added, r.changed], [[], []]);
    }
    assert.equal(us.emulator.requestsTo('POST', '/configurations/imports').length, before);
  });

  test('only the primary pushes: a non-primary is refused by itself and by the receiving node', async () => {
    await assert.rejects(pushConfiguration(us.node.network, { reason: 'rogue', dryRun: false, log: us.log }), (err: ClearingError) => {
      assert.equal(err.code, ErrorCode.NotPrimary);
      assert.match(err.message, /only the primary node 'eu' pushes configuration; this is node 'us'/);
      return true;
    });
    await assert.rejects(beginPush(us, 'ap', 'cp-rogue'), (err: PeerError) => {
      assert.equal(err.status, 403);
      assert.equal(err.remoteCode, 'forbidden');
      assert.match(err.remoteMessage, /only the primary node 'eu' may push configuration to node 'ap'; 'us' is not the primary/);
      return true;
    });
  });

  test('a brand whose SOAR rejects the import is reported failed with SOAR\'s message; the others import', async () => {
    await create(eu, ruleExport('CP rule two'));
    const refusal = "The configuration cannot be imported: Rule 'CP rule two' conflicts with a rule of this organization";
    ap.emulator.faults.failNext(1, 400, { method: 'POST', path: '/configurations/imports' }, refusal);
    const report = await push('rule two');
    assert.equal(report.ok, false);
    assert.equal(brandOf(report, 'soar3').outcome, 'imported');
    const failed = brandOf(report, 'soar4');
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.reason, 'SOAR refused the import');
    assert.deepEqual(failed.messages, [refusal]);
    assert.deepEqual(failed.added, ['rules: CP rule two']);
    assert.ok((await ruleNames(us.soar)).includes('CP rule two'));
    assert.ok(!(await ruleNames(ap.soar)).includes('CP rule two'));
  });

  test('one push at a time: a second push is refused by the primary, and a receiver refuses an overlapping one', async () => {
    await create(eu, ruleExport('CP rule three'));
    // us compares slowly, so the first push is still committing there while the others are tried.
    us.emulator.faults.delayNext(1, 1500, { method: 'POST', path: '/configurations/exports' });
    let committing!: () => void;
    const inCommit = new Promise<void>((resolve) => (committing = resolve));
    const first = push('first', { onProgress: (p) => p.phase === 'commit' && p.node === 'us' && committing() });
    await assert.rejects(push('second'), (err: ClearingError) => {
      assert.equal(err.code, ErrorCode.ConfigPushBusy);
      assert.match(err.message, /another configuration push is running on the primary node 'eu': cp-\S+ \("first"\)/);
      return true;
    });
    await inCommit;
    await assert.rejects(beginPush(eu, 'us', 'cp-other'), (err: PeerError) => {
      assert.equal(err.status, 409);
      assert.equal(err.remoteCode, 'config_push_busy');
      assert.match(err.remoteMessage, /running on node 'us': cp-\S+ \("first"\)/);
      return true;
    });
    const report = await first;
    assert.equal(report.ok, true, JSON.stringify(report.nodes));
    assert.ok((await ruleNames(ap.soar)).includes('CP rule three'));
  });

  test('the menu item runs clearing_distribute_configuration: the report is the result and a note on the incident', async () => {
    await create(eu, ruleExport('CP rule four'));
    const incident = await eu.soar.createIncident({ name: 'Config push from the menu', discovered_date: Date.now() });
    await world.settle();
    const rule = (await eu.soar.get<{ entities: { id: number; name: string }[] }>('/actions')).entities.find((r) => r.name === 'Clearing: distribute configuration')!;
    await eu.soar.post(`/incidents/${incident.id}/action_invocations`, { action_id: rule.id, properties: { clearing_config_reason: 'rule four for all', clearing_config_dry_run: false } });
    await world.settle();
    const [run] = eu.emulator.workflows.instancesFor({ incidentId: incident.id, rule: 'Clearing: distribute configuration' });
    assert.equal(run?.status, 'completed', run?.error ?? '');
    const payload = run!.results['clearing_distribute_configuration_result'] as unknown as { content: PushReport };
    const report = payload.content;
    assert.equal(report.ok, true, JSON.stringify(report.nodes));
    assert.match(report.reason, /^rule four for all/);
    assert.deepEqual(report.nodes.flatMap((n) => n.brands).map((b) => [b.brand, b.outcome]).sort(), [['soar3', 'imported'], ['soar4', 'imported']]);
    const notes = await eu.soar.listNotes(incident.id);
    const note = notes.map((n) => JSON.stringify(n.text)).find((t) => t.includes(report.push_id));
    assert.ok(note, 'the incident has the push\'s note');
    assert.match(note, /soar3 \(node us\): imported/);
    assert.ok((await ruleNames(us.soar)).includes('CP rule four'));
  });

  test('CLI: config push refuses without --yes when nobody can confirm; --dry-run shows; --yes pushes', async () => {
    await create(eu, ruleExport('CP CLI rule'));
    const refused = await runCli(['config', 'push', '--config', eu.configPath, '--reason', 'cli']);
    assert.equal(refused.code, 2, refused.out + refused.err);
    assert.match(refused.err, /add --yes/);

    const dry = await runCli(['config', 'push', '--config', eu.configPath, '--reason', 'cli dry run', '--dry-run']);
    assert.equal(dry.code, 0, dry.out + dry.err);
    assert.match(dry.out, /Dry run: compares the configuration of brand soar2 \(.*\d+ rules.*\) with: soar3 \(node us\), soar4 \(node ap\)/);
    assert.match(dry.out, /configuration push cp-\S+ \(dry run: nothing changed\): ok/);
    assert.match(dry.out, /soar3 \(node us\): dry_run\n {2}would add 1: rules: CP CLI rule/);
    assert.match(dry.err, /us: chunk 1\/1 sent/);
    assert.ok(!(await ruleNames(us.soar)).includes('CP CLI rule'));

    const real = await runCli(['config', 'push', '--config', eu.configPath, '--reason', 'cli push', '--yes']);
    assert.equal(real.code, 0, real.out + real.err);
    assert.match(real.out, /soar3 \(node us\): imported \(import \d+\)\n {2}added 1: rules: CP CLI rule/);
    assert.match(real.out, /soar4 \(node ap\): imported/);
    assert.ok((await ruleNames(us.soar)).includes('CP CLI rule'));
    assert.ok((await ruleNames(ap.soar)).includes('CP CLI rule'));
  });

  test('a node that cannot be reached is reported failed with why; the others import', async () => {
    await create(eu, ruleExport('CP rule five'));
    await world.stopNode('ap');
    const report = await push('ap is down');
    assert.equal(report.ok, false);
    const apNode = report.nodes.find((n) => n.node === 'ap')!;
    assert.match(apNode.error ?? '', /peer ap unreachable: connection refused/);
    assert.deepEqual([brandOf(report, 'soar4').outcome, brandOf(report, 'soar3').outcome], ['failed', 'imported']);
  });
});
