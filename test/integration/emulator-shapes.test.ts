/**
 * The SOAR emulator's answers against the project's fixtures of SOAR's answers
 * (test/fixtures/soar/, each naming its public source), key by key and type by type, over real
 * HTTPS: sessions, the org object, constants, incidents, queries, datatable rows, tasks, notes,
 * artifacts, attachments, definitions, configuration export and import, status and error bodies.
 * Where SOAR answers differently with `handle_format=names`, both formats are held to their own
 * fixture. A difference here means the emulator does not answer as SOAR does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildExport, customization } from '../../customize/build.js';
import { TABLE } from '../../src/clearing/distribution-table.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { installCustomization } from '../../src/app/customize.js';
import { SoarClient } from '../../src/soar/client.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { makeTestPki } from '../support/certs.js';
import { memoryLogger } from '../support/loggers.js';
import { restFor, type RestReply } from '../support/export-builder.js';
import { readFixture, shapeDifferences } from '../support/shape.js';

type Answer = RestReply;

let dir: string;
let emu: SoarEmulator;
let soar: SoarClient;
let call: ReturnType<typeof restFor>;
const ids = { incident: 0, task: 0, attachment: 0 };

const ANALYST = { email: 'analyst@example.org', password: 'An4lyst!pass', fname: 'Ann', lname: 'Analyst', roles: ['Analyst'] };

async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonValue> {
  const a = await call(method, path, body, headers);
  assert.equal(a.status, 200, `${method} ${path}: ${JSON.stringify(a.body)}`);
  return a.body!;
}

/** Holds an answer to its fixture; the message lists every difference and the fixture's source. */
function sameShape(fixtureName: string, answer: Answer, status = 200): void {
  const f = readFixture(fixtureName);
  assert.equal(answer.status, status, `${f._request}: status ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)}`);
  const diffs = shapeDifferences(f, answer.body);
  assert.deepEqual(diffs, [], `${fixtureName} (${f._request}) differs from SOAR's shape (source: ${f._source})`);
}

const names = (path: string): string => `${path}${path.includes('?') ? '&' : '?'}handle_format=names`;

function multipart(name: string, type: string, content: string): { body: Buffer; contentType: string } {
  const boundary = '----shapes' + Date.now().toString(16);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-shapes-'));
  const pki = makeTestPki(dir);
  emu = await SoarEmulator.start({ pki });
  call = restFor(emu);
  emu.state.addUser(ANALYST);
  soar = await SoarClient.connect(emu.soarConfig());
  await installCustomization(soar, buildExport(), customization.destination, memoryLogger().log);

  // One incident with a child of every kind, written as IBM's clients write them: handles as ids.
  const inc = (await ok('POST', '/incidents', {
    name: 'Suspicious login to the payroll portal',
    description: { format: 'html', content: '<p>Three failed logins, then one from a new country.</p>' },
    discovered_date: Date.now() - 3_600_000,
    severity_code: 51,
    incident_type_ids: [17],
    confirmed: true,
  })) as JsonObject;
  ids.incident = inc['id'] as number;
  const task = (await ok('POST', `/incidents/${ids.incident}/tasks`, {
    name: 'Check the login source', instructions: { format: 'html', content: '<p>Where from?</p>' }, phase_id: 1002,
  })) as JsonObject;
  ids.task = task['id'] as number;
  await ok('POST', `/incidents/${ids.incident}/comments`, { text: { format: 'html', content: '<div>Copy requested by the US desk.</div>' } });
  await ok('POST', `/incidents/${ids.incident}/artifacts`, { type: 1, value: '198.51.100.23', description: 'Source of the login' });
  const file = multipart('headers.eml', 'message/rfc822', 'Received: from mail.example.org\r\n');
  const att = (await ok('POST', `/incidents/${ids.incident}/attachments`, file.body, { 'Content-Type': file.contentType })) as JsonObject;
  ids.attachment = att['id'] as number;
  await ok('POST', names(`/incidents/${ids.incident}/table_data/${TABLE}/row_data`), {
    cells: { brand: { value: 'soar3' }, distribute: { value: true }, status: { value: 'Pending' } },
  });
});

after(async () => {
  await soar?.close().catch(() => undefined);
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One request per fixture: what IBM's clients send for the answer the fixture holds. */
const CASES: ReadonlyArray<readonly [fixture: string, ask: () => Promise<Answer>, status?: number]> = [
  ['session-apikey', () => call('GET', '/rest/session')],
  ['session-password', () => call('POST', '/rest/session', { email: ANALYST.email, password: ANALYST.password }, { Authorization: '' })],
  ['org', () => call('GET', `/rest/orgs/${emu.orgId}`)],
  ['const', () => call('GET', '/rest/const')],
  ['incident-ids', () => call('GET', `/incidents/${ids.incident}`)],
  ['incident-names', () => call('GET', names(`/incidents/${ids.incident}`))],
  ['query-paged-ids', () => call('POST', '/incidents/query_paged?return_level=normal', QUERY())],
  ['query-paged-names', () => call('POST', names('/incidents/query_paged?return_level=normal'), QUERY())],
  ['table-data-ids', () => call('GET', `/incidents/${ids.incident}/table_data/${TABLE}`)],
  ['table-data-names', () => call('GET', names(`/incidents/${ids.incident}/table_data/${TABLE}`))],
  ['tasks-ids', () => call('GET', `/incidents/${ids.incident}/tasks`)],
  ['tasks-names', () => call('GET', names(`/incidents/${ids.incident}/tasks`))],
  ['status', async () => call('PUT', `/tasks/${ids.task}`, { ...((await ok('GET', `/tasks/${ids.task}`)) as JsonObject), status: 'C' })],
  ['error', () => call('GET', '/incidents/987654321'), 404],
  ['notes', () => call('GET', `/incidents/${ids.incident}/comments`)],
  ['artifacts-ids', () => call('GET', `/incidents/${ids.incident}/artifacts`)],
  ['artifacts-names', () => call('GET', names(`/incidents/${ids.incident}/artifacts`))],
  ['attachments', () => call('GET', `/incidents/${ids.incident}/attachments`)],
  ['attachment', () => call('GET', `/incidents/${ids.incident}/attachments/${ids.attachment}`)],
  ['message-destinations-ids', () => call('GET', '/message_destinations')],
  ['message-destinations-names', () => call('GET', names('/message_destinations'))],
  ['functions', () => call('GET', '/functions')],
  ['rules', () => call('GET', '/actions')],
  ['workflows', () => call('GET', '/workflows')],
  ['types', () => call('GET', '/types')],
  ['incident-fields', () => call('GET', '/types/incident/fields')],
  ['connectors-queues', () => call('GET', '/connectors/queues')],
  ['configuration-export', () => call('POST', '/configurations/exports', { layouts: true, actions: true, phases_and_tasks: true, playbooks: true })],
  ['configuration-import', () => call('POST', '/configurations/imports', buildExport())],
];

const QUERY = (): JsonObject => ({
  filters: [{ conditions: [{ field_name: 'id', method: 'equals', value: ids.incident }] }],
  sorts: [{ field_name: 'create_date', type: 'desc' }],
  start: 0,
  length: 10,
});

describe('emulator answers in SOAR\'s shapes', () => {
  for (const [fixture, ask, status] of CASES) {
    test(`${fixture}: ${readFixture(fixture)._request}`, async () => {
      sameShape(fixture, await ask(), status);
    });
  }

  test('a datatable\'s select cell: its option id without names, its label with names', async () => {
    const cells = async (path: string): Promise<JsonObject> =>
      (((await ok('GET', path)) as JsonObject)['rows'] as JsonObject[])[0]!['cells'] as JsonObject;
    const byName = await cells(names(`/incidents/${ids.incident}/table_data/${TABLE}`));
    assert.equal((byName['status'] as JsonObject)['value'], 'Pending');
    const byId = await cells(`/incidents/${ids.incident}/table_data/${TABLE}`);
    const numbers = Object.values(byId).filter((c) => typeof (c as JsonObject)['value'] === 'number');
    assert.equal(numbers.length, 1, `the status cell holds its option id: ${JSON.stringify(byId)}`);
  });

  test('PUT /configurations/imports/<id> ACCEPTED answers the import again', async () => {
    const posted = (await ok('POST', '/configurations/imports', buildExport())) as JsonObject;
    sameShape('configuration-import', await call('PUT', `/configurations/imports/${String(posted['id'])}`, { ...posted, status: 'ACCEPTED' }));
  });
});
