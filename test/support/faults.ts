/**
 * Helpers for the fault suite (test/faults/): process RSS, replies gathered across several
 * SoarInvoker connections (a broker restart closes them), config tweaks writeConfig has no
 * option for, and a figures line every fault test prints so a run's measurements are visible.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ReceivedReply, SoarInvoker } from '../../sim/emulator/invoker.js';

/** Resident set size of a process in KiB (Linux /proc). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** Final replies of a correlation id over every invoker that ever listened. */
export function finalsAcross(invokers: readonly SoarInvoker[], correlationId: string): ReceivedReply[] {
  // A reply redelivered to the next connection after a broker restart is the same message.
  const seen = new Set<string>();
  return invokers.flatMap((i) => i.finalsFor(correlationId)).filter((r) => {
    const id = r.headers['message-id'];
    if (!id) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Sets `key: value` under the top-level `section:` of a config file written by writeConfig. */
export function setConfigKey(path: string, section: string, key: string, value: string | number): void {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `${section}:`);
  if (start < 0) throw new Error(`no section ${section} in ${path}`);
  let end = start + 1;
  while (end < lines.length && /^\s+/.test(lines[end]!)) end++;
  const existing = lines.slice(start + 1, end).findIndex((l) => l.trimStart().startsWith(`${key}:`));
  if (existing >= 0) lines[start + 1 + existing] = `  ${key}: ${value}`;
  else lines.splice(start + 1, 0, `  ${key}: ${value}`);
  writeFileSync(path, lines.join('\n'));
}

/** One line of measured figures, printed to stderr and returned (for t.diagnostic). */
export function figures(test: string, values: Record<string, unknown>): string {
  const line = `[faults] ${test}: ${Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}`;
  process.stderr.write(`${line}\n`);
  return line;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Deterministic PRNG (mulberry32) so a failing run can be replayed with the printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
