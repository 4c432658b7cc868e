/**
 * Benchmarks 2 and 3, on real worker processes (`node dist/bin/soar-clearing.js run --config ...`):
 *   2. scaling: two workers on the same destination vs one, same closed-loop load;
 *   3. memory: a worker's RSS idle and with 1,000 invocations in flight at once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeConfig, WorkerProcess } from '../test/support/world.js';
import { type BenchEnv, type BenchResult, drive, f, type Figures, log, rssKiB, sleep, table, x } from './lib.js';

/** A worker config at log level info (what an admin runs; the test helper writes debug). */
export async function workerConfigFile(env: BenchEnv, destination: string, concurrency: number): Promise<string> {
  const broker = await env.broker();
  const emulator = await env.emulator();
  const path = writeConfig(broker.pki.caCert, { soarPort: emulator.port, stompPort: broker.stompPort, destination, concurrency });
  writeFileSync(path, readFileSync(path, 'utf8').replace('level: debug', 'level: info'));
  return path;
}

let started = 0;

/**
 * A `soar-clearing run` process, subscribed. Its log goes to a file next to its config (as under
 * systemd it goes to the journal), not through a pipe into this process, which is also the load
 * generator ("SOAR") and would otherwise wake up for every line the worker logs.
 */
export async function startWorker(path: string): Promise<WorkerProcess> {
  const w = new WorkerProcess(path, { logFile: join(dirname(path), `worker-${++started}.log`) });
  await w.ready;
  return w;
}

export async function stopWorker(w: WorkerProcess): Promise<void> {
  w.signal('SIGTERM');
  await w.exited;
}

export async function scalingBench(env: BenchEnv, total: number): Promise<BenchResult> {
  const t0 = performance.now();
  const c = 100;
  const destination = `fn_bench_scale_${process.pid}`;
  const path = await workerConfigFile(env, destination, c);
  const invoker = await env.invoker(destination);
  const warm = Math.min(300, total);
  const one = await startWorker(path);
  await drive(invoker, c, warm);
  const oneFig = await drive(invoker, c, total);
  log('scaling: one worker done');
  const two = await startWorker(path);
  await drive(invoker, c, warm);
  const twoFig = await drive(invoker, c, total);
  log('scaling: two workers done');
  await Promise.all([stopWorker(one), stopWorker(two)]);
  await invoker.close();
  const ratio = twoFig.perSecond / oneFig.perSecond;
  const row = (name: string, fig: Figures): string[] => [name, f(fig.perSecond), `${f(fig.p50Ms, 1)} / ${f(fig.p99Ms, 1)}`];
  const lines = [
    `2. Scaling: worker processes (soar-clearing run, prefetch ${c} each) on one destination, ${c} invocations outstanding, ${total} per row after ${warm} warm-up`,
    ...table(['workers', 'inv/s', 'p50 / p99 ms'], [row('1 process', oneFig), row('2 processes', twoFig)]),
    `two/one throughput ratio: ${x(ratio)} (${availableParallelism()} CPUs shared with the broker and the load generator)`,
  ];
  return { name: 'scaling', lines, figures: { concurrency: c, total, one: oneFig, two: twoFig, ratio }, seconds: (performance.now() - t0) / 1000 };
}

export async function memoryBench(env: BenchEnv, inflight = 1000, delayMs = 12_000): Promise<BenchResult> {
  const t0 = performance.now();
  const destination = `fn_bench_mem_${process.pid}`;
  const path = await workerConfigFile(env, destination, inflight);
  const invoker = await env.invoker(destination);
  const w = await startWorker(path);
  await sleep(2000);
  const idle = rssKiB(w.pid);

  // Publish them all, then wait until every one got its "Running" status: all in flight at once.
  const publishStart = performance.now();
  const ids: string[] = [];
  for (let batch = 0; batch < inflight; batch += 100) {
    ids.push(...await Promise.all(Array.from({ length: Math.min(100, inflight - batch) }, () =>
      invoker.invoke('clearing_ping', { clearing_ping_message: 'bench', clearing_ping_delay_ms: delayMs }))));
  }
  await invoker.waitUntil(() => ids.every((id) => invoker.repliesFor(id).length > 0), delayMs, 'all invocations started');
  const allStartedS = (performance.now() - publishStart) / 1000;
  const running = ids.filter((id) => invoker.finalsFor(id).length === 0).length;
  let loaded = 0;
  for (let i = 0; i < 10; i++) {
    loaded = Math.max(loaded, rssKiB(w.pid));
    await sleep(200);
  }
  const stillRunning = ids.filter((id) => invoker.finalsFor(id).length === 0).length;
  await Promise.all(ids.map((id) => invoker.final(id, delayMs + 60_000)));
  await sleep(2000);
  const after = rssKiB(w.pid);
  await stopWorker(w);
  await invoker.close();
  const mib = (k: number): string => f(k / 1024, 1);
  const lines = [
    `3. Memory: VmRSS of one worker process (soar-clearing run, concurrency/prefetch ${inflight}); ${inflight} clearing_ping with delay ${delayMs} ms, all started ${f(allStartedS, 1)} s after the first publish`,
    ...table(['state', 'VmRSS MiB', 'vs idle'], [
      ['idle (2 s after subscribing)', mib(idle), x(1)],
      [`${inflight} in flight (max of 10 samples)`, mib(loaded), x(loaded / idle)],
      ['idle again (2 s after all answered)', mib(after), x(after / idle)],
    ]),
    `in flight while sampling: ${running} at the first sample, ${stillRunning} at the last; per in-flight invocation: ${f(((loaded - idle) * 1024) / inflight / 1024, 1)} KiB`,
  ];
  return {
    name: 'memory',
    lines,
    figures: { inflight, delayMs, idleKiB: idle, inflightKiB: loaded, afterKiB: after, ratio: loaded / idle, perInvocationKiB: (loaded - idle) / inflight, runningAtSample: [running, stillRunning] },
    seconds: (performance.now() - t0) / 1000,
  };
}
