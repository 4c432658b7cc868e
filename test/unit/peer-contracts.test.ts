/**
 * The peer API's contracts (src/clearing/contracts): paths built from the operations, answer
 * checks that let a well-formed answer through and refuse a malformed one, the wire limits
 * held to the config's, and the typed calls going through the one request function.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACKNOWLEDGEMENTS, ackPath, checkAckAnswer, reportAcknowledgement } from '../../src/clearing/contracts/acknowledgements.js';
import {
  abortPush,
  beginPush,
  checkNodePushResult,
  commitPush,
  CONFIG_PUSH_ABORT,
  CONFIG_PUSH_BEGIN,
  CONFIG_PUSH_CHUNK,
  CONFIG_PUSH_COMMIT,
  sendChunk,
} from '../../src/clearing/contracts/config-push.js';
import { checkDistributeAnswer, DISTRIBUTE, deliverCopy, distributePath, MIN_DELIVERY_TIMEOUT_MS } from '../../src/clearing/contracts/distribute.js';
import { checkHealthAnswer, HEALTH } from '../../src/clearing/contracts/health.js';
import { type PeerCaller, type PeerMethod, pathOf, PEER_API_V1 } from '../../src/clearing/contracts/peer-api.js';
import { PeerError } from '../../src/clearing/contracts/peer-error.js';
import {
  checkSharedDetail,
  checkSharedList,
  getSharedIncident,
  incidentIdParam,
  pageParams,
  SHARED_DETAIL,
  SHARED_LIST,
  sharedListPath,
} from '../../src/clearing/contracts/shared-view.js';
import { WIRE_BUNDLE_MAX_BYTES } from '../../src/clearing/contracts/wire-bundle.js';
import { MAX_TOTAL_BYTES_LIMIT } from '../../src/config/whitelist.js';
import { ClearingError, ErrorCode } from '../../src/core/errors.js';
import { compilePath } from '../../src/http/router.js';

/** A caller answering `answer` and recording what it was asked. */
function fakeCaller(answer: unknown): PeerCaller & { calls: { method: PeerMethod; path: string; body: unknown; options: unknown }[] } {
  const calls: { method: PeerMethod; path: string; body: unknown; options: unknown }[] = [];
  return {
    peer: { id: 'us' },
    calls,
    async request<R>(method: PeerMethod, path: string, body?: unknown, options?: unknown): Promise<R> {
      calls.push({ method, path, body, options });
      return answer as R;
    },
  };
}

const OPERATIONS = [HEALTH, DISTRIBUTE, ACKNOWLEDGEMENTS, SHARED_LIST, SHARED_DETAIL, CONFIG_PUSH_BEGIN, CONFIG_PUSH_CHUNK, CONFIG_PUSH_COMMIT, CONFIG_PUSH_ABORT];

test('every operation has a versioned path the router compiles', () => {
  for (const op of OPERATIONS) {
    assert.ok(op.path.startsWith(PEER_API_V1), op.path);
    assert.doesNotThrow(() => compilePath(op.path), op.path);
  }
});

test('pathOf fills and encodes the parameters, and adds the query', () => {
  assert.equal(pathOf({ path: '/api/v1/brands/:brand/shared/:owner/:id' }, { brand: 'a b', owner: 'x/y', id: 7 }), '/api/v1/brands/a%20b/shared/x%2Fy/7');
  assert.equal(pathOf({ path: '/api/v1/brands/:brand/shared' }, { brand: 'soar1' }, { page: 2, per_page: 50 }), '/api/v1/brands/soar1/shared?page=2&per_page=50');
  assert.throws(() => pathOf({ path: '/api/v1/brands/:brand' }, {}), /no value for :brand/);
  assert.equal(distributePath('soar3'), '/api/v1/brands/soar3/incidents');
});

test('a wire bundle holds the largest filtered incident a whitelist allows, with 8 MiB for the framing', () => {
  assert.equal(WIRE_BUNDLE_MAX_BYTES, MAX_TOTAL_BYTES_LIMIT + 8 * 1024 * 1024);
  assert.equal(DISTRIBUTE.maxBodyBytes, WIRE_BUNDLE_MAX_BYTES);
});

test('the health answer check: an older node answers without protocol and brands, and is still valid', () => {
  const time = '2026-12-04T18:00:00.000Z';
  assert.deepEqual(checkHealthAnswer('us', { node: 'us', version: '0.1.0', time }), { node: 'us', version: '0.1.0', time });
  const full = { node: 'us', version: '0.2.0', time, protocol: 1, brands: ['soar3'], your_brands: ['soar2'] };
  assert.deepEqual(checkHealthAnswer('us', full), full);
  for (const bad of [{ node: 'us' }, { node: 'us', version: '1', time: 'now' }, { ...full, protocol: '1' }, { ...full, protocol: 0 }, { ...full, brands: 'soar3' }, { ...full, your_brands: [3] }]) {
    assert.throws(() => checkHealthAnswer('us', bad), (e: unknown) => e instanceof PeerError && e.remoteCode === 'response_malformed', JSON.stringify(bad));
  }
});

test('the distribute answer check keeps the words of the distribution row', () => {
  assert.deepEqual(checkDistributeAnswer('us', { remote_incident_id: 12, created: true }), { remote_incident_id: 12, created: true });
  for (const bad of [null, [], { remote_incident_id: '12', created: true }, { remote_incident_id: 12 }, { remote_incident_id: 1.5, created: false }]) {
    assert.throws(() => checkDistributeAnswer('us', bad), (e: unknown) => e instanceof ClearingError && e.code === ErrorCode.PeerError && /^node us answered without a remote incident id: /.test(e.message));
  }
});

test('deliverCopy posts the body to the receiving brand with at least the delivery timeout', async () => {
  const caller = fakeCaller({ remote_incident_id: 3, created: false });
  const body = { origin: { node: 'eu', brand: 'soar1', incident_id: 1 }, incident: {}, notes: [], artifacts: [], attachments: [], tasks: [], dropped: { incident_fields: 0, properties: 0, notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncated_values: 0 } };
  assert.deepEqual(await deliverCopy(caller, 'soar3', body, { timeoutMs: 5000 }), { remote_incident_id: 3, created: false });
  assert.deepEqual(caller.calls, [{ method: 'POST', path: '/api/v1/brands/soar3/incidents', body, options: { timeoutMs: MIN_DELIVERY_TIMEOUT_MS } }]);
});

test('acknowledgements: the path, the answer check and the typed call', async () => {
  assert.equal(ackPath('soar1', 42), '/api/v1/brands/soar1/incidents/42/acknowledgements');
  assert.deepEqual(checkAckAnswer('eu', { status: 'Acknowledged', changed: true }), { status: 'Acknowledged', changed: true });
  for (const bad of [undefined, { status: 'Seen', changed: true }, { status: 'Pending' }]) {
    assert.throws(() => checkAckAnswer('eu', bad), (e: unknown) => e instanceof PeerError && e.remoteCode === 'response_malformed');
  }
  const caller = fakeCaller({ status: 'Resolved', changed: false });
  const report = { receiving_brand: 'soar3', remote_incident_id: 9, status: 'Resolved' as const, at: 1 };
  assert.deepEqual(await reportAcknowledgement(caller, 'soar1', 42, report), { status: 'Resolved', changed: false });
  assert.deepEqual(caller.calls, [{ method: 'PUT', path: '/api/v1/brands/soar1/incidents/42/acknowledgements', body: report, options: {} }]);
});

test('shared view: the list query and the detail id are checked as the route answers them', () => {
  assert.deepEqual(pageParams(new URLSearchParams('')), { page: 1, perPage: 50 });
  assert.deepEqual(pageParams(new URLSearchParams('page=3&per_page=200')), { page: 3, perPage: 200 });
  for (const bad of ['page=0', 'per_page=201', 'page=01', 'page=1&page=2', 'sort=name']) {
    assert.throws(() => pageParams(new URLSearchParams(bad)), (e: unknown) => e instanceof ClearingError && e.code === ErrorCode.InputInvalid && e.httpStatus === 400, bad);
  }
  assert.equal(incidentIdParam('42'), 42);
  assert.throws(() => incidentIdParam('042'), /positive integer/);
  assert.equal(sharedListPath('soar3', 2, 10), '/api/v1/brands/soar3/shared?page=2&per_page=10');
});

test('shared view: the list answer check counts malformed items and names the answering node as owner_node', () => {
  const good = { owner_brand: 'soar1', owner_node: 'elsewhere', incident_id: 5, incident: { name: 'x' } };
  const checked = checkSharedList('eu', { total: 3.7, items: [good, { owner_brand: 'soar1', incident_id: 0, incident: {} }, 'junk'], unavailable: [{ brand: 'soar2', code: 'soar_unreachable', message: 'down' }, 7] });
  assert.deepEqual(checked, {
    total: 3,
    items: [{ owner_brand: 'soar1', owner_node: 'eu', incident_id: 5, incident: { name: 'x' } }],
    unavailable: [{ brand: 'soar2', code: 'soar_unreachable', message: 'down' }],
    malformed: 2,
  });
  for (const bad of [[], { items: [] }, { total: 'many', items: [] }, { total: Infinity, items: [] }]) {
    assert.throws(() => checkSharedList('eu', bad), (e: unknown) => e instanceof PeerError && e.remoteCode === 'response_malformed');
  }
});

test('shared view: the detail answer must be the incident asked, and is asked with the wire bundle limit', async () => {
  const detail = { owner_brand: 'soar1', owner_node: 'x', incident_id: 5, incident: {}, notes: [], artifacts: [{}], attachments: [], tasks: [], dropped: {} };
  assert.equal(checkSharedDetail('eu', 'soar1', 5, detail).owner_node, 'eu');
  for (const bad of [{ ...detail, incident_id: 6 }, { ...detail, owner_brand: 'soar2' }, { ...detail, notes: ['text'] }, { ...detail, dropped: null }]) {
    assert.throws(() => checkSharedDetail('eu', 'soar1', 5, bad), (e: unknown) => e instanceof PeerError && e.remoteCode === 'response_malformed');
  }
  const caller = fakeCaller(detail);
  await getSharedIncident(caller, 'soar3', 'soar1', 5);
  assert.deepEqual(caller.calls, [{ method: 'GET', path: '/api/v1/brands/soar3/shared/soar1/5', body: undefined, options: { maxResponseBytes: WIRE_BUNDLE_MAX_BYTES } }]);
});

test('config push: the typed calls, their paths and time limits, and the commit answer check', async () => {
  const manifest = { json_bytes: 10, bytes: 5, sha256: 'a'.repeat(64), chunk_count: 1, chunk_bytes: 5 };
  const begin = fakeCaller({ push_id: 'p 1', chunks_expected: 1 });
  assert.deepEqual(await beginPush(begin, 'p 1', { reason: 'r', dry_run: false, manifest }), { push_id: 'p 1', chunks_expected: 1 });
  assert.deepEqual(begin.calls.map((c) => [c.method, c.path]), [['PUT', '/api/v1/config-pushes/p%201']]);
  const chunk = fakeCaller({ received: 0 });
  await sendChunk(chunk, 'p1', 0, { sha256: 'b'.repeat(64), data: 'AAAA' });
  assert.deepEqual(chunk.calls.map((c) => [c.method, c.path, c.options]), [['PUT', '/api/v1/config-pushes/p1/chunks/0', { timeoutMs: 120_000 }]]);
  const brand = { brand: 'soar3', node: 'us', outcome: 'imported', reason: null, import_id: 4, messages: [], added: ['script: a'], changed: [], unchanged: 2 };
  const result = { node: 'us', push_id: 'p1', ok: true, error: null, brands: [brand] };
  const commit = fakeCaller(result);
  assert.deepEqual(await commitPush(commit, 'p1'), result);
  assert.deepEqual(commit.calls.map((c) => [c.method, c.path, c.body, c.options]), [['POST', '/api/v1/config-pushes/p1/commit', {}, { timeoutMs: 600_000 }]]);
  for (const bad of [{ ...result, ok: 'yes' }, { ...result, brands: [{ ...brand, outcome: 'done' }] }, { ...result, brands: [{ ...brand, messages: [1] }] }]) {
    assert.throws(() => checkNodePushResult('us', bad), (e: unknown) => e instanceof PeerError && e.remoteCode === 'response_malformed');
  }
  const abort = fakeCaller({ aborted: true });
  assert.deepEqual(await abortPush(abort, 'p1'), { aborted: true });
  assert.deepEqual(abort.calls.map((c) => [c.method, c.path]), [['POST', '/api/v1/config-pushes/p1/abort']]);
});
