/**
 * Reading certificates as text, one home for the configuration's checks (load.ts, cert-expiry.ts)
 * and the pki tool (src/pki): PEM blocks, days left, subjects on one line.
 */

export const DAY_MS = 86_400_000;

/** Every certificate block of a PEM text, in order. */
export function pemCertificateBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** Whole days from `now` until `notAfter`, rounded down; negative once past. */
export function daysLeft(notAfter: Date | number, now: Date | number): number {
  return Math.floor((Number(notAfter) - Number(now)) / DAY_MS);
}

/** Node's multi-line subject (`CN=a\nO=b`) on one line (`CN=a, O=b`). */
export function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}
