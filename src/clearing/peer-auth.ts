/**
 * The peer server's side of mutual TLS: which configured peer a client certificate belongs to.
 * What a certificate names is read by src/config/cert-identity.ts; the TLS layer has checked
 * the chain to the network CA before any of this runs.
 */
import type { PeerCertificate } from 'node:tls';
import type { PeerConfig } from '../config/types.js';
import { type CertIdentity, identityOfPeerCertificate } from '../config/cert-identity.js';

/** A peer as the peer server sees it: its certificate's identity and its configured entry. */
export interface PeerIdentity extends CertIdentity {
  /** The peer's entry in network.peers (URL, brands). */
  readonly peer: PeerConfig;
  /** SHA-256 fingerprint of the client certificate (`AB:CD:...`), for logs. */
  readonly fingerprint256: string;
}

/**
 * Server side: the configured peer a client certificate belongs to, or why it is refused.
 * The certificate is already verified against the network CA by the TLS layer.
 */
export function authenticatePeer(
  cert: PeerCertificate,
  peers: readonly PeerConfig[],
): { readonly ok: true; readonly identity: PeerIdentity } | { readonly ok: false; readonly reason: string; readonly claimed: string | null } {
  const named = identityOfPeerCertificate(cert);
  if (!named.ok) return { ok: false, reason: named.reason, claimed: null };
  const peer = peers.find((p) => p.id === named.identity.id);
  if (peer === undefined) {
    return { ok: false, reason: `node '${named.identity.id}' is not a configured peer of this node`, claimed: named.identity.id };
  }
  return { ok: true, identity: { ...named.identity, peer, fingerprint256: cert.fingerprint256 ?? '' } };
}
