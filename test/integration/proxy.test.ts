/**
 * HTTPS_PROXY / NO_PROXY for SOAR's REST API and for peers, through a real CONNECT proxy (the
 * `proxy` package) on loopback that counts its tunnels: with HTTPS_PROXY set, SOAR REST calls and
 * peer calls go through it, TLS end to end (the server's certificate still checked; the peer
 * still authenticates our client certificate inside the tunnel); with NO_PROXY naming the host,
 * they go direct. A proxy asking for Basic authentication gets the credentials of HTTPS_PROXY's
 * URL; wrong ones fail the call with the proxy named and its 407, and the password shows in no
 * error and no log line. The nodes of the test network were made before HTTPS_PROXY was set: each
 * client made here reads the environment when it is made, as a node does at start.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { after, afterEach, before, describe, test } from 'node:test';
import { createProxy, type ProxyServer } from 'proxy';
import { peerHealth } from '../../src/clearing/contracts/health.js';
import { PeerClient, PeerIdentityMismatchError, PeerUnreachableError } from '../../src/clearing/peer-client.js';
import { ClearingError, ErrorCode } from '../../src/core/errors.js';
import { SoarClient } from '../../src/soar/client.js';
import type { NetworkCheckReport } from '../../src/app/network-check.js';
import { memoryLogger } from '../support/loggers.js';
import { NetworkWorld, type Region } from '../support/network-world.js';
import { runCli } from '../support/world.js';

const PROXY_VARS = ['https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY'];

describe('HTTPS_PROXY and NO_PROXY', () => {
  let world: NetworkWorld;
  let proxy: ProxyServer;
  let proxyUrl: string;
  /** The target (`host:port`) of every CONNECT the proxy received. */
  const tunnels: string[] = [];

  before(async () => {
    for (const name of PROXY_VARS) delete process.env[name];
    world = await NetworkWorld.start();
    proxy = createProxy(createServer());
    proxy.on('connect', (req: { url?: string }) => tunnels.push(req.url ?? ''));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const name of PROXY_VARS) delete process.env[name];
    proxy.authenticate = undefined;
  });
  after(async () => {
    for (const name of PROXY_VARS) delete process.env[name];
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await world?.stop();
  });

  function peerClient(from: Region, to: { id: string; url: string; brands: readonly string[] }): PeerClient {
    const tls = from.config.node.tls;
    assert.ok(tls);
    return new PeerClient({ self: { id: from.config.node.id, tls }, peer: to, timeoutMs: 5000, log: memoryLogger().log });
  }

  /** Logs in to region eu's SOAR with a new client, reads the server version, and closes. */
  async function soarCall(soar = world.region('eu').config.brands[0]!.soar): Promise<void> {
    const client = await SoarClient.connect(soar);
    try {
      await client.getServerVersion();
    } finally {
      await client.close();
    }
  }

  test('SOAR REST goes through the proxy with HTTPS_PROXY, direct when NO_PROXY names the host; TLS still verified', async () => {
    const soarTarget = `127.0.0.1:${world.region('eu').emulator.port}`;
    process.env['HTTPS_PROXY'] = proxyUrl;
    tunnels.length = 0;
    await soarCall();
    assert.ok(tunnels.length >= 1 && tunnels.every((t) => t === soarTarget), `tunnels: ${tunnels.join(', ')}`);

    // Through the tunnel the SOAR certificate is checked as ever: without the test CA it is refused.
    const eu = world.region('eu').config.brands[0]!.soar;
    await assert.rejects(soarCall({ ...eu, tls: { verify: true, cafile: null }, retry: { ...eu.retry, retries: 0 } }), (err: unknown) =>
      /certificate/i.test(ClearingError.from(err).message));
    assert.ok(tunnels.length >= 2, 'the refused call went through the proxy too');

    process.env['NO_PROXY'] = 'localhost,127.0.0.1';
    tunnels.length = 0;
    await soarCall();
    assert.deepEqual(tunnels, []);
  });

  test('through the tunnel the certificate is checked against the host asked for, an IP address too', async () => {
    // The proxy carries tunnels for 10.255.255.1 (never reached) to the SOAR emulator, whose
    // certificate names localhost and 127.0.0.1 only: the TLS layer must refuse it.
    const rewrite = (req: { url?: string }): void => {
      req.url = req.url?.replace(/^10\.255\.255\.1:/, '127.0.0.1:');
    };
    proxy.prependListener('connect', rewrite);
    try {
      process.env['HTTPS_PROXY'] = proxyUrl;
      const eu = world.region('eu').config.brands[0]!.soar;
      await assert.rejects(soarCall({ ...eu, host: '10.255.255.1', retry: { ...eu.retry, retries: 0 } }), (err: unknown) =>
        /certificate|altnames|does not match/i.test(ClearingError.from(err).message));
      // Control: the same way to 127.0.0.1, which the certificate names, works.
      await soarCall({ ...eu, host: '127.0.0.1' });
    } finally {
      proxy.off('connect', rewrite);
    }
  });

  test('a peer call goes through the proxy, mutual TLS end to end inside the tunnel; direct with NO_PROXY', async () => {
    const eu = world.region('eu');
    const us = world.region('us');
    const usPeer = eu.config.network!.peers[0]!;
    process.env['https_proxy'] = proxyUrl;
    tunnels.length = 0;
    const viaProxy = peerClient(eu, usPeer);
    try {
      const health = await peerHealth(viaProxy);
      assert.equal(health.node, 'us');
      // us knew the caller by its client certificate: it answered what it believes eu serves.
      assert.deepEqual(health.yourBrands, ['soar2']);
      assert.equal(viaProxy.presentedCertificate?.identity.ok && viaProxy.presentedCertificate.identity.identity.id, 'us');
      assert.deepEqual(tunnels, [`127.0.0.1:${us.peerPort}`]);
      // Kept alive: a second call reuses the tunnel.
      await peerHealth(viaProxy);
      assert.equal(tunnels.length, 1);
    } finally {
      viaProxy.close();
    }

    // The server's identity is still checked through the tunnel: eu's own port presents eu.
    const wrong = peerClient(eu, { ...usPeer, url: `https://127.0.0.1:${eu.peerPort}` });
    try {
      await assert.rejects(peerHealth(wrong), (err: unknown) => err instanceof PeerIdentityMismatchError && err.presented === 'eu');
    } finally {
      wrong.close();
    }

    process.env['no_proxy'] = `127.0.0.1:${us.peerPort}`;
    tunnels.length = 0;
    const direct = peerClient(eu, usPeer);
    try {
      assert.equal((await peerHealth(direct)).node, 'us');
      assert.deepEqual(tunnels, []);
    } finally {
      direct.close();
    }
  });

  test('a proxy refusing the tunnel or not running: the call fails in words', async () => {
    const eu = world.region('eu');
    const usPeer = eu.config.network!.peers[0]!;
    process.env['HTTPS_PROXY'] = proxyUrl;
    proxy.authenticate = () => false;
    const refused = peerClient(eu, usPeer);
    try {
      await assert.rejects(peerHealth(refused), (err: unknown) => {
        const e = ClearingError.from(err);
        return e.code === ErrorCode.PeerUnreachable && e.message.includes(`the proxy ${proxyUrl} refused the tunnel to 127.0.0.1:`) && e.message.includes('(HTTP 407)');
      });
    } finally {
      refused.close();
    }
    const soar = world.region('eu').config.brands[0]!.soar;
    await assert.rejects(soarCall({ ...soar, retry: { ...soar.retry, retries: 0 } }), (err: unknown) =>
      /the proxy http:\/\/127\.0\.0\.1:\d+ refused the tunnel to 127\.0\.0\.1:\d+ \(HTTP 407\)/.test(ClearingError.from(err).message));
    // A port nobody listens on: the proxy itself is unreachable.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    process.env['HTTPS_PROXY'] = `http://127.0.0.1:${deadPort}`;
    const dead = peerClient(eu, usPeer);
    try {
      await assert.rejects(peerHealth(dead), (err: unknown) => err instanceof PeerUnreachableError && err.message.includes(`via the proxy http://127.0.0.1:${deadPort}`));
    } finally {
      dead.close();
    }
  });

  test('a proxy asking for Basic authentication: the credentials of HTTPS_PROXY get through; wrong ones fail in words; the password is never shown', async () => {
    const eu = world.region('eu');
    const us = world.region('us');
    const usPeer = eu.config.network!.peers[0]!;
    const soar = eu.config.brands[0]!.soar;
    const port = (proxy.address() as AddressInfo).port;
    const PASSWORD = 'secret-pass';
    const expected = `Basic ${Buffer.from(`user:${PASSWORD}`).toString('base64')}`;
    /** The Proxy-Authorization of every CONNECT (null: none sent). */
    const presented: (string | null)[] = [];
    proxy.authenticate = (req) => {
      const auth = req.headers['proxy-authorization'] ?? null;
      presented.push(auth);
      return auth === expected;
    };
    /** Everything an error shows: its message, its stack, what the product makes of it, its causes, all its properties. */
    const shown = (err: unknown): string => {
      const parts: string[] = [inspect(err, { depth: 10 })];
      for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) parts.push(e.message, String(e), e.stack ?? '');
      const c = ClearingError.from(err);
      parts.push(c.message, c.toReplyMessage(), JSON.stringify(c.toHttpResponse()));
      return parts.join('\n');
    };
    const peerLog = memoryLogger();
    const soarLog = memoryLogger();
    const client = (): PeerClient => new PeerClient({ self: { id: 'eu', tls: eu.config.node.tls! }, peer: usPeer, timeoutMs: 5000, log: peerLog.log });
    const soarCallLogged = async (cfg = soar): Promise<void> => {
      const c = await SoarClient.connect(cfg, { logger: soarLog.log });
      try {
        await c.getServerVersion();
      } finally {
        await c.close();
      }
    };

    // The right credentials: the peer call and the SOAR call go through, Proxy-Authorization sent.
    process.env['HTTPS_PROXY'] = `http://user:${PASSWORD}@127.0.0.1:${port}`;
    tunnels.length = 0;
    const good = client();
    try {
      assert.equal((await peerHealth(good)).node, 'us');
    } finally {
      good.close();
    }
    await soarCallLogged();
    assert.deepEqual(tunnels, [`127.0.0.1:${us.peerPort}`, `127.0.0.1:${eu.emulator.port}`], 'both calls through the authenticating proxy');
    assert.deepEqual(presented, [expected, expected], 'each tunnel asked for with the credentials of HTTPS_PROXY');

    // Wrong credentials: the proxy answers 407; the call fails naming the proxy (password hidden)
    // and the 407. The wrong user keeps the real password, the wrong password is a password too.
    for (const [user, password] of [['intruder', PASSWORD], ['user', 'wrong-secret']] as const) {
      process.env['HTTPS_PROXY'] = `http://${user}:${password}@127.0.0.1:${port}`;
      const named = `the proxy http://${user}:***@127.0.0.1:${port} refused the tunnel to 127.0.0.1:`;
      const errors: unknown[] = [];
      const bad = client();
      try {
        await assert.rejects(peerHealth(bad), (err: unknown) => {
          errors.push(err);
          const e = ClearingError.from(err);
          return e.code === ErrorCode.PeerUnreachable && e.message.includes(`${named}${us.peerPort} (HTTP 407)`);
        });
      } finally {
        bad.close();
      }
      await assert.rejects(soarCallLogged({ ...soar, retry: { ...soar.retry, retries: 0 } }), (err: unknown) => {
        errors.push(err);
        return ClearingError.from(err).message.includes(`${named}${eu.emulator.port} (HTTP 407)`);
      });
      for (const err of errors) {
        const text = shown(err);
        assert.ok(!text.includes(PASSWORD) && !text.includes(password), `no password in the error:\n${text}`);
      }
    }
    assert.equal(presented.length, 6, 'the wrong credentials were sent, and refused');

    // The logs name the proxy (so they were looked at), never with its password.
    const lines = [...peerLog.lines, ...soarLog.lines];
    assert.ok(peerLog.lines.some((l) => l.includes(`through the proxy http://user:***@127.0.0.1:${port}`)), peerLog.lines.join('\n'));
    assert.ok(soarLog.lines.some((l) => l.includes(`through the proxy http://user:***@127.0.0.1:${port}`)), soarLog.lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('intruder:***@')), 'a line names the proxy of the refused calls');
    const leaks = lines.filter((l) => l.includes(PASSWORD) || l.includes('wrong-secret'));
    assert.deepEqual(leaks, [], 'no log line shows a password');
  });

  test('`network check` as its own process honours HTTPS_PROXY', async () => {
    const eu = world.region('eu');
    tunnels.length = 0;
    const r = await runCli(['network', 'check', '--json', '--config', eu.configPath], { https_proxy: proxyUrl, HTTPS_PROXY: proxyUrl, no_proxy: '', NO_PROXY: '' });
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal((JSON.parse(r.out) as NetworkCheckReport).peers[0]?.identity, 'us (SAN URI)');
    assert.deepEqual(tunnels, [`127.0.0.1:${world.region('us').peerPort}`]);
  });
});
