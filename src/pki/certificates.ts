/**
 * The network's certificates: a CA (self-signed, signs node certificates only) and node
 * certificates signed by it that name the node the way peer authentication reads it
 * (src/config/cert-identity.ts: the SAN URI `urn:soar-clearing:node:<id>`), with the DNS
 * names and IP addresses peers reach the node by (the peer client checks the host name too) and
 * extended key usage serverAuth + clientAuth (a node is server and client of the peer API).
 *
 * Keys and signatures are Node's WebCrypto; the certificate structures are @peculiar/x509's.
 * Everything here works on PEM text; reading and writing files is src/pki/files.ts.
 */
import { type KeyObject, X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { nodeUri } from '../config/cert-identity.js';
import { DAY_MS, daysLeft, oneLine } from '../config/pem.js';
import { ID_PATTERN } from '../config/schema.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { DEFAULT_CA_DAYS, DEFAULT_CA_SUBJECT, DEFAULT_NODE_DAYS, KEY_TYPES, type KeyType } from './defaults.js';
import { x509 } from './x509.js';

/** A certificate and its private key (PKCS#8), both PEM. */
export interface CertificateAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Longest validity accepted (100 years): beyond it a typo is likelier than a wish. */
const MAX_DAYS = 36_500;
/** notBefore lies this far in the past, so a peer whose clock runs a little behind accepts a new certificate. */
const BACKDATE_MS = 5 * 60_000;

const ID_RE = new RegExp(ID_PATTERN);
// One DNS label: letters, digits and inner hyphens, at most 63 characters.
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

type SigningAlgorithm = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams & { hash: string };

function algorithmFor(keyType: KeyType): SigningAlgorithm {
  switch (keyType) {
    case 'ec':
      return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    case 'rsa':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    default:
      throw usage(`--key-type ${JSON.stringify(keyType)}: choose ${KEY_TYPES.join(' or ')}`);
  }
}

function usage(message: string): ClearingError {
  return new ClearingError(ErrorCode.Usage, message);
}

function checkDays(days: number, option: string): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw usage(`${option} must be a whole number of days from 1 to ${MAX_DAYS} (got ${days})`);
}

/** A subject distinguished name as text (`CN=Acme clearing CA, O=Acme`), checked. */
function subjectName(text: string, option: string): x509.Name {
  let name: x509.Name;
  try {
    name = new x509.Name(text);
  } catch {
    throw usage(`${option} ${JSON.stringify(text)} is not a distinguished name like 'CN=Acme clearing CA, O=Acme'`);
  }
  if (name.toJSON().length === 0) throw usage(`${option} ${JSON.stringify(text)} is not a distinguished name like 'CN=Acme clearing CA, O=Acme'`);
  return name;
}

/** A positive serial number of 127 random bits (RFC 5280: at most 20 octets, positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function generateKeys(keyType: KeyType): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithmFor(keyType), true, ['sign', 'verify']);
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

export interface CaOptions {
  /** Distinguished name (default DEFAULT_CA_SUBJECT). */
  readonly subject?: string;
  readonly days?: number;
  readonly keyType?: KeyType;
  /** The time the certificate is made (tests). */
  readonly now?: Date;
}

/**
 * A network CA: self-signed, basic constraints CA with path length 0 (it signs node
 * certificates, never another CA), key usage keyCertSign + cRLSign.
 */
export async function createCa(opts: CaOptions = {}): Promise<CertificateAndKey> {
  const days = opts.days ?? DEFAULT_CA_DAYS;
  checkDays(days, '--days');
  const name = subjectName(opts.subject ?? DEFAULT_CA_SUBJECT, '--subject');
  const alg = algorithmFor(opts.keyType ?? 'ec');
  const keys = await generateKeys(opts.keyType ?? 'ec');
  const now = (opts.now ?? new Date()).getTime();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + days * DAY_MS),
    keys: keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
}

/** The CA's private key, or a clear refusal when it is encrypted or not a private key. */
function readCaKey(keyPem: string): KeyObject {
  try {
    return createPrivateKey(keyPem);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Node 20's OpenSSL answers an encrypted key with ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED: go by the PEM too.
    const encrypted = code === 'ERR_MISSING_PASSPHRASE' || /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/.test(keyPem);
    throw new ClearingError(ErrorCode.FileUnusable, encrypted
      ? 'the CA key is encrypted with a passphrase; pki issue needs it unencrypted'
      : `the CA key is not a readable private key (${code ?? (err as Error).message})`);
  }
}

/** The CA's key as a WebCrypto signing key and the algorithm it signs with. */
async function caSigningKey(keyObject: KeyObject): Promise<{ key: webcrypto.CryptoKey; alg: webcrypto.EcKeyImportParams & { hash: string } | webcrypto.RsaHashedImportParams }> {
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const details = keyObject.asymmetricKeyDetails ?? {};
  let alg: webcrypto.EcKeyImportParams & { hash: string } | webcrypto.RsaHashedImportParams;
  if (keyObject.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  else if (keyObject.asymmetricKeyType === 'ec' && details.namedCurve === 'secp384r1') alg = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  else if (keyObject.asymmetricKeyType === 'rsa') alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  else {
    throw new ClearingError(ErrorCode.FileUnusable,
      `the CA key is ${keyObject.asymmetricKeyType ?? 'of an unknown type'}${details.namedCurve ? ` ${details.namedCurve}` : ''}; supported: EC P-256, EC P-384, RSA`);
  }
  return { key: await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign']), alg };
}

export interface NodeCertificateOptions {
  /** The node id (node.id of its configuration). */
  readonly nodeId: string;
  /** DNS names its peers reach it by (in their network.peers URLs). */
  readonly dns?: readonly string[];
  /** IP addresses its peers reach it by. */
  readonly ips?: readonly string[];
  /** Distinguished name (default `CN=<node id>`). */
  readonly subject?: string;
  readonly days?: number;
  readonly keyType?: KeyType;
  readonly now?: Date;
}

/** Checks the names a node certificate would carry; throws a usage error naming the first wrong one. */
export function checkNodeNames(opts: NodeCertificateOptions): void {
  if (!ID_RE.test(opts.nodeId)) {
    throw usage(`--node ${JSON.stringify(opts.nodeId)} is not a node id: 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit`);
  }
  const dns = opts.dns ?? [];
  const ips = opts.ips ?? [];
  if (dns.length + ips.length === 0) {
    throw usage('give the names its peers reach the node by (the host of its URL in their network.peers): --dns NAME and/or --ip ADDRESS');
  }
  for (const name of dns) {
    if (name.length > 253 || !name.split('.').every((label) => LABEL_RE.test(label))) {
      throw usage(`--dns ${JSON.stringify(name)} is not a DNS name (letters, digits and hyphens in dot-separated labels; no wildcards)`);
    }
  }
  for (const ip of ips) {
    if (isIP(ip) === 0) throw usage(`--ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  }
}

/**
 * A node certificate signed by the CA: subject `CN=<node id>` unless told otherwise; SAN the
 * node URI, the DNS names and the IP addresses; basic constraints not a CA; key usage
 * digitalSignature (and keyEncipherment for RSA, which TLS 1.2's RSA key exchange needs);
 * extended key usage serverAuth + clientAuth. Refused when the CA is no CA, its key is not
 * the certificate's, it has expired, or it expires before the node certificate would.
 */
export async function issueNodeCertificate(ca: CertificateAndKey, opts: NodeCertificateOptions): Promise<CertificateAndKey> {
  checkNodeNames(opts);
  const days = opts.days ?? DEFAULT_NODE_DAYS;
  checkDays(days, '--days');
  const subject = subjectName(opts.subject ?? `CN=${opts.nodeId}`, '--subject');
  const now = (opts.now ?? new Date()).getTime();
  const notAfter = new Date(now + days * DAY_MS);

  let caCert: X509Certificate;
  try {
    caCert = new X509Certificate(ca.certPem);
  } catch (err) {
    throw new ClearingError(ErrorCode.FileUnusable, `the CA certificate is not a readable certificate (${(err as Error).message})`);
  }
  if (!caCert.ca) throw new ClearingError(ErrorCode.FileUnusable, `the CA certificate (${oneLine(caCert.subject)}) is not a CA certificate (basic constraints)`);
  const caNotAfter = new Date(caCert.validTo);
  if (caNotAfter.getTime() <= now) throw new ClearingError(ErrorCode.FileUnusable, `the CA certificate expired on ${caNotAfter.toISOString()}; make a new CA (pki init)`);
  const caKey = readCaKey(ca.keyPem);
  if (!caCert.checkPrivateKey(caKey)) {
    throw new ClearingError(ErrorCode.FileUnusable, 'the CA key is not the key of the CA certificate');
  }
  if (notAfter > caNotAfter) {
    const most = daysLeft(caNotAfter, now);
    throw usage(`the CA expires on ${caNotAfter.toISOString()}, before a certificate valid for ${days} days would; use --days ${most} or less, or make a new CA`);
  }

  const signing = await caSigningKey(caKey);
  const keyType = opts.keyType ?? 'ec';
  const keys = await generateKeys(keyType);
  const caX509 = new x509.X509Certificate(ca.certPem);
  const caSki = caX509.getExtension(x509.SubjectKeyIdentifierExtension);
  const names: x509.JsonGeneralName[] = [
    { type: 'url', value: nodeUri(opts.nodeId) },
    ...(opts.dns ?? []).map((value): x509.JsonGeneralName => ({ type: 'dns', value })),
    ...(opts.ips ?? []).map((value): x509.JsonGeneralName => ({ type: 'ip', value })),
  ];
  const keyUsage = x509.KeyUsageFlags.digitalSignature | (keyType === 'rsa' ? x509.KeyUsageFlags.keyEncipherment : 0);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    // The CA's name as encoded in its certificate, so chain building matches it byte for byte.
    issuer: caX509.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: signing.key,
    signingAlgorithm: signing.alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      caSki ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId) : await x509.AuthorityKeyIdentifierExtension.create(caX509.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
}
