/**
 * The SOAR emulator's org, sessions and incident handles, as a real SOAR 51.x answers them
 * (over real HTTPS on 127.0.0.1, with the product's own SOAR client). Sources of the facts:
 * the org object and the API-key session as probed live on QRadar SOAR 51.0.9
 * (lancyandrade/qradar-soar-mcp docs/soar-api-verified.md); IBM resilient-python-api co3.py
 * (reads `actions_framework_enabled` at start); IBM resilient-community-apps rc_data_feed
 * type_info.py (reads `org_info.name`) and rc_data_feed_plugin_resilientfeed (looks for
 * "Invalid field name"); the Custom Action Developer Guide (object handles; a password session
 * with `role_handles: [1001]`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_WHITELIST } from '../../src/config/whitelist.js';
import type { BrandConfig, WebConfig } from '../../src/config/types.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { SignInRefused, signIn } from '../../src/web/ui-kit/auth.js';
import { SoarClient } from '../../src/soar/client.js';
import { SoarRequestError } from '../../src/soar/errors.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { makeTestPki } from '../support/certs.js';

let dir: string;
let emu: SoarEmulator;
let soar: SoarClient;
const clients: SoarClient[] = [];

const ANALYST = { email: 'ana@example.com', password: 'Ana-pass-1', fname: 'Ana', lname: 'Lyst', groups: ['CSIRT'], roles: ['Incident Responder', 'Observer'] };
const HELPDESK = { email: 'hal@example.com', password: 'Hal-pass-1', fname: 'Hal', lname: 'Desk', roles: ['Helpdesk'] };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-org-'));
  emu = await SoarEmulator.start({
    pki: makeTestPki(dir),
    apiKeys: [{ id: 'test-key', secret: 'test-secret' }, { id: 'handleless', secret: 'x', handleInSession: false }],
    users: [{ email: 'admin@example.com', password: 'Passw0rd!' }, ANALYST, HELPDESK],
    artifactTypes: [{ programmatic_name: 'ot_asset_tag', name: 'OT asset tag' }],
  });
  emu.state.addIncidentField('region', 'select', ['EMEA', 'APAC']);
  emu.state.addIncidentField('sectors', 'multiselect', ['Finance', 'Energy']);
  soar = await SoarClient.connect(emu.soarConfig());
  clients.push(soar);
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

function obj(v: JsonValue | undefined): JsonObject {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `an object: ${JSON.stringify(v)}`);
  return v;
}

/** The id of a built-in select field's option (real or built-in samples: ids differ). */
function optionId(field: string, label: string): number {
  const f = emu.state.incidentFields.find((x) => x['name'] === field && x['prefix'] !== 'properties');
  const v = (f?.['values'] as JsonObject[] | undefined)?.find((o) => o['label'] === label);
  assert.ok(v && typeof v['value'] === 'number', `${field} has an option ${label}`);
  return v['value'];
}

async function refusal(p: Promise<unknown>): Promise<SoarRequestError> {
  const err = await p.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof SoarRequestError, String(err));
  return err;
}

describe('GET /rest/orgs/<id>: the org object, not the session entry', () => {
  it('carries actions_framework_enabled and, on 51.x, the name, uuid and cloud_account under org_info', async () => {
    const org = obj(await soar.get(''));
    assert.equal(org['actions_framework_enabled'], true);
    assert.equal(org['id'], 201);
    assert.ok(!('name' in org), 'on 51.x the name is under org_info only');
    const info = obj(org['org_info']);
    assert.equal(info['name'], 'Test Organization');
    assert.equal(typeof info['uuid'], 'string');
    assert.ok('cloud_account' in info);
    for (const k of ['perms', 'role_handles', 'effective_permissions']) assert.ok(!(k in info), `org_info has no ${k}`);
  });

  it('lists the definitions as maps keyed by name', async () => {
    const org = obj(await soar.get(''));
    const users = obj(org['users']);
    const ana = obj(users[ANALYST.email]);
    assert.equal(ana['email'], ANALYST.email);
    assert.equal(ana['display_name'], 'Ana Lyst');
    assert.equal(typeof ana['id'], 'number');
    const csirt = obj(obj(org['groups'])['CSIRT']);
    assert.deepEqual(ana['group_ids'], [csirt['id']]);
    assert.deepEqual(csirt['members'], [ana['id']]);
    assert.notEqual(csirt['id'], ana['id'], 'users and groups share the owner handle space');
    assert.deepEqual(obj(obj(org['incident_severities'])['High']), { id: optionId('severity_code', 'High'), name: 'High' });
    assert.equal(obj(obj(org['incident_types'])['Malware'])['name'], 'Malware');
    assert.equal(typeof obj(obj(org['phases'])['Respond'])['order'], 'number');
    assert.equal(obj(obj(org['incident_artifact_types'])['OT asset tag'])['programmatic_name'], 'ot_asset_tag');
    assert.equal(obj(obj(org['incident_artifact_types'])['IP Address'])['system'], true);
    assert.ok(Object.keys(obj(org['task_categories'])).length > 0);
  });

  it("the client shows the org's name from it (not 'undefined')", () => {
    assert.equal(soar.org.name, 'Test Organization');
    assert.equal(soar.org.id, 201);
    assert.equal(typeof soar.org.uuid, 'string');
  });
});

describe('GET /rest/session', () => {
  it('with an API key (51.0.9): no user_id, no csrf_token; perms null, no roles, no permissions', async () => {
    const s = obj(await soar.get('/rest/session'));
    assert.ok(!('user_id' in s));
    assert.ok(!('csrf_token' in s));
    assert.equal(typeof s['api_key_handle'], 'number');
    for (const o of s['orgs'] as JsonObject[]) {
      assert.equal(o['perms'], null);
      assert.deepEqual(o['role_handles'], []);
      assert.deepEqual(o['effective_permissions'], []);
    }
    const handleless = await SoarClient.connect(emu.soarConfig({ auth: { kind: 'api_key', api_key_id: 'handleless', api_key_secret: 'x' } }));
    clients.push(handleless);
    assert.equal(obj(await handleless.get('/rest/session'))['api_key_handle'], null);
    assert.equal(handleless.identity.userId, null);
    assert.deepEqual(handleless.identity.roles, []);
  });

  it('with a password: role_handles are numeric role ids', async () => {
    const c = await SoarClient.connect(emu.soarConfig({ auth: { kind: 'password', email: ANALYST.email, password: ANALYST.password } }));
    clients.push(c);
    const ids = ANALYST.roles.map((r) => emu.state.roles.get(r));
    assert.ok(ids.every((id) => typeof id === 'number'));
    assert.deepEqual(c.identity.roles, ids);
    const s = obj(await c.get('/rest/session'));
    assert.equal(typeof s['csrf_token'], 'string');
    for (const o of s['orgs'] as JsonObject[]) assert.deepEqual(o['role_handles'], ids);
  });
});

describe('POST and PUT /incidents refuse what the org does not define', () => {
  const base = { name: 'strict', discovered_date: 1_700_000_000_000 };

  it('a custom field the org does not define: "Invalid field name"', async () => {
    const err = await refusal(soar.createIncident({ ...base, properties: { not_defined_here: 'x' } }));
    assert.equal(err.status, 400);
    assert.match(err.soarMessage ?? '', /Invalid field name 'properties\.not_defined_here'/);
  });

  it('unknown select, multiselect, owner, group, incident type and severity values', async () => {
    const cases: Array<[JsonObject, RegExp]> = [
      [{ severity_code: 'Catastrophic' }, /'severity_code': "Catastrophic" is not defined/],
      [{ severity_code: 9999 }, /'severity_code': 9999 is not defined/],
      [{ incident_type_ids: ['Malware', 'Alien invasion'] }, /'incident_type_ids': "Alien invasion"/],
      [{ phase_id: 'Brunch' }, /'phase_id'/],
      [{ owner_id: 'nobody@example.com' }, /'owner_id': "nobody@example.com"/],
      [{ members: ['CSIRT', 'No Such Group'] }, /'members': "No Such Group"/],
      [{ properties: { region: 'LATAM' } }, /'properties\.region': "LATAM"/],
      [{ properties: { sectors: ['Finance', 'Mining'] } }, /'properties\.sectors': "Mining"/],
      [{ properties: { sectors: 'Finance' } }, /'properties\.sectors': a list of handles is expected/],
    ];
    for (const [extra, message] of cases) {
      const err = await refusal(soar.createIncident({ ...base, ...extra }));
      assert.equal(err.status, 400, JSON.stringify(extra));
      assert.match(err.soarMessage ?? '', message);
    }
    const inc = await soar.createIncident(base);
    const put = await refusal(soar.updateIncident(inc.id, (cur) => ({ ...cur, severity_code: 'Catastrophic' })));
    assert.equal(put.status, 400);
  });

  it('names or ids are accepted, stored as ids, and answered as names when asked', async () => {
    const analystId = emu.state.users.find((u) => u.email === ANALYST.email)!.id;
    const inc = await soar.createIncident({
      ...base, severity_code: 'High', incident_type_ids: ['Malware', optionId('incident_type_ids', 'Phishing')], owner_id: ANALYST.email, members: ['CSIRT'],
      properties: { region: 'APAC', sectors: ['Energy'] },
    });
    const ids = await soar.getIncident(inc.id);
    assert.equal(ids.severity_code, optionId('severity_code', 'High'));
    assert.deepEqual(ids.incident_type_ids, [optionId('incident_type_ids', 'Malware'), optionId('incident_type_ids', 'Phishing')]);
    assert.equal(ids.owner_id, analystId);
    assert.deepEqual(ids['members'], [emu.state.groups.get('CSIRT')]);
    assert.equal(typeof ids.properties['region'], 'number');
    const names = await soar.getIncident(inc.id, { query: { handle_format: 'names' } });
    assert.equal(names.severity_code, 'High');
    assert.deepEqual(names.incident_type_ids, ['Malware', 'Phishing']);
    assert.equal(names.owner_id, ANALYST.email);
    assert.deepEqual(names['members'], ['CSIRT']);
    assert.equal(names.properties['region'], 'APAC');
    assert.deepEqual(names.properties['sectors'], ['Energy']);
    assert.equal(ids.plan_status, 'A', 'plan_status is stored and answered as its code');
    // plan_status is a select (A = Active, C = Closed): with names it is answered as its label.
    assert.equal(names.plan_status, 'Active');
    // A whole-incident PUT of what was read with ids goes through.
    const updated = await soar.updateIncident(inc.id, (cur) => ({ ...cur, severity_code: 'Low' }));
    assert.equal(updated?.severity_code, optionId('severity_code', 'Low'));
  });
});

describe('artifacts of custom types', () => {
  it('are referred to by programmatic name and accepted when defined', async () => {
    const inc = await soar.createIncident({ name: 'artifacts', discovered_date: 1_700_000_000_000 });
    const [made] = await soar.addArtifact(inc.id, { type: 'ot_asset_tag', value: 'PLC-7' });
    const listed = await soar.listArtifacts(inc.id, { query: { handle_format: 'names' } });
    assert.equal(listed.find((a) => a.id === made!.id)?.type, 'ot_asset_tag');
    for (const type of ['OT asset tag', 'no_such_type']) {
      const err = await refusal(soar.addArtifact(inc.id, { type, value: 'x' }));
      assert.equal(err.status, 400, type);
    }
  });
});

describe('web sign-in by role: SOAR role ids, as a password session lists them', () => {
  const web = (roles: number[]): WebConfig => ({
    listen: { host: '127.0.0.1', port: 1 }, session_secret: null, idle_timeout_ms: 60_000, session_max_ms: 3_600_000, origin: null,
    allowed_groups: [], allowed_roles: roles,
    login_throttle: { max_failures: 5, window_ms: 60_000 },
  });
  const brand = (): BrandConfig => ({ id: 'soar2', soar: emu.soarConfig(), stomp: {} as BrandConfig['stomp'], destinations: [], whitelist: DEFAULT_WHITELIST });

  it('a holder of an allowed role id is let in; another role is refused, its ids given for the log', async () => {
    const responder = emu.state.roles.get('Incident Responder')!;
    const user = await signIn(brand(), web([responder]), ANALYST.email, ANALYST.password);
    assert.equal(user.email, ANALYST.email);
    assert.ok(user.roles.includes(responder));
    const err = await signIn(brand(), web([responder]), HELPDESK.email, HELPDESK.password).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof SignInRefused && err.kind === 'not_allowed', String(err));
    assert.deepEqual(err.roles, [emu.state.roles.get('Helpdesk')]);
  });
});
