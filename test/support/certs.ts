/**
 * Test PKI made with the openssl CLI: a CA, a server certificate for localhost/127.0.0.1 signed
 * by it (also as a PKCS#12 keystore for ActiveMQ), and an unrelated "rogue" CA with its own
 * server certificate, for the tests that must see an unknown CA refused.
 * Generated once per directory and reused (openssl key generation takes a moment).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
