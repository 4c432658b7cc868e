/**
 * Benchmark 1: worker throughput and latency against the broker's own limit, side by side.
 *
 * "SOAR" (the emulator's invoker) keeps `c` invocations of clearing_ping outstanding through the
 * broker and times each from publish to final reply. The same load is answered in alternating
 * rounds by a bare STOMP responder (MESSAGE in, one status SEND, one result SEND, ACK; no
 * framework) and by the real worker (in-process BrandWorker). The ratio worker/bare is the
 * figure that matters.
 */
import { performance } from 'node:perf_hooks';
import { functions } from '../functions/index.js';
import { ClearingNetwork } from '../src/clearing/network.js';
import { loadConfig } from '../src/config/index.js';
import { silentLogger } from '../src/logger.js';
import { SoarClient } from '../src/soar/client.js';
import { FunctionRegistry } from '../src/worker/registry.js';
import { BrandWorker } from '../src/worker/worker.js';
import { writeConfig } from '../test/support/world.js';
import { type BenchEnv, type BenchResult, bareResponder, f, type Figures, figuresOf, log, pct, run, type Run, table } from './lib.js';

/** Bare and worker take turns this many times per concurrency. */
const ROUNDS = 3;

interface Row {
  readonly concurrency: number;
  readonly total: number;
  readonly bare: Figures;
  readonly worker: Figures;
  readonly ratio: number;
}

export async function workerBench(env: BenchEnv, total: number): Promise<BenchResult> {
  const t0 = performance.now();
  const broker = await env.broker();
  const emulator = await env.emulator();
  const warm = Math.min(200, total);
  const perRound = Math.ceil(total / ROUNDS);
  const rows: Row[] = [];
  for (const c of [1, 10, 100]) {
    const destination = `fn_bench_${c}_${process.pid}`;
    const invoker = await env.invoker(destination);
    const queue = `/queue/actions.${emulator.orgId}.${destination}`;
    const config = loadConfig({ path: writeConfig(broker.pki.caCert, { soarPort: emulator.port, stompPort: broker.stompPort, destination, concurrency: c }), env: {} });
    const brand = config.brands[0]!;
    const wlog = silentLogger();
    const soar = await SoarClient.connect(brand.soar);
    const network = new ClearingNetwork(config, wlog);
    const registry = new FunctionRegistry(functions);

    // Rounds alternate bare and worker, so a burst of load from elsewhere hits both alike.
    const bareRuns: Run[] = [];
    const workerRuns: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bare = await bareResponder(broker.stompPort, queue, c);
      if (round === 0) await run(invoker, c, warm);
      bareRuns.push(await run(invoker, c, perRound));
      await bare.close();

      const worker = new BrandWorker({ brand, worker: config.worker, registry, soar, log: wlog, nodeId: 'bench', network });
      await worker.start();
      if (round === 0) await run(invoker, c, warm);
      workerRuns.push(await run(invoker, c, perRound));
      await worker.stop();
    }
    await soar.close();
    await invoker.close();

    const bareFigures = figuresOf(bareRuns);
    const workerFigures = figuresOf(workerRuns);
    rows.push({ concurrency: c, total: perRound * ROUNDS, bare: bareFigures, worker: workerFigures, ratio: workerFigures.perSecond / bareFigures.perSecond });
    log(`worker: concurrency ${c} done`);
  }
  const lines = [
    `1. Worker: clearing_ping through ActiveMQ on loopback, ${perRound * ROUNDS} invocations per row in ${ROUNDS} alternating rounds after ${warm} warm-up; bare = STOMP responder with no framework (the broker's limit)`,
    ...table(
      ['concurrency', 'bare inv/s', 'worker inv/s', 'worker/bare', 'bare p50 / p99 ms', 'worker p50 / p99 ms'],
      rows.map((r) => [String(r.concurrency), f(r.bare.perSecond), f(r.worker.perSecond), pct(r.ratio), `${f(r.bare.p50Ms, 2)} / ${f(r.bare.p99Ms, 2)}`, `${f(r.worker.p50Ms, 2)} / ${f(r.worker.p99Ms, 2)}`]),
    ),
  ];
  return { name: 'worker', lines, figures: { rows }, seconds: (performance.now() - t0) / 1000 };
}
