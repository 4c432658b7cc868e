/**
 * Test PKI made with the openssl CLI (for the tests and `npm run demo`): a CA, a server certificate for localhost/127.0.0.1 signed
 * by it (also as a PKCS#12 keystore for ActiveMQ), and an unrelated "rogue" CA with its own
 * server certificate, for the tests that must see an unknown CA refused.
 * Generated once per directory and reused (openssl key generation takes a moment).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** PKCS#12 keystore holding serverKey + serverCert, password `keystorePassword`. */
  readonly serverP12: string;
  /** PKCS#12 truststore holding caCert (ActiveMQ's sslContext wants one). */
  readonly trustP12: string;
  readonly keystorePassword: string;
  /** A CA nobody trusts, and a localhost server cert signed by it. */
  readonly rogueCaCert: string;
  readonly rogueServerCert: string;
  readonly rogueServerKey: string;
  readonly rogueServerP12: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`,
      '-days', '3650', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
}

function makeLeaf(dir: string, name: string, ca: string, password: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`,
    '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, `${name}.ext`),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
    '-CAcreateserial', '-out', `${name}.crt`, '-days', '3650', '-extfile', `${name}.ext`], dir);
  openssl(['pkcs12', '-export', '-in', `${name}.crt`, '-inkey', `${name}.key`, '-name', name,
    '-out', `${name}.p12`, '-passout', `pass:${password}`], dir);
}

export function makeTestPki(dir: string): TestPki {
  const keystorePassword = 'changeit';
  const pki: TestPki = {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    serverP12: join(dir, 'server.p12'),
    trustP12: join(dir, 'trust.p12'),
    keystorePassword,
    rogueCaCert: join(dir, 'rogue-ca.crt'),
    rogueServerCert: join(dir, 'rogue-server.crt'),
    rogueServerKey: join(dir, 'rogue-server.key'),
    rogueServerP12: join(dir, 'rogue-server.p12'),
  };
  if (existsSync(pki.rogueServerP12) && existsSync(pki.trustP12)) return pki;
  mkdirSync(dir, { recursive: true });
  makeCa(dir, 'ca');
  makeLeaf(dir, 'server', 'ca', keystorePassword);
  makeCa(dir, 'rogue-ca');
  makeLeaf(dir, 'rogue-server', 'rogue-ca', keystorePassword);
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', pki.caCert,
    '-keystore', pki.trustP12, '-storetype', 'PKCS12', '-storepass', keystorePassword],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  return pki;
}

// ---------------------------------------------------------------------------------------------
// Clearing node certificates (peer API, mutual TLS)

/** What makeNodeCert needs: a directory with `ca.crt/.key` and `rogue-ca.crt/.key`. TestPki is one. */
export type CaPki = Pick<TestPki, 'dir' | 'caCert' | 'rogueCaCert'>;

/**
 * Only the two CAs (network and rogue), without server certificates or keystores: quick, for
 * unit tests that need node certificates but no broker. Reused when already there.
 */
export function makeCaPki(dir: string): CaPki {
  const pki: CaPki = { dir, caCert: join(dir, 'ca.crt'), rogueCaCert: join(dir, 'rogue-ca.crt') };
  mkdirSync(dir, { recursive: true });
  for (const name of ['ca', 'rogue-ca']) {
    if (!existsSync(join(dir, `${name}.crt`)) || !existsSync(join(dir, `${name}.key`))) makeCa(dir, name);
  }
  return pki;
}

export interface NodeCertOptions {
  /** Which CA signs it: the PKI's CA (default; the network CA of the tests) or the rogue one. */
  readonly ca?: 'network' | 'rogue';
  /** Base name of the files (default `<nodeId>`, or `rogue-<nodeId>` when the rogue CA signs). */
  readonly name?: string;
  /** false: no `urn:soar-clearing:node:` SAN URI, so the CN is the only identity (default true). */
  readonly uri?: boolean;
  /** Subject CN (default the node id). */
  readonly cn?: string;
}

/** A node's certificate and key files, and the CA file that signed it. */
export interface NodeCert {
  readonly nodeId: string;
  readonly cert: string;
  readonly key: string;
  /** The certificate of the CA that signed it (the network CA, or the rogue CA). */
  readonly ca: string;
}

/**
 * A clearing node's certificate, `<name>.crt` / `<name>.key` in the PKI's directory (EC P-256,
 * quick), CN=<nodeId>, SAN DNS:localhost, IP:127.0.0.1, URI:urn:soar-clearing:node:<nodeId>,
 * extended key usage serverAuth + clientAuth, signed by the PKI's CA (or its rogue CA).
 * Reused when both files are already there; written under temporary names, then renamed.
 */
export function makeNodeCert(pki: CaPki, nodeId: string, opts: NodeCertOptions = {}): NodeCert {
  const rogue = opts.ca === 'rogue';
  const name = opts.name ?? (rogue ? `rogue-${nodeId}` : nodeId);
  const caCert = rogue ? pki.rogueCaCert : pki.caCert;
  const caKey = caCert.replace(/\.crt$/, '.key');
  const out: NodeCert = { nodeId, cert: join(pki.dir, `${name}.crt`), key: join(pki.dir, `${name}.key`), ca: caCert };
  if (existsSync(out.cert) && existsSync(out.key)) return out;
  const tmp = `${name}.tmp-${process.pid}`;
  const san = ['DNS:localhost', 'IP:127.0.0.1', ...(opts.uri === false ? [] : [`URI:urn:soar-clearing:node:${nodeId}`])];
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${tmp}.key`,
    '-out', `${tmp}.csr`, '-subj', `/CN=${opts.cn ?? nodeId}`], pki.dir);
  writeFileSync(join(pki.dir, `${tmp}.ext`), `subjectAltName=${san.join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  openssl(['x509', '-req', '-in', `${tmp}.csr`, '-CA', caCert, '-CAkey', caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-out', `${tmp}.crt`, '-days', '3650', '-extfile', `${tmp}.ext`], pki.dir);
  renameSync(join(pki.dir, `${tmp}.key`), out.key);
  renameSync(join(pki.dir, `${tmp}.crt`), out.cert);
  for (const ext of ['csr', 'ext']) rmSync(join(pki.dir, `${tmp}.${ext}`), { force: true });
  return out;
}
