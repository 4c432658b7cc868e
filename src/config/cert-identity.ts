/**
 * Who a certificate names: the node identity carried by a clearing node's certificate.
 *
 * A node's certificate (signed by the network CA) names the node by a SAN URI
 * `urn:soar-clearing:node:<node id>`; a certificate without such a URI names the node of its
 * subject CN. The same rule serves three places: the config loader (this node's own
 * certificate must name node.id), the peer server (a client certificate must name a configured
 * peer, src/clearing/peer-auth.ts) and the peer client (the server must be the peer it meant to
 * reach).
 *
 * The TLS layer has checked the chain to the network CA before any of this runs; these
 * functions only read names.
 */
import type { PeerCertificate } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { ID_PATTERN } from './schema.js';

/** Prefix of the SAN URI that names a clearing node. */
const NODE_URI_PREFIX = 'urn:soar-clearing:node:';

/** The SAN URI that names node `id` (what `soar-clearing pki issue` writes). */
export function nodeUri(id: string): string {
  return `${NODE_URI_PREFIX}${id}`;
}

const ID_RE = new RegExp(ID_PATTERN);

/** The node a certificate names, and which part of the certificate said so. */
export interface CertIdentity {
  readonly id: string;
  readonly source: 'san_uri' | 'cn';
}

export type CertIdentityResult =
  | { readonly ok: true; readonly identity: CertIdentity }
  | { readonly ok: false; readonly reason: string };

/**
 * Splits Node's `subjectaltname` text (`DNS:localhost, IP Address:127.0.0.1, URI:urn:x`) into
 * entries. Node quotes a value holding `,`, `"` or `\` as a JSON string (`URI:"urn:a,b"`).
 * Returns null when the text is not in that form.
 */
export function parseSubjectAltName(text: string): { type: string; value: string }[] | null {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) return null;
    const type = text.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (text[j] === '"') {
      let k = j + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      if (k >= text.length) return null;
      try {
        value = JSON.parse(text.slice(j, k + 1)) as string;
      } catch {
        return null;
      }
      j = k + 1;
    } else {
      const comma = text.indexOf(', ', j);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(j, end);
      j = end;
    }
    out.push({ type, value });
    if (j < text.length) {
      if (!text.startsWith(', ', j)) return null;
      j += 2;
    }
    i = j;
  }
  return out;
}

/**
 * The node named by a certificate's SAN (Node's `subjectaltname` text) and subject CNs.
 * Every `urn:soar-clearing:node:` URI must name the same, valid node id; without such a URI,
 * exactly one CN must be a valid node id.
 */
export function identityFromNames(subjectAltName: string | undefined, commonNames: readonly string[]): CertIdentityResult {
  const entries = subjectAltName ? parseSubjectAltName(subjectAltName) : [];
  if (entries === null) return { ok: false, reason: 'the certificate has an unreadable subjectAltName' };
  const ids = new Set(
    entries.filter((e) => e.type === 'URI' && e.value.startsWith(NODE_URI_PREFIX)).map((e) => e.value.slice(NODE_URI_PREFIX.length)),
  );
  if (ids.size > 1) {
    return { ok: false, reason: `the certificate names several nodes (${[...ids].map((id) => JSON.stringify(id)).join(', ')})` };
  }
  const [fromUri] = ids;
  if (fromUri !== undefined) {
    if (!ID_RE.test(fromUri)) return { ok: false, reason: `the certificate's URI ${NODE_URI_PREFIX}${fromUri} is not a valid node id` };
    return { ok: true, identity: { id: fromUri, source: 'san_uri' } };
  }
  if (commonNames.length === 0) {
    return { ok: false, reason: `the certificate names no node (no SAN URI ${NODE_URI_PREFIX}<id>, no CN)` };
  }
  if (commonNames.length > 1) return { ok: false, reason: 'the certificate has several CNs and no node URI' };
  const cn = commonNames[0] as string;
  if (!ID_RE.test(cn)) {
    return { ok: false, reason: `the certificate's CN ${JSON.stringify(cn)} is not a node id and it has no SAN URI ${NODE_URI_PREFIX}<id>` };
  }
  return { ok: true, identity: { id: cn, source: 'cn' } };
}

/** The identity named by a TLS peer certificate (`socket.getPeerCertificate()`). */
export function identityOfPeerCertificate(cert: PeerCertificate): CertIdentityResult {
  const cn: unknown = cert.subject?.CN;
  const names = typeof cn === 'string' ? [cn] : Array.isArray(cn) ? cn.filter((c): c is string => typeof c === 'string') : [];
  return identityFromNames(cert.subjectaltname, names);
}

/** The identity named by a parsed certificate (the config loader's check of node.tls.cert). */
export function identityOfX509(cert: X509Certificate): CertIdentityResult {
  const names = cert.subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
  return identityFromNames(cert.subjectAltName, names);
}

/** How a certificate's identity reads in messages: `us (SAN URI)`, `localhost (CN)`. */
export function describeIdentity(identity: CertIdentity): string {
  return `${identity.id} (${identity.source === 'san_uri' ? 'SAN URI' : 'CN'})`;
}

