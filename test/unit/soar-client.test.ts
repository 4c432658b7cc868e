/**
 * SoarClient driven through a stub axios adapter: no socket is ever opened.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { AxiosError, AxiosHeaders, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import type { SoarConfig } from '../../src/config/types.js';
import { ErrorCode } from '../../src/core/errors.js';
import { SoarClient } from '../../src/soar/client.js';
import {
  SoarAbortedError,
  SoarAuthError,
  SoarConflictError,
  SoarOrgError,
  SoarRequestError,
  SoarUnreachableError,
} from '../../src/soar/errors.js';
import { collectingLogger } from '../support/loggers.js';

const SECRET = 'api-secret-XYZ-123';
const PASSWORD = 'pw-Very-Secret-9';
const CSRF = 'csrf-token-abcdef-0001';
const SID = 'SESSION-ID-0000-1111';

interface StubRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  params: Record<string, string> | undefined;
}
type StubAnswer = { status: number; body?: unknown; headers?: Record<string, string | string[]> } | { error: string; message?: string };

function stub(handler: (r: StubRequest) => StubAnswer | Promise<StubAnswer>): { adapter: AxiosAdapter; seen: StubRequest[] } {
  const seen: StubRequest[] = [];
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(AxiosHeaders.from(config.headers).toJSON())) headers[k.toLowerCase()] = String(v);
    const req: StubRequest = {
      method: String(config.method).toUpperCase(),
      url: String(config.url),
      headers,
      body: typeof config.data === 'string' ? (JSON.parse(config.data) as unknown) : undefined,
      params: config.params as Record<string, string> | undefined,
    };
    seen.push(req);
    if (config.signal?.aborted) throw new AxiosError('canceled', 'ERR_CANCELED', config);
    const a = await handler(req);
    if ('error' in a) throw new AxiosError(a.message ?? a.error, a.error, config);
    return {
      data: a.body === undefined ? '' : JSON.stringify(a.body),
      status: a.status,
      statusText: '',
      headers: a.headers ?? {},
      config,
      request: {},
    };
  };
  return { adapter, seen };
}

const ORGS = [
  { id: 201, name: 'Test Organization', enabled: true, uuid: 'u-201', cloud_account: 'ca-201' },
  { id: 404, name: 'Disabled Org', enabled: false, uuid: 'u-404', cloud_account: null },
];

function cfg(over: Partial<SoarConfig> = {}): SoarConfig {
  return {
    host: 'soar.invalid',
    port: 443,
    org: 'Test Organization',
    auth: { kind: 'api_key', api_key_id: 'key-1', api_key_secret: SECRET },
    tls: { verify: true, cafile: null },
    resource_prefix: '',
    timeout_ms: 2000,
    retry: { retries: 2, backoff_ms: 1, max_backoff_ms: 2 },
    proxy: null,
    ...over,
  };
}

const passwordCfg = (): SoarConfig => cfg({ auth: { kind: 'password', email: 'a@example.com', password: PASSWORD } });


/** A small fake SOAR: session, org, one incident. */
function fakeSoar(opts: { password?: boolean } = {}) {
  let loggedIn = 0;
  let sessionValid = true;
  const incident = { id: 5, name: 'i', vers: 3, properties: {} as Record<string, unknown> };
  const handler = (r: StubRequest): StubAnswer => {
    if (r.url === '/rest/session' && r.method === 'POST') {
      const b = r.body as { email: string; password: string };
      if (b.password !== PASSWORD) return { status: 401, body: { success: false, message: `bad password ${b.password}` } };
      loggedIn++;
      sessionValid = true;
      return { status: 200, body: { csrf_token: CSRF, user_id: 1, orgs: ORGS }, headers: { 'set-cookie': [`JSESSIONID=${SID}; Path=/; Secure`] } };
    }
    if (opts.password) {
      if (r.headers['cookie'] !== `JSESSIONID=${SID}` || r.headers['x-sess-id'] !== CSRF || !sessionValid) {
        return { status: 401, body: { success: false, message: 'session expired' } };
      }
    } else if (r.headers['authorization'] !== `Basic ${Buffer.from(`key-1:${SECRET}`).toString('base64')}`) {
      return { status: 401, body: { success: false, message: 'no' } };
    }
    if (r.url === '/rest/session' && r.method === 'GET') return { status: 200, body: { csrf_token: 'x', user_id: 1, orgs: ORGS } };
    if (r.url === '/rest/orgs/201') return { status: 200, body: ORGS[0] };
    if (r.url === '/rest/const') return { status: 200, body: { server_version: { major: 51, minor: 0, build_number: 0, version: '51.0.0' }, max_page_size: 100 } };
    if (r.url === '/rest/orgs/201/incidents/5' && r.method === 'GET') return { status: 200, body: incident };
    if (r.url === '/rest/orgs/201/incidents/5' && r.method === 'PUT') {
      const b = r.body as typeof incident;
      if (b.vers !== incident.vers) return { status: 409, body: { success: false, message: 'stale' } };
      Object.assign(incident, b, { vers: incident.vers + 1 });
      return { status: 200, body: incident };
    }
    return { status: 404, body: { success: false, title: null, message: `nothing at ${r.url}`, hints: [], error_code: 'generic' } };
  };
  return {
    handler,
    incident,
    get logins() {
      return loggedIn;
    },
    expire() {
      sessionValid = false;
    },
  };
}

describe('SoarClient (stub transport)', () => {
  it('API key: Basic on every call, org resolved, GET /rest/orgs/<id>', async () => {
    const soar = fakeSoar();
    const { adapter, seen } = stub(soar.handler);
    const c = await SoarClient.connect(cfg(), { adapter });
    assert.equal(c.orgId, 201);
    assert.equal(c.org.name, 'Test Organization');
    assert.equal(c.identity.kind, 'api_key');
    assert.deepEqual(seen.map((r) => `${r.method} ${r.url}`), ['GET /rest/session', 'GET /rest/orgs/201']);
    assert.ok(seen.every((r) => r.headers['authorization']?.startsWith('Basic ')));
    assert.ok(seen.every((r) => r.headers['x-sess-id'] === undefined && r.headers['cookie'] === undefined));
  });

  it('org by cloud_account; disabled org refused', async () => {
    const soar = fakeSoar();
    assert.equal((await SoarClient.connect(cfg({ org: 'ca-201' }), { adapter: stub(soar.handler).adapter })).orgId, 201);
    await assert.rejects(SoarClient.connect(cfg({ org: 'Disabled Org' }), { adapter: stub(soar.handler).adapter }), SoarOrgError);
  });

  it('wrong API key -> SoarAuthError without the secret', async () => {
    const { adapter } = stub(() => ({ status: 401, body: { success: false, message: `key rejected: ${SECRET}` } }));
    await assert.rejects(SoarClient.connect(cfg(), { adapter }), (err: unknown) => {
      assert.ok(err instanceof SoarAuthError);
      assert.equal(err.code, ErrorCode.SoarAuth);
      assert.ok(!inspect(err, { depth: 10 }).includes(SECRET));
      assert.match(err.message, /key rejected: \*\*\*/);
      return true;
    });
  });

  it('password: csrf + cookie on later calls; a 401 re-logs in once and repeats', async () => {
    const soar = fakeSoar({ password: true });
    const { adapter, seen } = stub(soar.handler);
    const c = await SoarClient.connect(passwordCfg(), { adapter });
    assert.equal(soar.logins, 1);
    assert.equal(seen[0]?.headers['authorization'], undefined);
    assert.equal(seen[1]?.headers['x-sess-id'], CSRF);
    assert.equal(seen[1]?.headers['cookie'], `JSESSIONID=${SID}`);
    soar.expire();
    const results = await Promise.all([c.getIncident(5), c.getIncident(5), c.getIncident(5)]);
    assert.equal(results.length, 3);
    assert.equal(soar.logins, 2, 'concurrent 401s share one re-login');
  });

  it('password: 401 that persists after re-login -> SoarAuthError (no loop)', async () => {
    const soar = fakeSoar({ password: true });
    let block = false;
    const { adapter, seen } = stub((r) => (block && r.url !== '/rest/session' ? { status: 401, body: { success: false, message: 'revoked' } } : soar.handler(r)));
    const c = await SoarClient.connect(passwordCfg(), { adapter });
    block = true;
    const before = seen.length;
    await assert.rejects(c.getIncident(5), SoarAuthError);
    assert.deepEqual(seen.slice(before).map((r) => r.method + ' ' + r.url), [
      'GET /rest/orgs/201/incidents/5',
      'POST /rest/session',
      'GET /rest/orgs/201/incidents/5',
    ]);
  });

  it('wrong password -> SoarAuthError, password redacted', async () => {
    const soar = fakeSoar({ password: true });
    const { adapter } = stub(soar.handler);
    const bad = cfg({ auth: { kind: 'password', email: 'a@example.com', password: 'Wrong-Password-1' } });
    await assert.rejects(SoarClient.connect(bad, { adapter }), (err: unknown) => {
      assert.ok(err instanceof SoarAuthError);
      assert.ok(!err.message.includes('Wrong-Password-1'));
      return true;
    });
  });

  it('GET retried on 503 and reset; exhausted -> SoarUnreachableError', async () => {
    const soar = fakeSoar();
    const faults: StubAnswer[] = [];
    const { adapter, seen } = stub((r) => faults.shift() ?? soar.handler(r));
    const c = await SoarClient.connect(cfg(), { adapter });
    faults.push({ status: 503, body: { success: false, message: 'busy' } }, { error: 'ECONNRESET', message: 'socket hang up' });
    assert.equal((await c.getIncident(5)).id, 5);
    faults.push({ status: 503 }, { status: 502 }, { status: 503, body: { success: false, message: 'still busy' } });
    const before = seen.length;
    await assert.rejects(c.getIncident(5), (err: unknown) => {
      assert.ok(err instanceof SoarUnreachableError);
      assert.equal(err.retryable, true);
      assert.equal(err.attempts, 3);
      assert.equal(err.lastStatus, 503);
      assert.match(err.message, /still busy/);
      return true;
    });
    assert.equal(seen.length - before, 3);
  });

  it('POST: not repeated on 503 or reset, repeated on connection refused', async () => {
    const soar = fakeSoar();
    const faults: StubAnswer[] = [];
    const { adapter, seen } = stub((r) => faults.shift() ?? soar.handler(r));
    const c = await SoarClient.connect(cfg(), { adapter });

    faults.push({ status: 503, body: { success: false, message: 'busy' } });
    let before = seen.length;
    await assert.rejects(c.post('/incidents', { name: 'x' }), (err: unknown) => err instanceof SoarRequestError && err.status === 503);
    assert.equal(seen.length - before, 1);

    faults.push({ error: 'ECONNRESET' });
    before = seen.length;
    await assert.rejects(c.post('/incidents', { name: 'x' }), (err: unknown) => {
      assert.ok(err instanceof SoarUnreachableError);
      assert.equal(err.maybeApplied, true);
      return true;
    });
    assert.equal(seen.length - before, 1);

    faults.push({ error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' });
    before = seen.length;
    await assert.rejects(c.post('/nothing', {}), (err: unknown) => err instanceof SoarRequestError && err.status === 404);
    assert.equal(seen.length - before, 3);

    // query_paged is a read: retried like a GET
    await c.getMaxPageSize();
    faults.push({ status: 503 });
    before = seen.length;
    await assert.rejects(c.queryIncidentsPaged({ filters: [] }), (err: unknown) => err instanceof SoarRequestError && err.status === 404);
    assert.equal(seen.length - before, 2);
  });

  it('4xx is not retried and carries the SOAR message', async () => {
    const soar = fakeSoar();
    const { adapter, seen } = stub(soar.handler);
    const c = await SoarClient.connect(cfg(), { adapter });
    const before = seen.length;
    await assert.rejects(c.get('/nope'), (err: unknown) => {
      assert.ok(err instanceof SoarRequestError);
      assert.equal(err.status, 404);
      assert.equal(err.method, 'GET');
      assert.equal(err.path, '/rest/orgs/201/nope');
      assert.equal(err.soarMessage, 'nothing at /rest/orgs/201/nope');
      assert.equal(err.soarErrorCode, 'generic');
      return true;
    });
    assert.equal(seen.length - before, 1);
  });

  it('skipRetry sends once', async () => {
    const soar = fakeSoar();
    const faults: StubAnswer[] = [];
    const { adapter, seen } = stub((r) => faults.shift() ?? soar.handler(r));
    const c = await SoarClient.connect(cfg(), { adapter });
    faults.push({ status: 503 });
    const before = seen.length;
    await assert.rejects(c.getIncident(5, { skipRetry: true }), (err: unknown) => err instanceof SoarRequestError && err.status === 503);
    assert.equal(seen.length - before, 1);
  });

  it('getPut: copies vers, re-reads on 409, null = no PUT, gives up with SoarConflictError', async () => {
    const soar = fakeSoar();
    const faults: StubAnswer[] = [];
    const { adapter, seen } = stub((r) => (r.method === 'PUT' && faults.length ? faults.shift()! : soar.handler(r)));
    const c = await SoarClient.connect(cfg(), { adapter });

    let calls = 0;
    const r1 = await c.getPut<{ id: number; name: string; vers?: number }>('/incidents/5', (cur) => {
      calls++;
      return { id: cur.id, name: `renamed ${calls}` }; // no vers: taken from the GET
    });
    assert.equal(r1?.name, 'renamed 1');
    assert.equal(soar.incident.vers, 4);

    faults.push({ status: 409, body: { success: false, message: 'stale' } }, { status: 409 });
    calls = 0;
    const r2 = await c.updateIncident(5, (cur) => ({ ...cur, name: 'second' }));
    assert.equal(r2?.name, 'second');
    assert.equal(seen.filter((r) => r.method === 'PUT').length, 4);

    const before = seen.length;
    assert.equal(await c.updateIncident(5, () => null), null);
    assert.deepEqual(seen.slice(before).map((r) => r.method), ['GET']);

    for (let i = 0; i < 5; i++) faults.push({ status: 409 });
    await assert.rejects(c.updateIncident(5, (cur) => ({ ...cur, name: 'x' }), { attempts: 3 }), (err: unknown) => {
      assert.ok(err instanceof SoarConflictError);
      assert.equal(err.attempts, 3);
      assert.equal(err.code, ErrorCode.SoarConflict);
      return true;
    });
  });

  it('getPut with current: no first GET; a stale copy re-reads on 409; null on it sends nothing', async () => {
    const soar = fakeSoar();
    const { adapter, seen } = stub(soar.handler);
    const c = await SoarClient.connect(cfg(), { adapter });
    const read = await c.getIncident(5);

    let before = seen.length;
    await c.updateIncident(5, (cur) => ({ ...cur, name: 'from the copy' }), { current: read });
    assert.deepEqual(seen.slice(before).map((r) => r.method), ['PUT']);
    assert.equal(soar.incident.name, 'from the copy');

    before = seen.length;
    await c.updateIncident(5, (cur) => ({ ...cur, name: 'after a conflict' }), { current: read }); // read's vers is stale now
    assert.deepEqual(seen.slice(before).map((r) => r.method), ['PUT', 'GET', 'PUT']);
    assert.equal(soar.incident.name, 'after a conflict');

    before = seen.length;
    assert.equal(await c.updateIncident(5, () => null, { current: read }), null);
    assert.equal(seen.length, before);
  });

  it('withContextToken adds X-Co3ContextToken on the view only', async () => {
    const soar = fakeSoar();
    const { adapter, seen } = stub(soar.handler);
    const c = await SoarClient.connect(cfg(), { adapter });
    const v = c.withContextToken('jwt.token.here');
    await v.getIncident(5);
    await c.getIncident(5);
    assert.equal(seen.at(-2)?.headers['x-co3contexttoken'], 'jwt.token.here');
    assert.equal(seen.at(-1)?.headers['x-co3contexttoken'], undefined);
    assert.equal(v.orgId, c.orgId);
    assert.equal(v.withContextToken(null).contextToken, null);
  });

  it('an aborted signal stops the request (and its backoff)', async () => {
    const soar = fakeSoar();
    const { adapter } = stub((r) => (r.url.endsWith('/incidents/5') ? { status: 503 } : soar.handler(r)));
    const c = await SoarClient.connect(cfg({ retry: { retries: 5, backoff_ms: 10_000, max_backoff_ms: 10_000 } }), { adapter });
    const ctl = new AbortController();
    const p = c.getIncident(5, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await assert.rejects(p, (err: unknown) => err instanceof SoarAbortedError && err.code === ErrorCode.Aborted);
    await assert.rejects(c.getIncident(5, { signal: AbortSignal.abort() }), SoarAbortedError);
  });

  it('logs method, path, status and duration, never a secret', async () => {
    const soar = fakeSoar({ password: true });
    const faults: StubAnswer[] = [];
    const { adapter } = stub((r) => faults.shift() ?? soar.handler(r));
    const { logger, lines } = collectingLogger();
    const c = await SoarClient.connect(passwordCfg(), { adapter, logger });
    faults.push({ error: 'ECONNRESET', message: `reset ${PASSWORD}` });
    await c.getIncident(5);
    soar.expire();
    await c.getIncident(5);
    await assert.rejects(c.get('/nope'));
    const text = JSON.stringify(lines);
    for (const s of [PASSWORD, CSRF, SID]) assert.ok(!text.includes(s), `log contains ${s}`);
    const debug = lines.find((l) => Array.isArray(l) && l[0] === 'debug' && (l[2] as { status?: number })?.status === 200) as unknown[];
    assert.deepEqual(Object.keys(debug[2] as object).sort(), ['attempt', 'duration_ms', 'method', 'path', 'status']);
    assert.ok(lines.some((l) => Array.isArray(l) && l[0] === 'warn' && /retry 1\/2/.test(String(l[1]))));
  });

  it('verify:false logs exactly one warning', async () => {
    const soar = fakeSoar();
    const { logger, lines } = collectingLogger();
    const c = await SoarClient.connect(cfg({ tls: { verify: false, cafile: null } }), { adapter: stub(soar.handler).adapter, logger });
    await c.getIncident(5);
    const warns = lines.filter((l) => Array.isArray(l) && l[0] === 'warn');
    assert.equal(warns.length, 1);
    assert.match(String((warns[0] as unknown[])[1]), /TLS verification .* is OFF/);
  });

  it('an unreadable cafile is a config error', async () => {
    await assert.rejects(SoarClient.connect(cfg({ tls: { verify: true, cafile: '/nonexistent/ca.pem' } })), (err: unknown) => {
      return err instanceof Error && (err as { code?: string }).code === ErrorCode.ConfigInvalid && /^soar\.cafile: cannot read/.test(err.message);
    });
  });

  it('resource_prefix does not change the REST paths the client asks for', async () => {
    const soar = fakeSoar();
    const { adapter, seen } = stub(soar.handler);
    const c = await SoarClient.connect(cfg({ resource_prefix: '/soar' }), { adapter });
    assert.equal(c.restPath('/incidents/5'), '/rest/orgs/201/incidents/5');
    assert.equal(seen[0]?.url, '/rest/session');
  });
});

describe('SOAR answers the product copes with (IBM co3base / fn_datatable_utils readings)', () => {
  const ROW_PATH = '/rest/orgs/201/incidents/5/table_data/t/row_data/9';

  it('table rows are read with handle_format=names; a 404 (older SOAR, no rows) is no rows', async () => {
    const soar = fakeSoar();
    const { adapter, seen } = stub((r) => soar.handler(r));
    const c = await SoarClient.connect(cfg(), { adapter });
    assert.deepEqual((await c.getTableData(5, 't')).rows, []);
    const get = seen.at(-1)!;
    assert.equal(get.url, '/rest/orgs/201/incidents/5/table_data/t');
    assert.equal(get.params?.['handle_format'], 'names');
  });

  it('a row update sends the whole row with its version and retries a 409 on a fresh read', async () => {
    const soar = fakeSoar();
    const cell = (id: string, value: string | boolean | null) => ({ id, row_id: 9, value });
    let row = { id: 9, version: 4, cells: { brand: cell('brand', 'b'), read_only: cell('read_only', true), status: cell('status', null) } as Record<string, { id: string; row_id: number; value: string | boolean | null }> };
    let conflicts = 1;
    const { adapter, seen } = stub((r) => {
      if (r.url === '/rest/orgs/201/incidents/5/table_data/t' && r.method === 'GET') return { status: 200, body: { id: 1, rows: [row] } };
      if (r.url === ROW_PATH && r.method === 'PUT') {
        if (conflicts-- > 0) {
          row = { ...row, version: 5 };
          return { status: 409, body: { success: false, message: 'changed' } };
        }
        const b = r.body as { version: number; cells: typeof row.cells };
        row = { id: 9, version: b.version + 1, cells: b.cells };
        return { status: 200, body: row };
      }
      return soar.handler(r);
    });
    const c = await SoarClient.connect(cfg(), { adapter });
    const stale = { ...row, version: 3 };
    const out = await c.updateTableRow(5, 't', 9, { status: 'Pending' }, { current: stale });
    const puts = seen.filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 2);
    assert.deepEqual(puts.map((p) => (p.body as { version: number }).version), [3, 5]);
    assert.deepEqual((puts[1]!.body as { cells: unknown }).cells, { brand: { value: 'b' }, read_only: { value: true }, status: { value: 'Pending' } });
    assert.equal(puts[1]!.params?.['handle_format'], 'names');
    assert.equal(out.version, 6);
  });

  it('a decided row update (updateTableRowIf) decides again on the fresh row after a 409, and may then write nothing', async () => {
    const soar = fakeSoar();
    const cell = (id: string, value: string | null) => ({ id, row_id: 9, value });
    // Another writer (the region's other node) moved the row to Not Acknowledged meanwhile.
    const fresh = { id: 9, version: 5, cells: { brand: cell('brand', 'b'), status: cell('status', 'Not Acknowledged') } };
    const { adapter, seen } = stub((r) => {
      if (r.url === '/rest/orgs/201/incidents/5/table_data/t' && r.method === 'GET') return { status: 200, body: { id: 1, rows: [fresh] } };
      if (r.url === ROW_PATH && r.method === 'PUT') return { status: 409, body: { success: false, message: 'changed' } };
      return soar.handler(r);
    });
    const c = await SoarClient.connect(cfg(), { adapter });
    const stale = { id: 9, version: 4, cells: { brand: cell('brand', 'b'), status: cell('status', 'Pending') } };
    const decided: (string | null)[] = [];
    const out = await c.updateTableRowIf(5, 't', 9, (row) => {
      const status = row.cells['status']?.value ?? null;
      decided.push(status as string | null);
      return status === 'Pending' ? { status: 'Not Acknowledged' } : null;
    }, { current: stale });
    assert.equal(out, null, 'nothing written: the transition was made by the other writer');
    assert.deepEqual(decided, ['Pending', 'Not Acknowledged']);
    assert.equal(seen.filter((r) => r.method === 'PUT').length, 1);
  });

  it('an update answered with a StatusDTO (PUT /tasks/<id>) answers what was written; success false is an error', async () => {
    const soar = fakeSoar();
    let success = true;
    const task = { id: 7, name: 'Ack', status: 'O', vers: 1 };
    const { adapter } = stub((r) => {
      if (r.url === '/rest/orgs/201/tasks/7' && r.method === 'GET') return { status: 200, body: task };
      if (r.url === '/rest/orgs/201/tasks/7' && r.method === 'PUT') return { status: 200, body: { success, title: null, message: success ? null : 'frozen', hints: [] } };
      return soar.handler(r);
    });
    const c = await SoarClient.connect(cfg(), { adapter });
    assert.equal((await c.closeTask(7)).status, 'C');
    success = false;
    await assert.rejects(c.closeTask(7), (err: unknown) => err instanceof SoarRequestError && /frozen/.test(err.message));
  });

  it('query_paged: a window longer than max_page_size is read in pages with start; a short page ends it', async () => {
    const soar = fakeSoar();
    const { adapter, seen } = stub((r) => {
      if (r.url === '/rest/orgs/201/incidents/query_paged') {
        const b = r.body as { start: number; length: number };
        const total = 230;
        const data = Array.from({ length: Math.max(0, Math.min(b.length, total - b.start)) }, (_, i) => ({ id: b.start + i + 1 }));
        return { status: 200, body: { recordsTotal: total, recordsFiltered: total, data } };
      }
      return soar.handler(r);
    });
    const c = await SoarClient.connect(cfg(), { adapter });
    const all = await c.queryIncidentsPaged({ filters: [], start: 0, length: 1000 });
    assert.equal(all.data.length, 230);
    assert.equal(all.recordsFiltered, 230);
    const pages = seen.filter((r) => r.url.endsWith('/query_paged')).map((r) => r.body as { start: number; length: number });
    assert.deepEqual(pages.map((p) => [p.start, p.length]), [[0, 100], [100, 100], [200, 100]]);
    assert.equal(seen.filter((r) => r.url === '/rest/const').length, 1, 'max_page_size is read once');
    await c.queryIncidentsPaged({ filters: [], length: 10 });
    assert.equal(seen.filter((r) => r.url === '/rest/const').length, 1);
  });
});
