/**
 * The peer API over real HTTPS with mutual TLS on 127.0.0.1: two nodes (eu, us) with
 * certificates from the test PKI, PeerServer and PeerClient in both directions, and every
 * refusal: missing or foreign client certificates, unknown peers, a server naming another node,
 * bodies (schema, JSON, size, content type), routes, path tricks, handler failures,
 * authorization, an unreachable peer and a timeout.
 */
import assert from 'node:assert/strict';
import { createServer as createNetServer } from 'node:net';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import type { PeerConfig } from '../../src/config/types.js';
import { ClearingError, ErrorCode } from '../../src/core/errors.js';
import { identityFromNames, parseSubjectAltName } from '../../src/config/cert-identity.js';
import { peerHealth } from '../../src/clearing/contracts/health.js';
import { PeerError } from '../../src/clearing/contracts/peer-error.js';
import {
  PeerClient,
  PeerIdentityMismatchError,
  PeerTlsError,
  PeerUnreachableError,
  classifyPeerFailure,
} from '../../src/clearing/peer-client.js';
import { defineRoute } from '../../src/clearing/peer-routes.js';
import { PeerServer } from '../../src/clearing/peer-server.js';
import { PACKAGE_VERSION } from '../../src/core/version.js';
import { testPki } from '../support/broker.js';
import { type NodeCert, makeNodeCert } from '../support/certs.js';
import { collectingLogger } from '../support/loggers.js';

const pki = testPki();
const certs = {
  eu: makeNodeCert(pki, 'eu'),
  us: makeNodeCert(pki, 'us'),
  /** Signed by the network CA but configured nowhere. */
  intruder: makeNodeCert(pki, 'intruder'),
  /** Claims to be us, signed by the rogue CA. */
  rogueUs: makeNodeCert(pki, 'us', { ca: 'rogue' }),
};
const tlsOf = (c: NodeCert) => ({ cert: c.cert, key: c.key, ca: pki.caCert });

const euLog = collectingLogger();
const usLog = collectingLogger();
const clientLog = collectingLogger();

let eu: PeerServer;
let us: PeerServer;
const clients: PeerClient[] = [];
const servers: PeerServer[] = [];

/** What the routes saw, to prove that refused requests never reach a handler. */
const seen = { items: 0, uploads: 0, echoes: 0, slowAborted: null as Promise<unknown> | null };

const euAsPeer = (): PeerConfig => ({ id: 'eu', url: `https://127.0.0.1:${eu.port}`, brands: ['soar1'] });
const usAsPeer = (): PeerConfig => ({ id: 'us', url: `https://127.0.0.1:${us.port}`, brands: ['soar3'] });

function client(self: NodeCert, peer: PeerConfig, timeoutMs = 5000): PeerClient {
  const c = new PeerClient({ self: { id: self.nodeId, tls: tlsOf(self) }, peer, timeoutMs, log: clientLog.logger });
  clients.push(c);
  return c;
}

interface Echo {
  text: string;
  n?: number;
  nested?: { flag: boolean };
}

const routes = [
  defineRoute<Echo, { echo: Echo; peer: string; brands: readonly string[] }>({
    method: 'POST',
    path: '/api/v1/echo',
    bodySchema: {
      type: 'object',
      additionalProperties: false,
      required: ['text'],
      properties: {
        text: { type: 'string', maxLength: 100 },
        n: { type: 'integer', nullable: true },
        nested: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['flag'],
          properties: { flag: { type: 'boolean' } },
        },
      },
    },
    handler: async ({ body, peer }) => {
      seen.echoes++;
      return { echo: body, peer: peer.id, brands: peer.peer.brands };
    },
  }),
  defineRoute<undefined, { id: string; q: string | null }>({
    method: 'GET',
    path: '/api/v1/items/:id',
    authorize: (_peer, params) => params.id !== 'secret' || 'items/secret is not for other nodes',
    handler: async ({ params, query }) => {
      seen.items++;
      return { id: params.id ?? '', q: query.get('q') };
    },
  }),
  defineRoute<unknown, { id: string; body: unknown }>({
    method: 'PUT',
    path: '/api/v1/items/:id',
    handler: async ({ params, body }) => ({ id: params.id ?? '', body }),
  }),
  defineRoute<unknown, { size: number }>({
    method: 'POST',
    path: '/api/v1/upload',
    handler: async ({ body }) => {
      seen.uploads++;
      return { size: JSON.stringify(body).length };
    },
  }),
  defineRoute<undefined, never>({
    method: 'GET',
    path: '/api/v1/boom',
    handler: async () => {
      throw new Error('database password is hunter2');
    },
  }),
  defineRoute<undefined, never>({
    method: 'GET',
    path: '/api/v1/conflict',
    handler: async () => {
      throw new ClearingError(ErrorCode.SoarConflict, 'incident 7 changed meanwhile', { httpStatus: 409 });
    },
  }),
  defineRoute<undefined, undefined>({
    method: 'POST',
    path: '/api/v1/nothing',
    handler: async () => undefined,
  }),
  defineRoute<undefined, never>({
    method: 'GET',
    path: '/api/v1/slow',
    handler: async ({ signal }) => {
      seen.slowAborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
      await seen.slowAborted;
      throw new Error('unreachable');
    },
  }),
];

before(async () => {
  // eu knows us (and a peer "ghost" that has no certificate); us knows eu.
  eu = await PeerServer.start({
    node: { id: 'eu', listen: { host: '127.0.0.1', port: 0 }, tls: tlsOf(certs.eu) },
    peers: [
      { id: 'us', url: 'https://127.0.0.1:1', brands: ['soar3'] },
      { id: 'ghost', url: 'https://127.0.0.1:2', brands: ['soar9'] },
    ],
    routes,
    log: euLog.logger,
    maxBodyBytesByRoute: { 'POST /api/v1/upload': 1024 },
  });
  us = await PeerServer.start({
    node: { id: 'us', listen: { host: '127.0.0.1', port: 0 }, tls: tlsOf(certs.us) },
    peers: [{ id: 'eu', url: 'https://127.0.0.1:1', brands: ['soar1'] }],
    routes: [],
    log: usLog.logger,
  });
  servers.push(eu, us);
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop()));
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { error?: { code: string; message: string; details?: { path: string; message: string }[] } } & Record<string, unknown>;
}

/** One request with full control of the target and headers, as node us unless told otherwise. */
function raw(
  path: string,
  opts: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer; as?: NodeCert | null; port?: number } = {},
): Promise<RawAnswer> {
  const as = opts.as === undefined ? certs.us : opts.as;
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1',
      port: opts.port ?? eu.port,
      method: opts.method ?? 'GET',
      path,
      headers: opts.headers,
      ca: readFileSync(pki.caCert),
      ...(as !== null ? { cert: readFileSync(as.cert), key: readFileSync(as.key) } : {}),
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: RawAnswer['json'] = {};
        try {
          json = text === '' ? {} : (JSON.parse(text) as RawAnswer['json']);
        } catch {
          // left empty: the test looks at text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.end(opts.body);
  });
}

async function closedPort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('mutual TLS and identities', () => {
  test('health works both ways, over kept-alive connections', async () => {
    const euToUs = client(certs.eu, usAsPeer());
    const usToEu = client(certs.us, euAsPeer());
    const a = await peerHealth(euToUs);
    assert.equal(a.node, 'us');
    assert.equal(a.version, PACKAGE_VERSION);
    assert.ok(a.latencyMs >= 0);
    const b = await peerHealth(usToEu);
    assert.equal(b.node, 'eu');
    const again = await usToEu.request<{ node: string; time: string }>('GET', '/api/v1/health');
    assert.equal(again.node, 'eu');
    assert.ok(!Number.isNaN(Date.parse(again.time)));
  });

  test('a client without certificate never reaches the app: the handshake is refused', async () => {
    const before = euLog.lines.filter(([, m]) => m === 'peer request').length;
    // A bare TLS client that sends nothing, so the server's alert cannot lose a race with a request.
    const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: eu.port, ca: readFileSync(pki.caCert) });
      socket.on('error', resolve);
      socket.on('close', () => reject(new Error('closed without an error')));
    });
    // TLS 1.3: the server's alert arrives after the client's side of the handshake.
    assert.equal(err.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', String(err));
    const classified = classifyPeerFailure('eu', err);
    assert.ok(classified instanceof PeerTlsError);
    assert.equal(classified.code, ErrorCode.PeerTls);
    assert.match(classified.message, /^peer eu: TLS failed: the peer requires a client certificate and got none/);
    assert.equal(euLog.lines.filter(([, m]) => m === 'peer request').length, before);
    assert.ok(
      euLog.lines.some(
        ([level, m, meta]) =>
          level === 'warn' &&
          m === 'peer TLS handshake refused' &&
          (meta as { reason: string }).reason === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' &&
          /^127\.0\.0\.1:\d+$/.test((meta as { remote: string }).remote),
      ),
    );
  });

  test('a client certificate from another CA is refused at the handshake, with a clear error', async () => {
    const requests = euLog.lines.filter(([, m]) => m === 'peer request').length;
    const rogue = client(certs.rogueUs, euAsPeer());
    const err = await rejection(peerHealth(rogue));
    assert.ok(err instanceof PeerTlsError, String(err));
    assert.equal(err.code, 'peer_tls');
    assert.equal(err.retryable, false);
    // A Node server refuses an untrusted certificate by closing after the handshake, without an
    // alert; the client tells that apart from a network failure (no session ticket came first).
    assert.equal(err.tlsCode, 'ERR_PEER_REFUSED_CERTIFICATE');
    assert.match(err.message, /^peer eu: TLS failed: the peer refused our certificate: .*signed by the network CA/);
    assert.ok(
      euLog.lines.some(
        ([level, m, meta]) =>
          level === 'warn' &&
          m === 'peer TLS handshake refused' &&
          (meta as { reason: string }).reason === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' &&
          /^127\.0\.0\.1:\d+$/.test((meta as { remote: string }).remote),
      ),
    );
    // Never an HTTP request on the server.
    assert.equal(euLog.lines.filter(([, m]) => m === 'peer request').length, requests);
  });

  test('a server certificate from another CA is refused by the client', async () => {
    const rogueServer = await PeerServer.start({
      node: { id: 'us', listen: { host: '127.0.0.1', port: 0 }, tls: { cert: certs.rogueUs.cert, key: certs.rogueUs.key, ca: pki.caCert } },
      peers: [{ id: 'eu', url: 'https://127.0.0.1:1', brands: [] }],
      routes: [],
      log: collectingLogger().logger,
    });
    servers.push(rogueServer);
    const err = await rejection(peerHealth(client(certs.eu, { id: 'us', url: `https://127.0.0.1:${rogueServer.port}`, brands: [] })));
    assert.ok(err instanceof PeerTlsError, String(err));
    assert.equal(err.tlsCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(err.message, /not signed by the network CA/);
  });

  test('a valid certificate of a node that is not a configured peer: 403 peer_unknown', async () => {
    const err = await rejection(peerHealth(client(certs.intruder, euAsPeer())));
    assert.ok(err instanceof PeerError, String(err));
    assert.equal(err.code, 'peer_error');
    assert.equal(err.status, 403);
    assert.equal(err.remoteCode, 'peer_unknown');
    assert.match(err.remoteMessage, /node 'intruder' is not a configured peer/);
    assert.ok(euLog.lines.some(([level, m, meta]) => level === 'warn' && m === 'peer refused' && (meta as { claimed: string }).claimed === 'intruder'));
    // The raw answer is the JSON error shape.
    const answer = await raw('/api/v1/health', { as: certs.intruder });
    assert.equal(answer.status, 403);
    assert.equal(answer.json.error?.code, 'peer_unknown');
  });

  test('a client expecting peer us but reaching eu refuses it: peer_identity_mismatch', async () => {
    const confused = client(certs.us, { id: 'us', url: `https://127.0.0.1:${eu.port}`, brands: [] });
    const err = await rejection(peerHealth(confused));
    assert.ok(err instanceof PeerIdentityMismatchError, String(err));
    assert.equal(err.code, 'peer_identity_mismatch');
    assert.equal(err.expected, 'us');
    assert.equal(err.presented, 'eu');
    assert.match(err.message, /expected peer us, but https:\/\/127\.0\.0\.1:\d+ presents the certificate of node eu \(SAN URI\)/);
  });

  test('certificate names: SAN URI first, CN as fallback, ambiguity refused', () => {
    assert.deepEqual(parseSubjectAltName('DNS:localhost, IP Address:127.0.0.1, URI:"urn:x,y", URI:urn:soar-clearing:node:eu'), [
      { type: 'DNS', value: 'localhost' },
      { type: 'IP Address', value: '127.0.0.1' },
      { type: 'URI', value: 'urn:x,y' },
      { type: 'URI', value: 'urn:soar-clearing:node:eu' },
    ]);
    assert.deepEqual(identityFromNames('URI:urn:soar-clearing:node:eu', ['us']), { ok: true, identity: { id: 'eu', source: 'san_uri' } });
    assert.deepEqual(identityFromNames('DNS:localhost', ['us']), { ok: true, identity: { id: 'us', source: 'cn' } });
    assert.equal(identityFromNames('URI:urn:soar-clearing:node:eu, URI:urn:soar-clearing:node:us', ['eu']).ok, false);
    assert.equal(identityFromNames('URI:urn:soar-clearing:node:EU', []).ok, false);
    assert.equal(identityFromNames(undefined, ['Example Corp']).ok, false);
    assert.equal(identityFromNames(undefined, ['a', 'b']).ok, false);
  });
});

describe('requests and their refusals', () => {
  let usToEu: PeerClient;
  before(() => {
    usToEu = client(certs.us, euAsPeer());
  });

  test('a valid body reaches the handler with the peer identity', async () => {
    const answer = await usToEu.request<{ echo: Echo; peer: string; brands: string[] }>('POST', '/api/v1/echo', { text: 'hi', n: 2, nested: { flag: true } });
    assert.deepEqual(answer, { echo: { text: 'hi', n: 2, nested: { flag: true } }, peer: 'us', brands: ['soar3'] });
    assert.equal(await usToEu.request('POST', '/api/v1/nothing', {}), undefined);
    assert.deepEqual(await usToEu.request('PUT', '/api/v1/items/a-1', [1, 'two']), { id: 'a-1', body: [1, 'two'] });
    assert.deepEqual(await usToEu.request('GET', '/api/v1/items/x.y~z?q=%2F..%2F'), { id: 'x.y~z', q: '/../' });
  });

  test('a body violating the schema: 400 body_invalid listing each problem with its path', async () => {
    const echoes = seen.echoes;
    const err = await rejection(usToEu.request('POST', '/api/v1/echo', { text: 5, n: 1.5, nested: {}, extra: true }));
    assert.ok(err instanceof PeerError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.remoteCode, 'body_invalid');
    assert.deepEqual(
      [...err.details].sort((a, b) => a.path.localeCompare(b.path)),
      [
        { path: '/extra', message: 'unknown key' },
        { path: '/n', message: 'must be a whole number' },
        { path: '/nested/flag', message: 'required' },
        { path: '/text', message: 'must be a string' },
      ],
    );
    assert.match(err.remoteMessage, /\/text must be a string/);
    assert.equal(seen.echoes, echoes);
  });

  test('a body that is not JSON, or empty: 400 body_malformed', async () => {
    const headers = { 'content-type': 'application/json' };
    const bad = await raw('/api/v1/echo', { method: 'POST', headers, body: '{"text": "hi"' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error?.code, 'body_malformed');
    const empty = await raw('/api/v1/echo', { method: 'POST', headers, body: '' });
    assert.equal(empty.json.error?.code, 'body_malformed');
    const latin1 = await raw('/api/v1/echo', { method: 'POST', headers, body: Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]) });
    assert.equal(latin1.json.error?.code, 'body_malformed');
  });

  test('POST/PUT without application/json: 415 content_type', async () => {
    const plain = await raw('/api/v1/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"text":"hi"}' });
    assert.equal(plain.status, 415);
    assert.equal(plain.json.error?.code, 'content_type');
    const none = await raw('/api/v1/items/a', { method: 'PUT', body: '{}' });
    assert.equal(none.status, 415);
    const latin = await raw('/api/v1/echo', { method: 'POST', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: '{"text":"hi"}' });
    assert.equal(latin.status, 415);
    const ok = await raw('/api/v1/echo', { method: 'POST', headers: { 'content-type': 'Application/JSON; charset=UTF-8' }, body: '{"text":"hi"}' });
    assert.equal(ok.status, 200);
  });

  test('an oversized body: 413 body_too_large, from Content-Length or while streaming, never buffered whole', async () => {
    const uploads = seen.uploads;
    // Declared too large: refused from the header, before reading.
    const err = await rejection(usToEu.request('POST', '/api/v1/upload', { blob: 'x'.repeat(5000) }));
    assert.ok(err instanceof PeerError, String(err));
    assert.equal(err.status, 413);
    assert.equal(err.remoteCode, 'body_too_large');
    assert.match(err.remoteMessage, /larger than 1024 bytes/);

    // Chunked, no length: 256 MiB offered lazily; the server answers after the first chunk
    // and stops reading, so the client never gets to produce most of it.
    const total = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced >= total) this.push(null);
        else {
          produced += chunk.length;
          this.push(chunk);
        }
      },
    });
    const answer = await new Promise<{ status: number; code: string; connection: string | undefined }>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: eu.port,
        method: 'POST',
        path: '/api/v1/upload',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        ca: readFileSync(pki.caCert),
        cert: readFileSync(certs.us.cert),
        key: readFileSync(certs.us.key),
        agent: false,
      });
      req.on('error', () => undefined); // EPIPE/ECONNRESET once the server closes: expected
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          source.unpipe(req);
          source.destroy();
          req.destroy();
          const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { error: { code: string } };
          resolve({ status: res.statusCode ?? 0, code: body.error.code, connection: res.headers.connection });
        });
        res.on('error', reject);
      });
      source.pipe(req);
    });
    assert.equal(answer.status, 413);
    assert.equal(answer.code, 'body_too_large');
    assert.equal(answer.connection, 'close');
    assert.ok(produced < total / 8, `the client produced ${produced} of ${total} bytes`);
    assert.equal(seen.uploads, uploads);
    // Within the limit it works.
    assert.deepEqual(await usToEu.request('POST', '/api/v1/upload', { blob: 'small' }), { size: 16 });
  });

  test('unknown route 404 route_unknown; known path, other method 405 with Allow', async () => {
    const err = await rejection(usToEu.request('GET', '/api/v1/nowhere'));
    assert.ok(err instanceof PeerError);
    assert.equal(err.status, 404);
    assert.equal(err.remoteCode, 'route_unknown');
    const v2 = await raw('/api/v2/health');
    assert.equal(v2.json.error?.code, 'route_unknown');
    const del = await raw('/api/v1/items/a', { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.json.error?.code, 'method_not_allowed');
    assert.equal(del.headers.allow, 'GET, PUT');
  });

  test('path tricks are refused before any handler', async () => {
    const items = seen.items;
    const tricks = [
      '/api/v1/../v1/items/a',
      '/api/v1/items/..',
      '/api/v1/items/.',
      '/api/v1/items/%2e%2e',
      '/api/v1/items/..%2fsecret',
      '/api/v1/items/a%2Fb',
      '/api/v1/items/a%5cb',
      '/api/v1/items/a\\b',
      '/api//v1/items/a',
      '/api/v1/items/a/',
      '/api/v1/items/a%00b',
      '/api/v1/items/%zz',
      '/api/v1/items/%C0%AE%C0%AE',
      `/api/v1/items/${'a'.repeat(3000)}`,
      'http://127.0.0.1/api/v1/items/a',
    ];
    for (const path of tricks) {
      const answer = await raw(path);
      assert.ok(answer.status === 400 || answer.status === 404, `${path}: ${answer.status}`);
      assert.ok(['path_invalid', 'route_unknown'].includes(answer.json.error?.code ?? ''), `${path}: ${answer.text}`);
    }
    // A raw NUL never even gets through the HTTP parser.
    const nul = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: eu.port,
        ca: readFileSync(pki.caCert),
        cert: readFileSync(certs.us.cert),
        key: readFileSync(certs.us.key),
      });
      let text = '';
      socket.on('secureConnect', () => socket.write('GET /api/v1/items/a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
      });
      socket.on('end', () => resolve(text));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(nul, /^HTTP\/1\.1 400 /);
    assert.equal(seen.items, items);
    // A parameter value outside the allowed characters matches no route.
    assert.equal((await raw('/api/v1/items/a%20b')).json.error?.code, 'route_unknown');
    assert.equal(seen.items, items);
  });

  test('a handler throwing a plain Error: 500 internal, without message or stack', async () => {
    const answer = await raw('/api/v1/boom');
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.json, { error: { code: 'internal', message: 'internal error' } });
    assert.ok(!answer.text.includes('hunter2') && !answer.text.includes(' at '));
    // The node's own log has it, with the stack.
    const logged = euLog.lines.find(([level, m]) => level === 'error' && m === 'peer request failed');
    assert.ok(logged);
    assert.match(String((logged[2] as { stack: string }).stack), /database password is hunter2\n\s+at /);
    const err = await rejection(usToEu.request('GET', '/api/v1/boom'));
    assert.ok(err instanceof PeerError);
    assert.equal(err.remoteCode, 'internal');
    assert.equal(err.retryable, false);
  });

  test("a handler's ClearingError answers with its own code and status; SOAR's words stay in the log", async () => {
    const answer = await raw('/api/v1/conflict');
    assert.equal(answer.status, 409);
    assert.deepEqual(answer.json, { error: { code: 'soar_conflict', message: "the brand's SOAR could not do it (soar_conflict); the details are in the answering node's log" } });
    assert.ok(euLog.lines.some(([level, m, meta]) => level === 'error' && m === 'peer request failed' && (meta as { error: string }).error === 'incident 7 changed meanwhile'));
    const items = await rejection(usToEu.request('GET', '/api/v1/items/secret'));
    assert.equal((items as PeerError).remoteMessage, 'items/secret is not for other nodes', 'other codes keep their words');
  });

  test('a body broken off mid-way: one line with status aborted, no error, no stack', async () => {
    const before = euLog.lines.length;
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const req = https.request({
          host: '127.0.0.1', port: eu.port, method: 'POST', path: '/api/v1/upload', agent: false,
          ca: readFileSync(pki.caCert), cert: readFileSync(certs.us.cert), key: readFileSync(certs.us.key),
          headers: { 'content-type': 'application/json', 'content-length': 1000 },
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write('{"a":"'.padEnd(100, 'x'), () => setTimeout(() => req.destroy(), 50));
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    const added = euLog.lines.slice(before);
    assert.deepEqual(added.filter(([level]) => level === 'error'), []);
    const requests = added.filter(([, m]) => m === 'peer request').map(([, , meta]) => (meta as { status: unknown }).status);
    assert.deepEqual(requests, ['aborted', 'aborted', 'aborted', 'aborted', 'aborted'], JSON.stringify(added));
  });

  test('a body nested 100,000 deep: 400 body_invalid before any handler (no stack overflow)', async () => {
    const depth = 100_000;
    const body = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const answer = await raw('/api/v1/items/deep', { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { error: { code: 'body_invalid', message: 'the body is nested deeper than 64 levels' } });
    const fine = await usToEu.request<{ body: unknown }>('PUT', '/api/v1/items/flat', { a: { b: [1, [2, [3]]] } });
    assert.deepEqual(fine.body, { a: { b: [1, [2, [3]]] } });
  });

  test('authorize() refusal: 403 forbidden with its reason, before the handler', async () => {
    const items = seen.items;
    const err = await rejection(usToEu.request('GET', '/api/v1/items/secret'));
    assert.ok(err instanceof PeerError);
    assert.equal(err.status, 403);
    assert.equal(err.remoteCode, 'forbidden');
    assert.equal(err.remoteMessage, 'items/secret is not for other nodes');
    assert.equal(seen.items, items);
  });

  test('one log line per request: peer, method, route, status, duration; never a body', async () => {
    await usToEu.request('POST', '/api/v1/echo', { text: 'very-private-body-text' });
    const line = euLog.lines.filter(([, m]) => m === 'peer request').at(-1);
    assert.ok(line);
    const meta = line[2] as Record<string, unknown>;
    assert.equal(meta.peer, 'us');
    assert.equal(meta.method, 'POST');
    assert.equal(meta.route, 'POST /api/v1/echo');
    assert.equal(meta.status, 200);
    assert.equal(typeof meta.duration_ms, 'number');
    const refused = euLog.lines.filter(([, m]) => m === 'peer request').find(([, , x]) => (x as { code?: string }).code === 'forbidden');
    assert.ok(refused);
    for (const log of [euLog, usLog, clientLog]) assert.ok(!JSON.stringify(log.lines).includes('very-private-body-text'));
  });
});

describe('unreachable peers', () => {
  test('nothing listening: peer_unreachable, retryable', async () => {
    const port = await closedPort();
    const err = await rejection(peerHealth(client(certs.eu, { id: 'us', url: `https://127.0.0.1:${port}`, brands: [] })));
    assert.ok(err instanceof PeerUnreachableError, String(err));
    assert.equal(err.code, 'peer_unreachable');
    assert.equal(err.retryable, true);
    assert.match(err.message, /^peer us unreachable: connection refused \(ECONNREFUSED\)/);
  });

  test('no answer in time: peer_unreachable; the handler sees its signal aborted', async () => {
    const impatient = client(certs.us, euAsPeer(), 300);
    const err = await rejection(impatient.request('GET', '/api/v1/slow'));
    assert.ok(err instanceof PeerUnreachableError, String(err));
    assert.match(err.message, /no answer within 300 ms/);
    assert.equal(err.httpStatus, 504);
    const reason = await seen.slowAborted;
    assert.ok(reason instanceof ClearingError && reason.code === ErrorCode.Aborted);
  });

  test('an abort signal ends the call with aborted', async () => {
    const ac = new AbortController();
    const call = client(certs.us, euAsPeer()).request('GET', '/api/v1/slow', undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = await rejection(call);
    assert.ok(err instanceof ClearingError && err.code === ErrorCode.Aborted, String(err));
  });

  test('a stopped server: peer_unreachable', async () => {
    const temp = await PeerServer.start({
      node: { id: 'us', listen: { host: '127.0.0.1', port: 0 }, tls: tlsOf(certs.us) },
      peers: [{ id: 'eu', url: 'https://127.0.0.1:1', brands: [] }],
      routes: [],
      log: collectingLogger().logger,
    });
    const c = client(certs.eu, { id: 'us', url: `https://127.0.0.1:${temp.port}`, brands: [] });
    assert.equal((await peerHealth(c)).node, 'us');
    await temp.stop();
    const err = await rejection(peerHealth(c));
    assert.ok(err instanceof PeerUnreachableError, String(err));
  });
});
