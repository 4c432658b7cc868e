/**
 * What a certificate says, for `soar-clearing pki show`: the node it names (by the same rule
 * as peer authentication, src/config/cert-identity.ts), subject, SANs, issuer, validity and
 * days left, key, usages. Read with Node's X509Certificate, the parser the TLS layer uses.
 */
import { X509Certificate } from 'node:crypto';
import { identityOfX509, parseSubjectAltName } from '../config/cert-identity.js';
import { daysLeft, oneLine } from '../config/pem.js';

const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

const CURVE_NAMES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** One certificate as `pki show` reports it (also its `--json` form). */
export interface CertificateInfo {
  /** The node the certificate names, or null with the reason in identity_problem (a CA names none). */
  readonly identity: { readonly node: string; readonly source: 'san_uri' | 'cn' } | null;
  readonly identity_problem: string | null;
  readonly subject: string;
  readonly issuer: string;
  readonly san: readonly { readonly type: string; readonly value: string }[];
  readonly not_before: string;
  readonly not_after: string;
  /** Whole days until not_after; negative once expired. */
  readonly days_left: number;
  readonly expired: boolean;
  readonly ca: boolean;
  readonly self_signed: boolean;
  /** `EC P-256`, `RSA 3072`. */
  readonly key: string;
  /** Extended key usages by name (OIDs without a name as they are); null when the certificate has none. */
  readonly extended_key_usage: readonly string[] | null;
  readonly serial: string;
  readonly fingerprint_sha256: string;
  /** Whether the CA given to `pki show --ca` signed it; null without --ca. */
  readonly signed_by_ca: boolean | null;
}

function keyOf(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return `EC ${CURVE_NAMES[details.namedCurve ?? ''] ?? details.namedCurve ?? '?'}`;
    case 'rsa':
      return `RSA ${details.modulusLength ?? '?'}`;
    default:
      return key.asymmetricKeyType ?? 'unknown';
  }
}

/** The SAN entries, Node's `IP Address` as `IP` (the word openssl and the pki options use). */
function sanOf(cert: X509Certificate): { type: string; value: string }[] {
  if (!cert.subjectAltName) return [];
  const entries = parseSubjectAltName(cert.subjectAltName);
  if (entries === null) return [{ type: 'unreadable', value: cert.subjectAltName }];
  return entries.map((e) => (e.type === 'IP Address' ? { type: 'IP', value: e.value } : e));
}

function signedBy(cert: X509Certificate, ca: readonly X509Certificate[]): boolean {
  return ca.some((c) => {
    try {
      return cert.checkIssued(c) && cert.verify(c.publicKey);
    } catch {
      return false;
    }
  });
}

/** What `cert` says, its days left counted from `now`; `ca`: the CA certificates to check the signature against. */
export function inspectCertificate(cert: X509Certificate, now: Date = new Date(), ca?: readonly X509Certificate[]): CertificateInfo {
  const named = identityOfX509(cert);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const usages = cert.keyUsage as string[] | undefined;
  return {
    identity: named.ok ? { node: named.identity.id, source: named.identity.source } : null,
    identity_problem: named.ok ? null : named.reason,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    san: sanOf(cert),
    not_before: notBefore.toISOString(),
    not_after: notAfter.toISOString(),
    days_left: daysLeft(notAfter, now),
    expired: notAfter.getTime() <= now.getTime(),
    ca: cert.ca,
    self_signed: cert.checkIssued(cert) && signedBy(cert, [cert]),
    key: keyOf(cert),
    extended_key_usage: Array.isArray(usages) ? usages.map((oid) => EKU_NAMES[oid] ?? oid) : null,
    serial: cert.serialNumber,
    fingerprint_sha256: cert.fingerprint256,
    signed_by_ca: ca === undefined ? null : signedBy(cert, ca),
  };
}
