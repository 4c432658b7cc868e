/**
 * Worker throughput and latency against the broker's own limit, measured side by side in one run.
 *
 * "SOAR" (the emulator's invoker) keeps `c` invocations of clearing_ping outstanding through a
 * private ActiveMQ and times each from publish to final reply. The same load is answered once by
 * a bare STOMP responder (MESSAGE in, one status SEND, one result SEND, ACK; no framework) and
 * once by the real worker. The ratio worker/bare is the figure that matters: the machine is noisy,
 * the ratio much less so.
 *
 *   npm run bench                       # prints the table
 *   npm run bench -- --json out.json    # also writes the figures
 *   npm run bench -- --total 3000       # invocations per row (default 2000)
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { functions } from '../functions/index.js';
import { ClearingNetwork } from '../src/clearing/network.js';
import { loadConfig } from '../src/config/index.js';
import { SoarInvoker } from '../src/emulator/invoker.js';
import { SoarEmulator } from '../src/emulator/server.js';
import { StompWire } from '../src/emulator/stomp-wire.js';
import { silentLogger } from '../src/logger.js';
import { SoarClient } from '../src/soar/client.js';
import { FunctionRegistry } from '../src/worker/registry.js';
import { BrandWorker } from '../src/worker/worker.js';
import { Broker, testPki } from '../test/support/broker.js';
import { writeConfig } from '../test/support/world.js';

interface Figures {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface Row {
  readonly concurrency: number;
  readonly total: number;
  readonly bare: Figures;
  readonly worker: Figures;
  readonly ratio: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Closed loop: `c` lanes, each invoking and waiting for the final reply, until `total` done. */
async function drive(invoker: SoarInvoker, c: number, total: number): Promise<Figures> {
  let started = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started += 1;
      const begin = performance.now();
      const id = await invoker.invoke('clearing_ping', { clearing_ping_message: 'bench' });
      await invoker.final(id, 30_000);
      latencies.push(performance.now() - begin);
      invoker.forget(id);
    }
  };
  await Promise.all(Array.from({ length: c }, lane));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: total / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** The broker's limit: a responder doing exactly the worker's frames with no framework at all. */
async function bareResponder(port: number, queue: string, prefetch: number): Promise<StompWire> {
  const wire = await StompWire.connect({ port });
  const final = JSON.stringify({ message_type: 0, message: 'Completed', complete: true, results: { version: 2.0, success: true, reason: null, content: { pong: true }, raw: null, inputs: {}, metrics: {} } });
  const status = JSON.stringify({ message_type: 0, message: 'Running', complete: false });
  wire.onFrame = (f) => {
    if (f.command !== 'MESSAGE') return;
    const to = f.headers['reply-to']!;
    const corr = f.headers['correlation-id']!;
    wire.send('SEND', { destination: to, 'correlation-id': corr }, status);
    wire.send('SEND', { destination: to, 'correlation-id': corr, persistent: 'true' }, final);
    wire.send('ACK', { id: f.headers['ack']! });
  };
  await wire.sendConfirmed('SUBSCRIBE', { id: 'bare', destination: queue, ack: 'client-individual', 'activemq.prefetchSize': String(prefetch) });
  return wire;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const total = args.includes('--total') ? Number(args[args.indexOf('--total') + 1]) : 2000;
  const pki = testPki();
  process.stderr.write('[bench] starting a private broker and the SOAR emulator...\n');
  const broker = await Broker.start({ name: 'bench', quickJit: false });
  const emulator = await SoarEmulator.start({ pki });
  const rows: Row[] = [];
  try {
    for (const c of [1, 10, 100]) {
      const destination = `fn_bench_${c}`;
      const invoker = await SoarInvoker.connect({ port: broker.stompPort, orgId: emulator.orgId, destination });
      const warm = Math.min(200, total);

      const bare = await bareResponder(broker.stompPort, `/queue/actions.${emulator.orgId}.${destination}`, c);
      await drive(invoker, c, warm);
      const bareFigures = await drive(invoker, c, total);
      await bare.close();

      const config = loadConfig({ path: writeConfig(pki.caCert, { soarPort: emulator.port, stompPort: broker.stompPort, destination, concurrency: c }), env: {} });
      const brand = config.brands[0]!;
      const log = silentLogger();
      const soar = await SoarClient.connect(brand.soar);
      const worker = new BrandWorker({
        brand, worker: config.worker, registry: new FunctionRegistry(functions), soar, log, nodeId: 'bench', network: new ClearingNetwork(config, log),
      });
      await worker.start();
      await drive(invoker, c, warm);
      const workerFigures = await drive(invoker, c, total);
      await worker.stop();
      await soar.close();
      await invoker.close();

      rows.push({ concurrency: c, total, bare: bareFigures, worker: workerFigures, ratio: workerFigures.perSecond / bareFigures.perSecond });
      process.stderr.write(`[bench] concurrency ${c} done\n`);
    }
  } finally {
    await emulator.stop();
    await broker.stop();
  }
  const f = (n: number, d = 0): string => n.toFixed(d);
  const lines = [
    `clearing_ping through ActiveMQ on loopback, ${total} invocations per row after ${Math.min(200, total)} warm-up`,
    'concurrency | bare inv/s | worker inv/s | worker/bare | bare p50 / p99 ms | worker p50 / p99 ms',
    '----------- | ---------- | ------------ | ----------- | ----------------- | -------------------',
    ...rows.map((r) => `${String(r.concurrency).padStart(11)} | ${f(r.bare.perSecond).padStart(10)} | ${f(r.worker.perSecond).padStart(12)} | ${f(r.ratio * 100).padStart(10)}% | ${`${f(r.bare.p50Ms, 2)} / ${f(r.bare.p99Ms, 2)}`.padStart(17)} | ${`${f(r.worker.p50Ms, 2)} / ${f(r.worker.p99Ms, 2)}`.padStart(19)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ benchmark: 'worker', rows }, null, 2)}\n`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
