/**
 * The customization end to end: `soar-clearing customize` into a fresh emulated SOAR, `selftest`
 * before and after, then SOAR's own machinery: a new incident fires the automatic rule, whose
 * workflow calls the function through the real broker, and the incident gets its task and rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildExport, customization, serializeExport } from '../../customize/build.js';
import { INVOLVE_GROUP_COORDINATION_TASK } from '../../customize/tasks.js';
import { functions } from '../../functions/index.js';
import { loadConfig } from '../../src/config/index.js';
import { SoarClient } from '../../src/soar/client.js';
import type { BrandWorker } from '../../src/worker/worker.js';
import { makeNodeCert } from '../support/certs.js';
import { memoryLogger, runCli, World } from '../support/world.js';

describe('customization package', () => {
  let world: World;
  let configPath: string;
  let soar: SoarClient;
  let worker: BrandWorker | null = null;

  before(async () => {
    world = await World.start();
    world.soar.attachBroker(world.broker.stompPort);
    // A node whose network has two other brands behind two (unstarted) peers.
    configPath = world.configFile({
      destination: customization.destination,
      nodeId: 'eu',
      network: {
        cert: makeNodeCert(world.broker.pki, 'eu'),
        listenPort: 1,
        peers: { us: { url: 'https://127.0.0.1:9', brands: ['soar3'] }, apac: { url: 'https://127.0.0.1:10', brands: ['soar4'] } },
      },
    });
    soar = await SoarClient.connect(loadConfig({ path: configPath, env: {} }).brands[0]!.soar);
  });

  after(async () => {
    await worker?.stop();
    await soar?.close();
    await world?.stop();
  });

  test('selftest before customize: REST and STOMP pass, the customization is reported missing (exit 12)', async () => {
    const r = await runCli(['selftest', '--config', configPath]);
    assert.equal(r.code, 12, r.out + r.err);
    assert.match(r.out, /ok +REST login and org +API key test-key, org 'Test Organization' \(201\)/);
    assert.match(r.out, /ok +STOMP connect and subscribe +stomp:\/\/127\.0\.0\.1:\d+, subscribed actions\.201\.fn_clearing/);
    assert.match(r.out, /FAIL +customization installed +none of the 25 definitions is in SOAR/);
    assert.match(r.out, /run 'soar-clearing customize'/);
    // Then the configured certificate files (the broker is plain STOMP: no STOMP CA file).
    assert.match(r.out, /\ncertificates: ok\n {2}ok {4}node\.tls\.cert {13}\d+ days left \(until \d{4}-.*\n {2}ok {4}node\.tls\.ca .*\n {2}ok {4}brands\.soar2\.soar\.cafile {2}\d+ days left/);
  });

  test('customize refuses to change SOAR without --yes when nobody can confirm', async () => {
    const r = await runCli(['customize', '--config', configPath]);
    assert.equal(r.code, 2);
    assert.match(r.err, /add --yes/);
    assert.equal(world.soar.requestsTo('POST', '/configurations/imports').length, 0);
  });

  test('customize --export writes the export.res without contacting SOAR', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sc-export-')), 'export.res');
    const r = await runCli(['customize', '--export', file, '--config', '/nonexistent.yaml']);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(file, 'utf8'), serializeExport(buildExport()));
  });

  test('customize --yes imports everything and grants the API key the destination; twice leaves one of each', async () => {
    const first = await runCli(['customize', '--yes', '--config', configPath]);
    assert.equal(first.code, 0, first.out + first.err);
    assert.match(first.out, /import \d+: ACCEPTED/);
    assert.match(first.out, /message destination fn_clearing: API key test-key granted access/);
    const second = await runCli(['customize', '--yes', '--config', configPath]);
    assert.equal(second.code, 0, second.out + second.err);
    assert.match(second.out, /message destination fn_clearing: API key test-key already allowed/);

    const count = <T>(list: T[], key: (t: T) => string) => {
      const counts = new Map<string, number>();
      for (const t of list) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
      return counts;
    };
    const fns = count((await soar.listFunctions()).filter((f) => f.destination_handle === 'fn_clearing'), (f) => f.name);
    assert.deepEqual([...fns.keys()].sort(), customization.functions.map((f) => f.name).sort());
    assert.ok([...fns.values()].every((n) => n === 1));
    const rules = count((await soar.get<{ entities: Array<{ name: string }> }>('/actions')).entities, (r) => r.name);
    for (const rule of customization.rules) assert.equal(rules.get(rule.name), 1, rule.name);
    const dests = (await soar.listMessageDestinations()).filter((d) => d.programmatic_name === 'fn_clearing');
    assert.equal(dests.length, 1);
    // By default SOAR lists the key by its handle, by name (client_id) with handle_format=names.
    assert.deepEqual(dests[0]!['api_keys'], [soar.identity.apiKeyHandle]);
    const named = (await soar.listMessageDestinations({ query: { handle_format: 'names' } })).find((d) => d.programmatic_name === 'fn_clearing');
    assert.deepEqual(named?.['api_keys'], [soar.identity.apiKeyClientId]);
    const fields = count(await soar.get<Array<{ name: string }>>('/types/incident/fields'), (f) => f.name);
    for (const f of customization.incidentFields) assert.equal(fields.get(f), 1, f);
    const types = await soar.get<Record<string, { type_id: number }>>('/types');
    assert.equal(types['clearing_distribution']?.type_id, 8);
  });

  test('selftest after customize passes every check (exit 0)', async () => {
    const r = await runCli(['selftest', '--config', configPath, '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    const report = JSON.parse(r.out) as { ok: boolean; brands: Array<{ checks: Array<{ name: string; ok: boolean }> }> };
    assert.equal(report.ok, true);
    assert.deepEqual(report.brands[0]!.checks.map((c) => c.name), ['REST login and org', 'STOMP connect and subscribe', 'customization installed']);
    const { certificates } = JSON.parse(r.out) as { certificates: Array<{ name: string; days_left: number; warning: string | null; failed: boolean }> };
    assert.deepEqual(certificates.map((c) => [c.name, c.warning, c.failed]), [
      ['node.tls.cert', null, false], ['node.tls.ca', null, false], ['brands.soar2.soar.cafile', null, false],
    ]);
    assert.ok(certificates.every((c) => c.days_left > 30));
  });

  test('a new incident runs the automatic rule through the broker: the task and one row per other brand', async () => {
    worker = await world.worker(loadConfig({ path: configPath, env: {} }), functions, memoryLogger().log);
    await worker.start();
    const incident = await soar.createIncident({ name: 'Ransomware at EU plant', discovered_date: Date.now() });
    await world.soar.workflows.waitIdle(20_000);
    const [instance, ...more] = world.soar.workflows.instancesFor({ incidentId: incident.id });
    assert.equal(more.length, 0, 'one workflow for the new incident');
    assert.equal(instance?.workflow, 'wf_clearing_involve_group_coordination');
    assert.equal(instance?.status, 'completed', instance?.error ?? '');

    const tasks = (await soar.listIncidentTasks(incident.id)).filter((t) => t.name === INVOLVE_GROUP_COORDINATION_TASK.name);
    assert.equal(tasks.length, 1);
    const rows = (await soar.getTableData(incident.id, 'clearing_distribution')).rows;
    assert.deepEqual(rows.map((r) => r.cells['brand']?.value).sort(), ['soar3', 'soar4']);
    for (const row of rows) {
      assert.equal(row.cells['read_only']?.value ?? null, null);
      assert.equal(row.cells['distribute']?.value ?? null, null);
    }
    // Seeding the rows sets no flag, so the table-changed rule did not fire.
    assert.equal(world.soar.workflows.instancesFor({ workflow: 'wf_clearing_distribution_table_changed' }).length, 0);
  });

  test('an analyst clicking the menu item runs it again; nothing is added twice', async () => {
    const incident = (await soar.queryIncidentsPaged({ filters: [{ conditions: [{ field_name: 'name', method: 'equals', value: 'Ransomware at EU plant' }] }], start: 0, length: 1 })).data[0]!;
    const rule = (await soar.get<{ entities: Array<{ id: number; name: string }> }>('/actions')).entities
      .find((r) => r.name === 'Clearing: involve group coordination now')!;
    await soar.post(`/incidents/${incident.id}/action_invocations`, { action_id: rule.id, properties: {} });
    await world.soar.workflows.waitIdle(20_000);
    const runs = world.soar.workflows.instancesFor({ incidentId: incident.id });
    assert.equal(runs.length, 2);
    assert.equal(runs[1]?.rule, 'Clearing: involve group coordination now');
    assert.equal(runs[1]?.status, 'completed', runs[1]?.error ?? '');
    const result = runs[1]?.results['clearing_involve_group_coordination_result'] as { content: { task_created: boolean; rows_added: string[] } };
    assert.equal(result.content.task_created, false);
    assert.deepEqual(result.content.rows_added, []);
    assert.equal((await soar.listIncidentTasks(incident.id)).filter((t) => t.name === INVOLVE_GROUP_COORDINATION_TASK.name).length, 1);
    assert.equal((await soar.getTableData(incident.id, 'clearing_distribution')).rows.length, 2);
    // SOAR's own answer without handle_format=names keys cells by field id: the function saw the
    // rows only because it asks for names (else every run would add each brand's row again).
    const byId = await soar.get<{ rows: Array<{ cells: Record<string, unknown> }> }>(`/incidents/${incident.id}/table_data/clearing_distribution`);
    assert.equal(byId.rows.length, 2);
    for (const row of byId.rows) assert.ok(Object.keys(row.cells).every((k) => /^\d+$/.test(k)), JSON.stringify(row.cells));
  });
});
