/**
 * Benchmark 1: the worker as users run it (a `soar-clearing run` process) against the broker's
 * own limit, side by side.
 *
 * "SOAR" (the emulator's invoker) keeps `window` invocations of clearing_ping outstanding through
 * the broker and times each from publish to final reply, at windows 1, 10 and 100, with the
 * worker's concurrency (= its prefetch) 10 (a window above it is a backlog) and equal to the
 * window. The same load is answered in alternating rounds by a bare STOMP responder with the
 * same prefetch (MESSAGE in, one status SEND, one result SEND, ACK; no framework) and by the
 * worker process. The ratio worker/bare is the figure that matters. A third responder, the bare
 * one with its reply and ACK in a transaction per message, shows how much of the difference is
 * the transaction the worker's guarantee needs (the broker syncs its journal at each COMMIT).
 */
import { performance } from 'node:perf_hooks';
import { type BenchEnv, type BenchResult, bareResponder, f, type Figures, figuresOf, log, pct, run, type Run, table } from './lib.js';
import { startWorker, stopWorker, workerConfigFile } from './processes.js';

/** Bare and worker take turns this many times per case. */
const ROUNDS = 3;
const WINDOWS = [1, 10, 100] as const;
const BACKLOG_CONCURRENCY = 10;

interface Row {
  readonly window: number;
  readonly concurrency: number;
  readonly total: number;
  readonly bare: Figures;
  readonly bareTx: Figures;
  readonly worker: Figures;
  readonly ratio: number;
}

/** (window, concurrency) pairs: concurrency 10 and concurrency = window, each pair once. */
function cases(): Array<{ window: number; concurrency: number }> {
  const out: Array<{ window: number; concurrency: number }> = [];
  for (const window of WINDOWS) {
    for (const concurrency of new Set([BACKLOG_CONCURRENCY, window])) out.push({ window, concurrency });
  }
  return out;
}

export async function workerBench(env: BenchEnv, total: number): Promise<BenchResult> {
  const t0 = performance.now();
  const broker = await env.broker();
  const emulator = await env.emulator();
  const warm = Math.min(200, total);
  const perRound = Math.ceil(total / ROUNDS);
  const rows: Row[] = [];
  for (const { window, concurrency } of cases()) {
    const destination = `fn_bench_w${window}_c${concurrency}_${process.pid}`;
    const invoker = await env.invoker(destination);
    const queue = `/queue/actions.${emulator.orgId}.${destination}`;
    const path = await workerConfigFile(env, destination, concurrency);

    // Rounds alternate bare and worker, so a burst of load from elsewhere hits both alike.
    const bareRuns: Run[] = [];
    const bareTxRuns: Run[] = [];
    const workerRuns: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bare = await bareResponder(broker.stompPort, queue, concurrency);
      if (round === 0) await run(invoker, window, warm);
      bareRuns.push(await run(invoker, window, perRound));
      await bare.close();

      const bareTx = await bareResponder(broker.stompPort, queue, concurrency, true);
      if (round === 0) await run(invoker, window, warm);
      bareTxRuns.push(await run(invoker, window, perRound));
      await bareTx.close();

      const worker = await startWorker(path);
      if (round === 0) await run(invoker, window, warm);
      workerRuns.push(await run(invoker, window, perRound));
      await stopWorker(worker);
    }
    await invoker.close();

    const bareFigures = figuresOf(bareRuns);
    const workerFigures = figuresOf(workerRuns);
    rows.push({ window, concurrency, total: perRound * ROUNDS, bare: bareFigures, bareTx: figuresOf(bareTxRuns), worker: workerFigures, ratio: workerFigures.perSecond / bareFigures.perSecond });
    log(`worker: window ${window}, concurrency ${concurrency} done`);
  }
  const lines = [
    `1. Worker: clearing_ping through ActiveMQ on loopback, answered by a soar-clearing run process; ${perRound * ROUNDS} invocations per row in ${ROUNDS} alternating rounds after ${warm} warm-up; bare = STOMP responder with no framework and the same prefetch (the broker's limit); bare+tx = the same with reply and ACK in a transaction per message`,
    ...table(
      ['window', 'concurrency', 'bare inv/s', 'bare+tx inv/s', 'worker inv/s', 'worker/bare', 'bare+tx/bare', 'bare p50 / p99 ms', 'worker p50 / p99 ms'],
      rows.map((r) => [String(r.window), String(r.concurrency), f(r.bare.perSecond), f(r.bareTx.perSecond), f(r.worker.perSecond), pct(r.ratio),
        pct(r.bareTx.perSecond / r.bare.perSecond), `${f(r.bare.p50Ms, 2)} / ${f(r.bare.p99Ms, 2)}`, `${f(r.worker.p50Ms, 2)} / ${f(r.worker.p99Ms, 2)}`]),
    ),
    `lowest worker/bare: ${pct(Math.min(...rows.map((r) => r.ratio)))}`,
  ];
  return { name: 'worker', lines, figures: { rows }, seconds: (performance.now() - t0) / 1000 };
}
