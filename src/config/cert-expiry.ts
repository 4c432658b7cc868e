/**
 * When the configured certificates expire: the node's certificate (peer API and web UI), the
 * network CA, and each brand's SOAR and STOMP CA files. One home for `selftest`'s warnings, the
 * admin listener's health answers and the `certificate days left` metric.
 *
 * A file is read each time it is checked (a few small files), so a certificate replaced on disk
 * is seen without a restart.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { daysLeft, oneLine, pemCertificateBlocks } from './pem.js';
import type { AppConfig } from './types.js';

/** Warn this many days before a certificate expires. */
export const CERT_WARN_DAYS = 30;

/** One certificate file of the configuration, as checked. */
export interface CertificateExpiry {
  /** The config key naming the file (`node.tls.cert`, `brands.eu.stomp.cafile`). */
  readonly name: string;
  readonly path: string;
  /** The subject of the first certificate to expire in the file (a CA bundle holds several). */
  readonly subject: string | null;
  /** ISO 8601, or null when the file could not be read as certificates. */
  readonly not_after: string | null;
  /** Whole days left, rounded down (negative: expired); null when unreadable. */
  readonly days_left: number | null;
  /** What needs doing, or null when nothing does. */
  readonly warning: string | null;
  /** Expired, or not readable: the connections using it fail. */
  readonly failed: boolean;
}

/** Every certificate file the configuration names, each once per key that names it. */
function configuredCertificates(config: AppConfig): { readonly name: string; readonly path: string }[] {
  const files: { name: string; path: string }[] = [];
  if (config.node.tls) {
    files.push({ name: 'node.tls.cert', path: config.node.tls.cert }, { name: 'node.tls.ca', path: config.node.tls.ca });
  }
  for (const brand of config.brands) {
    if (brand.soar.tls.cafile) files.push({ name: `brands.${brand.id}.soar.cafile`, path: brand.soar.tls.cafile });
    if (brand.stomp.tls && brand.stomp.trust.cafile) files.push({ name: `brands.${brand.id}.stomp.cafile`, path: brand.stomp.trust.cafile });
  }
  return files;
}

/** One file's expiry at `now`. */
export function certificateExpiry(name: string, path: string, now = Date.now()): CertificateExpiry {
  const unreadable = (why: string): CertificateExpiry => ({
    name, path, subject: null, not_after: null, days_left: null, warning: `${name} (${path}): ${why}`, failed: true,
  });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return unreadable(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let first: { cert: X509Certificate; notAfter: number } | null = null;
  try {
    for (const pem of pemCertificateBlocks(text)) {
      const cert = new X509Certificate(pem);
      const notAfter = Date.parse(cert.validTo);
      if (first === null || notAfter < first.notAfter) first = { cert, notAfter };
    }
  } catch (err) {
    return unreadable(`not a valid certificate (${(err as Error).message})`);
  }
  if (first === null) return unreadable('holds no certificate');
  const days = daysLeft(first.notAfter, now);
  const notAfter = new Date(first.notAfter).toISOString();
  const subject = oneLine(first.cert.subject);
  const expired = first.notAfter <= now;
  const warning = expired
    ? `${name} (${path}) expired on ${notAfter} (${subject})`
    : days < CERT_WARN_DAYS
      ? `${name} (${path}) expires in ${days} day(s), on ${notAfter} (${subject}): renew it`
      : null;
  return { name, path, subject, not_after: notAfter, days_left: days, warning, failed: expired };
}

/** Every configured certificate file's expiry at `now`. */
export function certificatesExpiry(config: AppConfig, now = Date.now()): CertificateExpiry[] {
  return configuredCertificates(config).map((c) => certificateExpiry(c.name, c.path, now));
}
