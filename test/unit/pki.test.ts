/**
 * The pki tool's certificates: what a CA and a node certificate hold (read back with
 * @peculiar/x509 and with Node's parser, and verified by openssl as an independent
 * implementation), its refusals, and the command line's files (modes, --force), output and exit
 * codes (real processes of dist/bin/soar-clearing.js). No network.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { identityOfX509 } from '../../src/config/cert-identity.js';
import { ClearingError, ErrorCode } from '../../src/core/errors.js';
import { type CertificateAndKey, createCa, issueNodeCertificate } from '../../src/pki/certificates.js';
import { CERT_MODE, KEY_MODE, writeFiles } from '../../src/pki/files.js';
import { inspectCertificate } from '../../src/pki/inspect.js';
import { makeCaPki } from '../support/certs.js';

const root = mkdtempSync(join(tmpdir(), 'sc-pki-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => join(root, `d${++dirCount}`);

const DAY = 86_400_000;
/** A whole second: certificates keep seconds, so validity arithmetic stays exact. */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function parsed(pem: string) {
  const cert = new x509.X509Certificate(pem);
  const ext = <T extends x509.Extension>(type: new (raw: ArrayBuffer) => T): T => {
    const found = cert.getExtension(type);
    assert.ok(found, `extension ${type.name} present`);
    return found;
  };
  return { cert, ext };
}

/** openssl's verdict on `cert` for `purpose`: the chain to `caPem`, strict X.509 rules. */
function opensslVerify(caPem: string, certPem: string, purpose: 'sslserver' | 'sslclient'): string {
  const dir = freshDir();
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'ca.crt'), caPem);
  writeFileSync(join(dir, 'leaf.crt'), certPem);
  return execFileSync('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt')], { encoding: 'utf8' });
}

function sanOf(cert: x509.X509Certificate): { type: string; value: string }[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  assert.ok(san, 'subjectAltName present');
  return san.names.items.map((n) => ({ type: n.type, value: n.value }));
}

async function rejects(p: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ClearingError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

describe('certificate contents', () => {
  let ca: CertificateAndKey;
  let node: CertificateAndKey;

  test('the CA: self-signed, CA with path length 0, keyCertSign + cRLSign (critical), EC P-256, the asked validity and subject', async () => {
    ca = await createCa({ subject: 'CN=Acme clearing CA, O=Acme', days: 1000, now: NOW });
    const { cert, ext } = parsed(ca.certPem);
    assert.equal(cert.subject, 'CN=Acme clearing CA, O=Acme');
    assert.equal(cert.issuer, cert.subject);
    assert.ok(await cert.isSelfSigned());
    const bc = ext(x509.BasicConstraintsExtension);
    assert.equal(bc.ca, true);
    assert.equal(bc.pathLength, 0);
    assert.equal(bc.critical, true);
    const ku = ext(x509.KeyUsagesExtension);
    assert.equal(ku.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    assert.equal(ku.critical, true);
    ext(x509.SubjectKeyIdentifierExtension);
    assert.equal(cert.notAfter.getTime(), NOW.getTime() + 1000 * DAY);
    assert.ok(cert.notBefore.getTime() <= NOW.getTime() && cert.notBefore.getTime() >= NOW.getTime() - 10 * 60_000, 'notBefore a few minutes back at most');
    const key = createPrivateKey(ca.keyPem);
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.ok(new X509Certificate(ca.certPem).checkPrivateKey(key));
  });

  test('a node certificate: SAN URI naming the node (as peer authentication reads it), DNS and IP names, serverAuth + clientAuth, not a CA', async () => {
    node = await issueNodeCertificate(ca, { nodeId: 'eu', dns: ['clearing-eu.example.com', 'localhost'], ips: ['127.0.0.1', '::1'], days: 90, now: NOW });
    const { cert, ext } = parsed(node.certPem);
    assert.equal(cert.subject, 'CN=eu');
    assert.equal(cert.issuer, 'CN=Acme clearing CA, O=Acme');
    assert.deepEqual(sanOf(cert), [
      { type: 'url', value: 'urn:soar-clearing:node:eu' },
      { type: 'dns', value: 'clearing-eu.example.com' },
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ]);
    const eku = ext(x509.ExtendedKeyUsageExtension);
    assert.deepEqual([...eku.usages].sort(), [SERVER_AUTH, CLIENT_AUTH]);
    const ku = ext(x509.KeyUsagesExtension);
    assert.equal(ku.usages, x509.KeyUsageFlags.digitalSignature);
    assert.equal(ku.critical, true);
    const bc = ext(x509.BasicConstraintsExtension);
    assert.equal(bc.ca, false);
    const aki = ext(x509.AuthorityKeyIdentifierExtension);
    const caSki = parsed(ca.certPem).ext(x509.SubjectKeyIdentifierExtension);
    assert.equal(aki.keyId, caSki.keyId);
    assert.equal(cert.notAfter.getTime(), NOW.getTime() + 90 * DAY);
    assert.ok(cert.notBefore.getTime() < NOW.getTime());
    assert.ok(await cert.verify({ publicKey: new x509.X509Certificate(ca.certPem).publicKey, signatureOnly: true }));

    // The rule the config loader, the peer server and the peer client apply.
    const nodeCert = new X509Certificate(node.certPem);
    assert.deepEqual(identityOfX509(nodeCert), { ok: true, identity: { id: 'eu', source: 'san_uri' } });
    assert.ok(nodeCert.checkIssued(new X509Certificate(ca.certPem)));
    assert.ok(nodeCert.checkPrivateKey(createPrivateKey(node.keyPem)));
    assert.equal(nodeCert.checkHost('clearing-eu.example.com'), 'clearing-eu.example.com');
    assert.equal(nodeCert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(nodeCert.checkHost('other.example.com'), undefined);
  });

  test('openssl accepts the node certificate as TLS server and as TLS client under the CA (strict checks)', () => {
    assert.match(opensslVerify(ca.certPem, node.certPem, 'sslserver'), /: OK/);
    assert.match(opensslVerify(ca.certPem, node.certPem, 'sslclient'), /: OK/);
  });

  test('pki show reads the node, names, issuer, validity and days left, key and usages', () => {
    const info = inspectCertificate(new X509Certificate(node.certPem), new Date(NOW.getTime() + 30 * DAY), [new X509Certificate(ca.certPem)]);
    assert.deepEqual(info.identity, { node: 'eu', source: 'san_uri' });
    assert.equal(info.identity_problem, null);
    assert.equal(info.subject, 'CN=eu');
    assert.equal(info.issuer, 'CN=Acme clearing CA, O=Acme');
    assert.deepEqual(info.san, [
      { type: 'URI', value: 'urn:soar-clearing:node:eu' },
      { type: 'DNS', value: 'clearing-eu.example.com' },
      { type: 'DNS', value: 'localhost' },
      { type: 'IP', value: '127.0.0.1' },
      { type: 'IP', value: '0:0:0:0:0:0:0:1' },
    ]);
    assert.equal(info.not_after, new Date(NOW.getTime() + 90 * DAY).toISOString());
    assert.equal(info.days_left, 60);
    assert.equal(info.expired, false);
    assert.equal(info.key, 'EC P-256');
    assert.deepEqual(info.extended_key_usage, ['serverAuth', 'clientAuth']);
    assert.equal(info.ca, false);
    assert.equal(info.self_signed, false);
    assert.equal(info.signed_by_ca, true);

    const later = inspectCertificate(new X509Certificate(node.certPem), new Date(NOW.getTime() + 93 * DAY), []);
    assert.equal(later.expired, true);
    assert.equal(later.days_left, -3);
    assert.equal(later.signed_by_ca, false);

    const caInfo = inspectCertificate(new X509Certificate(ca.certPem), NOW);
    assert.equal(caInfo.identity, null);
    assert.equal(caInfo.ca, true);
    assert.equal(caInfo.self_signed, true);
    assert.equal(caInfo.extended_key_usage, null);
  });

  test('RSA 3072 on request: the node key, keyEncipherment added, and an RSA CA signs too', async () => {
    const rsaCa = await createCa({ keyType: 'rsa', now: NOW });
    assert.equal(parsed(rsaCa.certPem).cert.subject, 'CN=soar-clearing network CA');
    const rsaNode = await issueNodeCertificate(rsaCa, { nodeId: 'us', ips: ['10.0.0.7'], keyType: 'rsa', now: NOW });
    const key = createPrivateKey(rsaNode.keyPem);
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 3072);
    const { cert, ext } = parsed(rsaNode.certPem);
    assert.equal(ext(x509.KeyUsagesExtension).usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    assert.equal(cert.notAfter.getTime(), NOW.getTime() + 365 * DAY, 'default validity 365 days');
    assert.equal(inspectCertificate(new X509Certificate(rsaNode.certPem)).key, 'RSA 3072');
    assert.match(opensslVerify(rsaCa.certPem, rsaNode.certPem, 'sslserver'), /: OK/);
    // An EC node under the RSA CA: what an admin gets who keeps the default key type.
    const ecNode = await issueNodeCertificate(rsaCa, { nodeId: 'ap', dns: ['localhost'], now: NOW });
    assert.match(opensslVerify(rsaCa.certPem, ecNode.certPem, 'sslclient'), /: OK/);
  });

  test('a CA made by openssl (an existing network CA) signs node certificates openssl accepts', async () => {
    const pki = makeCaPki(join(root, 'openssl-ca'));
    const opensslCa = { certPem: readFileSync(pki.caCert, 'utf8'), keyPem: readFileSync(pki.caCert.replace(/\.crt$/, '.key'), 'utf8') };
    const issued = await issueNodeCertificate(opensslCa, { nodeId: 'eu', dns: ['localhost'], now: NOW });
    assert.match(opensslVerify(opensslCa.certPem, issued.certPem, 'sslserver'), /: OK/);
    assert.match(opensslVerify(opensslCa.certPem, issued.certPem, 'sslclient'), /: OK/);
  });
});

describe('refusals', () => {
  let ca: CertificateAndKey;
  const names = { nodeId: 'eu', dns: ['localhost'] };

  test('wrong node ids, names, days and subjects are usage errors naming the option', async () => {
    ca = await createCa({ days: 100, now: NOW });
    await rejects(issueNodeCertificate(ca, { ...names, nodeId: 'EU' }), ErrorCode.Usage, /--node "EU" is not a node id/);
    await rejects(issueNodeCertificate(ca, { nodeId: 'eu' }), ErrorCode.Usage, /--dns NAME and\/or --ip ADDRESS/);
    await rejects(issueNodeCertificate(ca, { nodeId: 'eu', ips: ['10.0.0.300'] }), ErrorCode.Usage, /--ip "10\.0\.0\.300" is not an IPv4 or IPv6 address/);
    for (const bad of ['*.example.com', 'a..b', '-a.example.com', 'a b', 'x'.repeat(64)]) {
      await rejects(issueNodeCertificate(ca, { nodeId: 'eu', dns: [bad] }), ErrorCode.Usage, /--dns .* is not a DNS name/);
    }
    for (const days of [0, -1, 1.5, 40_000]) {
      await rejects(issueNodeCertificate(ca, { ...names, days }), ErrorCode.Usage, /--days must be a whole number of days/);
      await rejects(createCa({ days }), ErrorCode.Usage, /--days must be a whole number/);
    }
    await rejects(createCa({ keyType: 'dsa' as 'ec' }), ErrorCode.Usage, /--key-type "dsa": choose ec or rsa/);
    await rejects(createCa({ subject: 'Acme CA' }), ErrorCode.Usage, /--subject "Acme CA" is not a distinguished name/);
    await rejects(issueNodeCertificate(ca, { ...names, subject: '' }), ErrorCode.Usage, /--subject "" is not a distinguished name/);
  });

  test('a node certificate never outlives its CA', async () => {
    await rejects(issueNodeCertificate(ca, { ...names, days: 101, now: NOW }), ErrorCode.Usage, /the CA expires on .*; use --days 100 or less/);
    await issueNodeCertificate(ca, { ...names, days: 100, now: NOW });
  });

  test('an expired CA, a certificate that is no CA, and a key that is not the CA\'s are refused', async () => {
    const old = await createCa({ days: 10, now: new Date(NOW.getTime() - 20 * DAY) });
    await rejects(issueNodeCertificate(old, names), ErrorCode.FileUnusable, /the CA certificate expired on/);
    const leaf = await issueNodeCertificate(ca, { ...names, days: 50 });
    await rejects(issueNodeCertificate(leaf, names), ErrorCode.FileUnusable, /\(CN=eu\) is not a CA certificate/);
    const other = await createCa();
    await rejects(issueNodeCertificate({ certPem: ca.certPem, keyPem: other.keyPem }, names), ErrorCode.FileUnusable, /not the key of the CA certificate/);
    await rejects(issueNodeCertificate({ certPem: 'nonsense', keyPem: ca.keyPem }, names), ErrorCode.FileUnusable, /not a readable certificate/);
  });

  test('an encrypted or unreadable CA key is refused clearly, not as an internal error', async () => {
    const encrypted = createPrivateKey(ca.keyPem).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    assert.match(encrypted, /BEGIN ENCRYPTED PRIVATE KEY/);
    // The traditional form openssl writes (`openssl ec -aes256`).
    const dir = freshDir();
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'ca.key'), ca.keyPem);
    const traditional = execFileSync('openssl', ['ec', '-in', join(dir, 'ca.key'), '-aes256', '-passout', 'pass:secret'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.match(traditional, /Proc-Type: 4,ENCRYPTED/);
    for (const keyPem of [encrypted, traditional]) {
      await rejects(issueNodeCertificate({ certPem: ca.certPem, keyPem }, names), ErrorCode.FileUnusable, /the CA key is encrypted with a passphrase; pki issue needs it unencrypted/);
    }
    for (const keyPem of ['garbage', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n']) {
      await rejects(issueNodeCertificate({ certPem: ca.certPem, keyPem }, names), ErrorCode.FileUnusable, /the CA key is not a readable private key/);
    }
  });
});

describe('writing the files', () => {
  test('--force: a file that cannot be written leaves every old file as it was (no new key beside an old certificate), and no temporary file', () => {
    const dir = freshDir();
    mkdirSync(dir);
    const key = join(dir, 'eu.key');
    writeFileSync(key, 'old key');
    // The certificate's directory is missing: its write fails after the key's.
    const files = [{ path: key, content: 'new key', mode: KEY_MODE }, { path: join(dir, 'gone', 'eu.crt'), content: 'new cert', mode: CERT_MODE }];
    assert.throws(() => writeFiles(files, true), (err: unknown) => err instanceof ClearingError && err.code === ErrorCode.FileUnusable && /cannot write .*eu\.crt: ENOENT/.test(err.message));
    assert.equal(readFileSync(key, 'utf8'), 'old key');
    assert.deepEqual(readdirSync(dir), ['eu.key']);

    writeFiles([files[0]!, { ...files[1]!, path: join(dir, 'eu.crt') }], true);
    assert.equal(readFileSync(key, 'utf8'), 'new key');
    assert.equal(readFileSync(join(dir, 'eu.crt'), 'utf8'), 'new cert');
    assert.equal(modeOf(key), 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['eu.crt', 'eu.key']);
  });
});

// ---- the command line: real processes of the built program
const cli = fileURLToPath(new URL('../../bin/soar-clearing.js', import.meta.url));

function run(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [cli, 'pki', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('soar-clearing pki (command line)', () => {
  test('init and issue write the files with their modes, print the config lines, and refuse to overwrite without --force', () => {
    const dir = freshDir();
    const init = run(['init', '--dir', dir, '--days', '730']);
    assert.equal(init.code, 0, init.err);
    assert.match(init.out, /ca\.crt: the network CA's certificate \(CN=soar-clearing network CA, EC P-256/);
    assert.equal(modeOf(dir), 0o700);
    assert.equal(modeOf(join(dir, 'ca.key')), 0o600);
    assert.equal(modeOf(join(dir, 'ca.crt')), 0o644);

    const issue = run(['issue', '--ca-dir', dir, '--node', 'eu', '--dns', 'clearing-eu.example.com', '--ip', '10.1.2.3', '--days', '30']);
    assert.equal(issue.code, 0, issue.err);
    assert.equal(modeOf(join(dir, 'eu.key')), 0o600);
    assert.equal(modeOf(join(dir, 'eu.crt')), 0o644);
    assert.ok(issue.out.includes(`tls: { cert: ${join(dir, 'eu.crt')}, key: ${join(dir, 'eu.key')}, ca: ${join(dir, 'ca.crt')} }`), issue.out);
    assert.match(issue.out, /URI:urn:soar-clearing:node:eu, DNS:clearing-eu\.example\.com, IP:10\.1\.2\.3/);

    const before = readFileSync(join(dir, 'eu.crt'), 'utf8');
    const again = run(['issue', '--ca-dir', dir, '--node', 'eu', '--dns', 'localhost']);
    assert.equal(again.code, 2);
    assert.match(again.err, /eu\.crt and .*eu\.key already exist; add --force/);
    assert.equal(readFileSync(join(dir, 'eu.crt'), 'utf8'), before, 'left unchanged');
    const initAgain = run(['init', '--dir', dir]);
    assert.equal(initAgain.code, 2);
    assert.match(initAgain.err, /already exist; add --force/);

    // --force replaces, and a key file found with a wider mode ends up 0600 all the same.
    chmodSync(join(dir, 'eu.key'), 0o644);
    const forced = run(['issue', '--ca-dir', dir, '--node', 'eu', '--dns', 'localhost', '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.notEqual(readFileSync(join(dir, 'eu.crt'), 'utf8'), before);
    assert.equal(modeOf(join(dir, 'eu.key')), 0o600);
  });

  test('issue --out: the node\'s directory gets its pair and the CA certificate', () => {
    const dir = freshDir();
    assert.equal(run(['init', '--dir', dir]).code, 0);
    const out = join(dir, 'for-us');
    const r = run(['issue', '--ca-dir', dir, '--out', out, '--node', 'us', '--ip', '127.0.0.1', '--key-type', 'rsa']);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(join(out, 'ca.crt'), 'utf8'), readFileSync(join(dir, 'ca.crt'), 'utf8'));
    assert.equal(modeOf(join(out, 'us.key')), 0o600);
    assert.equal(createPrivateKey(readFileSync(join(out, 'us.key'))).asymmetricKeyDetails?.modulusLength, 3072);
  });

  test('show: text and --json, with the days left and the check against --ca', () => {
    const dir = freshDir();
    assert.equal(run(['init', '--dir', dir]).code, 0);
    assert.equal(run(['issue', '--ca-dir', dir, '--node', 'eu', '--dns', 'localhost', '--days', '20']).code, 0);
    const text = run(['show', join(dir, 'eu.crt'), '--ca', join(dir, 'ca.crt')]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /node: +eu \(SAN URI\)/);
    assert.match(text.out, /SAN: +URI:urn:soar-clearing:node:eu, DNS:localhost/);
    assert.match(text.out, /issuer: +CN=soar-clearing network CA/);
    assert.match(text.out, /not after: +\S+ \(19 days left\)/);
    assert.match(text.out, /key usage: +serverAuth, clientAuth/);
    assert.match(text.out, /signed by --ca: +yes/);
    const json = run(['show', join(dir, 'ca.crt'), '--json']);
    assert.equal(json.code, 0, json.err);
    const [info] = (JSON.parse(json.out) as { certificates: { identity: unknown; ca: boolean; days_left: number; self_signed: boolean }[] }).certificates;
    assert.equal(info?.identity, null);
    assert.equal(info?.ca, true);
    assert.equal(info?.self_signed, true);
    assert.equal(info?.days_left, 3649);
  });

  test('clear errors with exit codes: bad option values 2, missing or unreadable files 1; no stack trace', () => {
    const dir = freshDir();
    assert.equal(run(['init', '--dir', dir]).code, 0);
    // A CA whose key is encrypted, and one whose key file is garbage.
    const encDir = freshDir();
    const junkDir = freshDir();
    for (const d of [encDir, junkDir]) assert.equal(run(['init', '--dir', d]).code, 0);
    const encKey = createPrivateKey(readFileSync(join(encDir, 'ca.key'))).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' });
    writeFileSync(join(encDir, 'ca.key'), encKey);
    writeFileSync(join(junkDir, 'ca.key'), 'not a key\n');
    const cases: [string[], number, RegExp][] = [
      [['issue', '--ca-dir', encDir, '--node', 'eu', '--dns', 'x'], 1, /error: the CA key is encrypted with a passphrase/],
      [['issue', '--ca-dir', junkDir, '--node', 'eu', '--dns', 'x'], 1, /error: the CA key is not a readable private key/],
      [['issue', '--ca-dir', dir, '--node', 'eu', '--ip', 'localhost'], 2, /--ip "localhost" is not an IPv4 or IPv6 address/],
      [['issue', '--ca-dir', dir, '--node', 'eu', '--key-type', 'dsa', '--dns', 'x'], 2, /Invalid values:[\s\S]*key-type/],
      [['issue', '--ca-dir', dir, '--dns', 'x'], 2, /Missing required argument: node/],
      [['issue', '--ca-dir', join(dir, 'nothing'), '--node', 'eu', '--dns', 'x'], 1, /no network CA in .*nothing.*pki init/],
      [['show', join(dir, 'missing.crt')], 1, /cannot read .*missing\.crt: ENOENT/],
      [['show', join(dir, 'ca.key')], 1, /holds no certificate \(it holds a private key/],
      [['show'], 2, /Not enough non-option arguments/],
      [[], 2, /Name a pki subcommand/],
    ];
    for (const [args, code, message] of cases) {
      const r = run(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
  });

  test('--help explains the commands, the identity and the exit codes', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    for (const text of [/pki init/, /pki issue/, /pki show <file>/, /urn:soar-clearing:node:<node id>/, /Exit codes: 0 ok; 1 .*; 2 bad usage/]) assert.match(r.out.replace(/\s+/g, ' '), text);
    const issue = run(['issue', '--help']);
    for (const option of ['--node', '--dns', '--ip', '--ca-dir', '--out', '--days', '--key-type', '--force']) assert.ok(issue.out.includes(option), option);
  });
});
