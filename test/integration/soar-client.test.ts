/**
 * SoarClient against the SOAR emulator over real HTTPS on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SoarConfig } from '../../src/config/types.js';
import { ErrorCode } from '../../src/core/errors.js';
import { SoarClient } from '../../src/soar/client.js';
import {
  SoarAuthError,
  SoarConflictError,
  SoarOrgError,
  SoarRequestError,
  SoarTlsError,
  SoarUnreachableError,
} from '../../src/soar/errors.js';
import type { Logger } from '../../src/core/types.js';
import { builtinSamples } from '../../sim/emulator/builtin-samples.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { collectingLogger } from '../support/loggers.js';

let dir: string;
let pki: TestPki;
let emu: SoarEmulator;
const clients: SoarClient[] = [];

async function connect(over: Partial<SoarConfig> = {}, logger?: Logger, target: SoarEmulator = emu): Promise<SoarClient> {
  const c = await SoarClient.connect(target.soarConfig(over), logger ? { logger } : {});
  clients.push(c);
  return c;
}


/** A value of the emulated org, as its session answer carries it. */
function orgField(id: number, key: string): string {
  return String(emu.state.orgs.get(id)?.[key]);
}

/** The emulated server's version (GET /rest/const). */
const SERVER_VERSION = builtinSamples().constInfo['server_version'] as { version: string; major: number };

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soar-client-pki-'));
  pki = makeTestPki(dir);
  emu = await SoarEmulator.start({ pki, incidentFields: ['custom1', 'custom2'] });
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('login and org', () => {
  it('API key: GET /rest/session with Basic, org by name, GET /rest/orgs/<id>', async () => {
    emu.clearRequests();
    const c = await connect();
    assert.equal(c.orgId, 201);
    assert.equal(c.org.name, 'Test Organization');
    assert.equal(c.org.cloud_account, orgField(201, 'cloud_account'));
    assert.deepEqual(
      emu.requests.map((r) => `${r.method} ${r.path} ${r.auth} ${r.status}`),
      ['GET /rest/session basic 200', 'GET /rest/orgs/201 basic 200'],
    );
  });

  it('org by cloud_account and by uuid', async () => {
    assert.equal((await connect({ org: orgField(202, 'cloud_account') })).orgId, 202);
    assert.equal((await connect({ org: orgField(201, 'uuid') })).orgId, 201);
  });

  it('a disabled org is refused, listing the orgs the account sees', async () => {
    await assert.rejects(connect({ org: 'Disabled Org' }), (err: unknown) => {
      assert.ok(err instanceof SoarOrgError);
      assert.match(err.message, /'Disabled Org' is disabled; orgs this account can see: 'Test Organization' \(id 201\), 'Test Organization 2' \(id 202\), 'Disabled Org' \(id 404, disabled\)/);
      return true;
    });
    await assert.rejects(connect({ org: 'Elsewhere' }), (err: unknown) => err instanceof SoarOrgError && err.reason === 'not_found');
  });

  it('wrong API key secret -> SoarAuthError (not retried, secret not shown)', async () => {
    emu.clearRequests();
    await assert.rejects(
      connect({ auth: { kind: 'api_key', api_key_id: 'test-key', api_key_secret: 'wrong-secret-123' } }),
      (err: unknown) => {
        assert.ok(err instanceof SoarAuthError);
        assert.equal(err.code, ErrorCode.SoarAuth);
        assert.equal(err.status, 401);
        assert.ok(!err.message.includes('wrong-secret-123'));
        return true;
      },
    );
    assert.equal(emu.requests.length, 1);
  });

  it('password: POST /rest/session, then cookie + X-sess-id; re-login after the session expired', async () => {
    const { logger, lines } = collectingLogger();
    emu.clearRequests();
    const c = await connect({ auth: emu.passwordAuth() }, logger);
    assert.equal(c.identity.kind, 'password');
    assert.equal(c.identity.displayName, 'Ada Admin');
    const inc = await c.createIncident({ name: 'password flow', discovered_date: Date.now() });
    assert.deepEqual(
      emu.requests.map((r) => `${r.method} ${r.path} ${r.auth} ${r.sessId}`),
      [
        'POST /rest/session none false',
        'GET /rest/orgs/201 session true',
        'POST /rest/orgs/201/incidents session true',
      ],
    );
    const csrfs = [...emu.state.sessions.values()].map((s) => s.csrf);
    const sids = [...emu.state.sessions.keys()];
    assert.equal(emu.expireSessions(), 1);

    const got = await c.getIncident(inc.id);
    assert.equal(got.name, 'password flow');
    assert.deepEqual(
      emu.requests.slice(3).map((r) => `${r.method} ${r.path} ${r.status}`),
      [
        `GET /rest/orgs/201/incidents/${inc.id} 401`,
        'POST /rest/session 200',
        `GET /rest/orgs/201/incidents/${inc.id} 200`,
      ],
    );
    const text = JSON.stringify(lines);
    for (const s of ['Passw0rd!', ...csrfs, ...sids, ...[...emu.state.sessions.values()].map((s) => s.csrf)]) {
      assert.ok(!text.includes(s), `logs contain a secret`);
    }
    await c.close();
    assert.equal(emu.state.sessions.size, 0, 'close() logs out');
  });

  it('wrong password -> SoarAuthError', async () => {
    await assert.rejects(connect({ auth: { kind: 'password', email: 'admin@example.com', password: 'nope-nope' } }), (err: unknown) => {
      assert.ok(err instanceof SoarAuthError);
      assert.ok(!err.message.includes('nope-nope'));
      return true;
    });
  });
});

describe('TLS', () => {
  it("verifies SOAR's certificate against soar.cafile", async () => {
    const c = await connect();
    assert.equal((await c.getServerVersion()).version, SERVER_VERSION.version);
    assert.equal(c.serverVersion?.major, SERVER_VERSION.major);
  });

  it('fails clearly (and at once) when the CA file is not the one that signed SOAR', async () => {
    emu.clearRequests();
    const t0 = Date.now();
    await assert.rejects(connect({ tls: { verify: true, cafile: pki.rogueCaCert } }), (err: unknown) => {
      assert.ok(err instanceof SoarTlsError, String(err));
      assert.equal(err.retryable, false);
      assert.match(err.message, /certificate of SOAR at 127\.0\.0\.1:\d+ is not trusted/);
      assert.match(err.message, /rogue-ca\.crt/);
      assert.match(err.message, /Set soar\.cafile /);
      return true;
    });
    assert.equal(emu.requests.length, 0);
    assert.ok(Date.now() - t0 < 2000);
  });

  it("fails with Node's default CAs (no cafile)", async () => {
    await assert.rejects(connect({ tls: { verify: true, cafile: null } }), SoarTlsError);
  });

  it('fails against a server presenting a certificate from another CA', async () => {
    const rogue = await SoarEmulator.start({ pki, useRogueCert: true });
    try {
      await assert.rejects(connect({}, undefined, rogue), SoarTlsError);
    } finally {
      await rogue.stop();
    }
  });

  it('verify:false connects and warns once', async () => {
    const { logger, lines } = collectingLogger();
    const c = await connect({ tls: { verify: false, cafile: null } }, logger);
    await c.getIncident((await c.createIncident({ name: 'tls off', discovered_date: Date.now() })).id);
    assert.equal(lines.filter((l) => l[0] === 'warn').length, 1);
  });
});

describe('retries and errors', () => {
  it('retries 503 then succeeds', async () => {
    const c = await connect();
    const inc = await c.createIncident({ name: 'retry me', discovered_date: Date.now() });
    emu.clearRequests();
    emu.faults.failNext(2, 503);
    assert.equal((await c.getIncident(inc.id)).name, 'retry me');
    assert.deepEqual(emu.requests.map((r) => r.status), [503, 503, 200]);
  });

  it('retries exhausted -> SoarUnreachableError (retryable)', async () => {
    const c = await connect();
    emu.clearRequests();
    emu.faults.failNext(10, 503);
    await assert.rejects(c.getIncident(1), (err: unknown) => {
      assert.ok(err instanceof SoarUnreachableError);
      assert.equal(err.retryable, true);
      assert.equal(err.attempts, 3);
      assert.equal(err.lastStatus, 503);
      assert.match(err.message, /Injected fault/);
      return true;
    });
    assert.equal(emu.requests.length, 3);
    emu.faults.clear();
  });

  it('connection refused: retried, then SoarUnreachableError', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(
      SoarClient.connect({ ...emu.soarConfig(), port }),
      (err: unknown) => err instanceof SoarUnreachableError && err.attempts === 3 && /ECONNREFUSED/.test(err.message),
    );
    assert.ok(Date.now() - t0 < 3000);
  });

  it('a dropped connection is retried for GET', async () => {
    const c = await connect();
    const inc = await c.createIncident({ name: 'drop', discovered_date: Date.now() });
    emu.clearRequests();
    emu.faults.dropConnections(1);
    assert.equal((await c.getIncident(inc.id)).id, inc.id);
    assert.deepEqual(emu.requests.map((r) => r.fault ?? r.status), ['drop', 200]);
  });

  it('a POST is not repeated after a dropped connection or a 503', async () => {
    const c = await connect();
    const before = emu.state.incidents.size;
    emu.clearRequests();
    emu.faults.dropConnections(1);
    await assert.rejects(c.createIncident({ name: 'maybe', discovered_date: Date.now() }), (err: unknown) => {
      assert.ok(err instanceof SoarUnreachableError);
      assert.equal(err.maybeApplied, true);
      return true;
    });
    emu.faults.failNext(1, 503);
    await assert.rejects(c.createIncident({ name: 'maybe', discovered_date: Date.now() }), (err: unknown) => err instanceof SoarRequestError && err.status === 503);
    assert.equal(emu.requests.length, 2);
    assert.equal(emu.state.incidents.size, before);
  });

  it('a slow answer times out and a GET is retried', async () => {
    const c = await connect({ timeout_ms: 200 });
    const inc = await c.createIncident({ name: 'slow', discovered_date: Date.now() });
    emu.clearRequests();
    emu.faults.delayNext(1, 600);
    assert.equal((await c.getIncident(inc.id)).id, inc.id);
    assert.deepEqual(emu.requests.map((r) => r.fault ?? 'ok'), ['delay', 'ok']);
  });

  it('4xx is not retried and carries SOAR\'s message', async () => {
    const c = await connect();
    emu.clearRequests();
    await assert.rejects(c.post('/incidents', { name: 'no date' }), (err: unknown) => {
      assert.ok(err instanceof SoarRequestError);
      assert.equal(err.status, 400);
      assert.equal(err.method, 'POST');
      assert.equal(err.path, '/rest/orgs/201/incidents');
      assert.equal(err.soarMessage, "Field 'discovered_date' is required (epoch milliseconds)");
      assert.equal(err.soarErrorCode, 'generic');
      return true;
    });
    await assert.rejects(c.getIncident(999_999), (err: unknown) => err instanceof SoarRequestError && err.status === 404);
    assert.equal(emu.requests.length, 2);
  });
});

describe('getPut', () => {
  it('resolves an injected 409', async () => {
    const c = await connect();
    const inc = await c.createIncident({ name: 'conflict', discovered_date: Date.now() });
    emu.faults.conflictNext(1);
    const upd = await c.updateIncident(inc.id, (cur) => ({ ...cur, description: 'after conflict' }));
    assert.equal(upd?.description, 'after conflict');
    assert.equal(upd?.vers, inc.vers + 1);
  });

  it('resolves a real concurrent change (stale vers)', async () => {
    const c = await connect();
    const inc = await c.createIncident({ name: 'race', discovered_date: Date.now(), properties: { custom1: 'a' } });
    let calls = 0;
    const upd = await c.updateIncident(inc.id, (cur) => {
      calls++;
      if (calls === 1) {
        // someone else changes the incident between our GET and our PUT
        const stored = emu.state.incidents.get(inc.id)!;
        stored['properties'] = { ...(stored['properties'] as object), custom2: 'theirs' };
        emu.state.touch(stored);
      }
      return { ...cur, properties: { ...cur.properties, custom1: 'ours' } };
    });
    assert.equal(calls, 2);
    assert.deepEqual([upd?.properties['custom1'], upd?.properties['custom2']], ['ours', 'theirs']);
    assert.equal(upd?.vers, inc.vers + 2);
  });

  it('gives up with SoarConflictError', async () => {
    const c = await connect();
    const inc = await c.createIncident({ name: 'hot', discovered_date: Date.now() });
    emu.faults.conflictNext(3);
    await assert.rejects(c.updateIncident(inc.id, (cur) => ({ ...cur, name: 'x' }), { attempts: 3 }), SoarConflictError);
  });
});

describe('context token', () => {
  it('withContextToken forwards X-Co3ContextToken; the base client does not', async () => {
    const c = await connect();
    const inc = await c.createIncident({ name: 'ctx', discovered_date: Date.now() });
    emu.clearRequests();
    const view = c.withContextToken('eyJhbGciOi.test.token');
    await view.addNote(inc.id, '<p>from a workflow</p>');
    await view.updateIncident(inc.id, (cur) => ({ ...cur, description: 'by workflow' }));
    await c.getIncident(inc.id);
    assert.deepEqual(
      emu.requests.map((r) => `${r.method} ${r.contextToken}`),
      ['POST eyJhbGciOi.test.token', 'GET eyJhbGciOi.test.token', 'PUT eyJhbGciOi.test.token', 'GET null'],
    );
  });
});

describe('query_paged', () => {
  it('filters on a custom property, sorts and pages', async () => {
    const c = await connect();
    const marker = `run-${Date.now()}`;
    for (const v of ['alpha', 'beta', 'gamma', null]) {
      await c.createIncident({ name: `q ${v}`, discovered_date: Date.now(), properties: { custom1: v, custom2: marker } });
    }
    const mine = { field_name: 'properties.custom2', method: 'equals', value: marker };
    const q = (conds: object[], extra: object = {}) =>
      c.queryIncidentsPaged({ filters: [{ conditions: [mine, ...(conds as never[])] }], ...extra });

    const eq = await q([{ field_name: 'properties.custom1', method: 'equals', value: 'beta' }]);
    assert.equal(eq.recordsFiltered, 1);
    assert.equal(eq.data[0]?.name, 'q beta');
    assert.ok(eq.recordsTotal >= 4);

    const inn = await q([{ field_name: 'properties.custom1', method: 'in', value: ['alpha', 'gamma'] }]);
    assert.deepEqual(inn.data.map((i) => i.properties['custom1']).sort(), ['alpha', 'gamma']);

    const has = await q([{ field_name: 'properties.custom1', method: 'has_a_value' }]);
    assert.equal(has.recordsFiltered, 3);

    const contains = await q([{ field_name: 'properties.custom1', method: 'contains', value: 'MM' }]);
    assert.deepEqual(contains.data.map((i) => i.properties['custom1']), ['gamma']);

    // nulls sort as the largest value (as in SOAR's PostgreSQL): first when descending
    const sorted = await q([], { sorts: [{ field_name: 'properties.custom1', type: 'desc' }], start: 1, length: 2 });
    assert.equal(sorted.recordsFiltered, 4);
    assert.deepEqual(sorted.data.map((i) => i.properties['custom1']), ['gamma', 'beta']);
    const asc = await q([], { sorts: [{ field_name: 'properties.custom1', type: 'asc' }] });
    assert.deepEqual(asc.data.map((i) => i.properties['custom1']), ['alpha', 'beta', 'gamma', null]);
    // IBM resilient-lib's poller sends does_not_have_a_value for "empty"
    const empty = await q([{ field_name: 'properties.custom1', method: 'does_not_have_a_value' }]);
    assert.deepEqual(empty.data.map((i) => i.name), ['q null']);

    await assert.rejects(q([{ field_name: 'name', method: 'sounds_like', value: 'x' }]), (err: unknown) => err instanceof SoarRequestError && err.status === 400);
  });
});

describe('typed helpers', () => {
  it('tasks, datatable rows, notes, artifacts, definitions', async () => {
    const c = await connect();
    const inc = await c.createIncident({ name: 'helpers', discovered_date: Date.now(), description: { format: 'text', content: 'd' } });
    assert.equal(inc.description, 'd');

    const task = await c.createTask(inc.id, { name: 'Acknowledge', instructions: 'Please ack', required: true });
    assert.equal(task.status, 'O');
    assert.equal(task.inc_id, inc.id);
    assert.deepEqual((await c.listIncidentTasks(inc.id)).map((t) => t.id), [task.id]);
    assert.equal((await c.closeTask(task.id)).status, 'C');
    assert.equal((await c.getTask(task.id)).status, 'C');
    assert.equal((await c.closeTask(task.id)).status, 'C'); // already closed: no PUT

    const row = await c.addTableRow(inc.id, 'clearing_distribution', { brand: 'eu', read_only: true, distribute: false });
    assert.equal(row.cells['brand']?.value, 'eu');
    const upd = await c.updateTableRow(inc.id, 'clearing_distribution', row.id, { distribute: true });
    assert.equal(upd.cells['distribute']?.value, true);
    assert.equal(upd.cells['brand']?.value, 'eu');
    assert.equal(upd.version, 2);
    const data = await c.getTableData(inc.id, 'clearing_distribution');
    assert.equal(data.rows.length, 1);
    await c.deleteTableRow(inc.id, 'clearing_distribution', row.id);
    assert.equal((await c.getTableData(inc.id, 'clearing_distribution')).rows.length, 0);

    const note = await c.addNote(inc.id, '<b>hello</b>');
    assert.equal(note.text, '<b>hello</b>');
    assert.equal((await c.listNotes(inc.id)).length, 1);

    const arts = await c.addArtifact(inc.id, { type: 'IP Address', value: '192.0.2.1', description: 'seen' });
    assert.equal(arts.length, 1);
    assert.equal(arts[0]?.value, '192.0.2.1');
    assert.equal((await c.listArtifacts(inc.id)).length, 1);

    const fns = await c.listFunctions();
    const [fn] = emu.state.functions;
    assert.equal(fns[0]?.destination_handle, fn?.['destination_handle']);
    assert.equal((await c.getFunction(String(fn?.['name']))).name, fn?.['name']);
    assert.equal((await c.listMessageDestinations())[0]?.programmatic_name, emu.state.messageDestinations[0]?.['programmatic_name']);
    assert.equal((await c.getConst()).server_version.version, SERVER_VERSION.version);

    await c.deleteIncident(inc.id);
    await assert.rejects(c.getIncident(inc.id), (err: unknown) => err instanceof SoarRequestError && err.status === 404);
  });

  it('resource_prefix goes before /rest', async () => {
    const prefixed = await SoarEmulator.start({ pki, resourcePrefix: '/soar' });
    try {
      const c = await connect({}, undefined, prefixed);
      assert.equal(c.orgId, 201);
      assert.deepEqual(prefixed.requests.map((r) => r.path), ['/rest/session', '/rest/orgs/201']);
      await assert.rejects(connect({ resource_prefix: '' }, undefined, prefixed), (err: unknown) => err instanceof SoarRequestError && err.status === 404);
    } finally {
      await prefixed.stop();
    }
  });
});

describe('proxy', () => {
  it('tunnels through an HTTP CONNECT proxy (with credentials) and still verifies TLS', async () => {
    const connects: { target: string; auth: string | undefined }[] = [];
    const proxy = createHttpServer();
    const tunnels: { destroy(): void }[] = [];
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(socket);
      connects.push({ target: String(req.url), auth: req.headers['proxy-authorization'] });
      const [host, port] = String(req.url).split(':');
      const upstream = netConnect(Number(port), host, () => {
        tunnels.push(upstream);
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as { port: number }).port;
    try {
      const { logger, lines } = collectingLogger();
      const c = await connect({ proxy: `http://proxyuser:proxy-pass-77@127.0.0.1:${port}` }, logger);
      assert.equal(c.orgId, 201);
      assert.ok(connects.length >= 1);
      assert.equal(connects[0]?.target, `127.0.0.1:${emu.port}`);
      assert.equal(connects[0]?.auth, `Basic ${Buffer.from('proxyuser:proxy-pass-77').toString('base64')}`);
      assert.ok(!JSON.stringify(lines).includes('proxy-pass-77'));
      await assert.rejects(
        connect({ proxy: `http://127.0.0.1:${port}`, tls: { verify: true, cafile: pki.rogueCaCert } }),
        SoarTlsError,
      );
    } finally {
      for (const t of tunnels) t.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
