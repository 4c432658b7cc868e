/**
 * Shared pieces of the benchmarks (npm run bench): percentiles, closed-loop driving of SOAR
 * invocations through the broker, the bare STOMP responder, table formatting, and the common
 * environment (the shared broker, one SOAR emulator) started once per run.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SoarInvoker } from '../sim/emulator/invoker.js';
import { SoarEmulator } from '../sim/emulator/server.js';
import { StompWire } from '../sim/emulator/stomp-wire.js';
import { sharedBroker, type SharedBrokerInfo } from '../test/support/broker.js';

export interface Figures {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface Stats {
  readonly n: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
}

/** What one benchmark hands back: its table (lines) and its figures (for --json). */
export interface BenchResult {
  readonly name: string;
  readonly lines: readonly string[];
  readonly figures: unknown;
  readonly seconds: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return { n: s.length, p50Ms: percentile(s, 50), p95Ms: percentile(s, 95), p99Ms: percentile(s, 99), meanMs: mean };
}

export const f = (n: number, d = 0): string => n.toFixed(d);
export const pct = (ratio: number): string => `${(ratio * 100).toFixed(0)}%`;
export const x = (ratio: number): string => `${ratio.toFixed(2)}x`;

/** A table: header cells, rows of cells; columns right-aligned to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
}

/** What one closed-loop run measured: its wall time and every invocation's latency. */
export interface Run {
  readonly seconds: number;
  readonly latencies: readonly number[];
}

/** Closed loop: `c` lanes, each invoking clearing_ping and waiting for the final reply, until `total` done. */
export async function run(invoker: SoarInvoker, c: number, total: number): Promise<Run> {
  let started = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started += 1;
      const begin = performance.now();
      const id = await invoker.invoke('clearing_ping', { clearing_ping_message: 'bench' });
      await invoker.final(id, 60_000);
      latencies.push(performance.now() - begin);
      invoker.forget(id);
    }
  };
  await Promise.all(Array.from({ length: c }, lane));
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

/** Throughput and percentiles over one or more runs (rounds of the same case). */
export function figuresOf(runs: readonly Run[]): Figures {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return { perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

export async function drive(invoker: SoarInvoker, c: number, total: number): Promise<Figures> {
  return figuresOf([await run(invoker, c, total)]);
}

/**
 * The broker's limit: a responder doing the worker's frames with no framework at all (status,
 * reply, plain ACK). `transacted`: the reply and the ACK in one transaction per message instead
 * (BEGIN, SEND, ACK, COMMIT), what the worker's guarantee costs at the broker (the COMMIT syncs
 * the broker's journal; a plain persistent SEND without a receipt does not wait for it).
 */
export async function bareResponder(port: number, queue: string, prefetch: number, transacted = false): Promise<StompWire> {
  const wire = await StompWire.connect({ port });
  const final = JSON.stringify({ message_type: 0, message: 'Completed', complete: true, results: { version: 2.0, success: true, reason: null, content: { pong: true }, raw: null, inputs: {}, metrics: {} } });
  const status = JSON.stringify({ message_type: 0, message: 'Running', complete: false });
  let tx = 0;
  wire.onFrame = (fr) => {
    if (fr.command !== 'MESSAGE') return;
    const to = fr.headers['reply-to']!;
    const corr = fr.headers['correlation-id']!;
    wire.send('SEND', { destination: to, 'correlation-id': corr }, status);
    if (transacted) {
      const id = `bare-${++tx}`;
      wire.send('BEGIN', { transaction: id });
      wire.send('SEND', { destination: to, 'correlation-id': corr, persistent: 'true', transaction: id }, final);
      wire.send('ACK', { id: fr.headers['ack']!, transaction: id });
      wire.send('COMMIT', { transaction: id });
      return;
    }
    wire.send('SEND', { destination: to, 'correlation-id': corr, persistent: 'true' }, final);
    wire.send('ACK', { id: fr.headers['ack']! });
  };
  await wire.sendConfirmed('SUBSCRIBE', { id: 'bare', destination: queue, ack: 'client-individual', 'activemq.prefetchSize': String(prefetch) });
  return wire;
}

/** VmRSS of a process, in KiB (from /proc/<pid>/status). */
export function rssKiB(pid: number | 'self'): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** The broker and the one-brand SOAR emulator benchmarks 1-3 share; started on first use. */
export class BenchEnv {
  private brokerP: Promise<SharedBrokerInfo> | null = null;
  private emulatorP: Promise<SoarEmulator> | null = null;

  broker(): Promise<SharedBrokerInfo> {
    this.brokerP ??= sharedBroker();
    return this.brokerP;
  }

  emulator(): Promise<SoarEmulator> {
    this.emulatorP ??= this.broker().then((b) => SoarEmulator.start({ pki: b.pki }));
    return this.emulatorP;
  }

  async invoker(destination: string): Promise<SoarInvoker> {
    const [b, e] = await Promise.all([this.broker(), this.emulator()]);
    return SoarInvoker.connect({ port: b.stompPort, orgId: e.orgId, destination });
  }

  async stop(): Promise<void> {
    if (this.emulatorP) await (await this.emulatorP).stop();
    if (this.brokerP) await (await this.brokerP).stop();
  }
}
