/**
 * Benchmark: soak. One real `soar-clearing run` process on one broker connection answers
 * `total` clearing_ping invocations with a backlog (25 outstanding, concurrency 10), and each
 * 10,000 are reported: throughput, the broker's CPU, the objects the broker still holds once
 * they are all answered, and the worker's RSS (test/support/soak.ts).
 */
import { performance } from 'node:perf_hooks';
import { soak, type SoakRow } from '../test/support/soak.js';
import { type BenchResult, f, log, pct, table } from './lib.js';

const ROW = 10_000;
const WINDOW = 25;
const CONCURRENCY = 10;

export async function soakBench(total: number): Promise<BenchResult> {
  const t0 = performance.now();
  const rowSize = Math.min(ROW, total);
  const result = await soak({
    total, rowSize, window: WINDOW, concurrency: CONCURRENCY,
    onRow: (r) => log(`soak: ${r.done} answered, ${f(r.perSecond)} inv/s, broker CPU ${f(r.brokerCpuS, 1)} s, worker CPU ${f(r.workerCpuS, 1)} s,`
      + ` broker retains ${r.retained.messageDispatch} MessageDispatch / ${r.retained.stompAckEntry} StompAckEntry, worker RSS ${f(r.workerRssKiB / 1024, 1)} MiB`),
  });
  const first = result.rows[0]!;
  const last = result.rows[result.rows.length - 1]!;
  const mib = (k: number): string => f(k / 1024, 1);
  const cells = (r: SoakRow): string[] => [
    String(r.done), f(r.perSecond), f(r.brokerCpuS, 1), f(r.workerCpuS, 1),
    String(r.retained.messageDispatch), String(r.retained.stompAckEntry), mib(r.workerRssKiB),
  ];
  const lines = [
    `Soak: one soar-clearing run process, one broker connection, clearing_ping with ${WINDOW} outstanding (concurrency/prefetch ${CONCURRENCY}), ${total} invocations; per row of ${rowSize}: the broker's objects counted after the row is answered (jcmd GC.class_histogram)`,
    ...table(['answered', 'inv/s', 'broker CPU s', 'worker CPU s', 'MessageDispatch', 'StompAckEntry', 'worker RSS MiB'], result.rows.map(cells)),
    `before the first invocation: ${result.baseline.messageDispatch} MessageDispatch, ${result.baseline.stompAckEntry} StompAckEntry, worker RSS ${mib(result.workerIdleRssKiB)} MiB; last row / first row throughput: ${pct(last.perSecond / first.perSecond)}`,
  ];
  return { name: 'soak', lines, figures: { total, rowSize, window: WINDOW, concurrency: CONCURRENCY, ...result }, seconds: (performance.now() - t0) / 1000 };
}
