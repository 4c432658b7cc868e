/**
 * npm run bench: the benchmarks of issue 8, each measured side by side with its baseline in one
 * run and reported with the ratio.
 *
 *   npm run bench                          # all, a table each
 *   npm run bench -- --only shared         # one or several, comma-separated (worker, scaling, memory,
 *                                          # distribution, shared, whitelist, triage)
 *   npm run bench -- --json out.json       # also writes every figure
 *   npm run bench -- --total 3000          # invocations per row in worker and scaling (default 2000)
 *   npm run bench -- --only soak           # the soak (not in the default set: 100,000 invocations)
 *   npm run bench -- --only soak --soak-total 30000
 */
import { writeFileSync } from 'node:fs';
import { BenchEnv, type BenchResult, log } from './lib.js';
import { distributionBench, sharedViewBench, stopWorld } from './network.js';
import { memoryBench, scalingBench } from './processes.js';
import { triageBench } from './triage.js';
import { whitelistBench } from './whitelist.js';
import { soakBench } from './soak.js';
import { workerBench } from './worker.js';

const NAMES = ['worker', 'scaling', 'memory', 'distribution', 'shared', 'whitelist', 'triage', 'soak'] as const;
type Name = (typeof NAMES)[number];
/** Run only when named with --only (minutes on its own). */
const OPT_IN: readonly Name[] = ['soak'];
/** The benchmarks that share one two-region world (bench/network.ts). */
const WORLD_USERS: readonly Name[] = ['distribution', 'shared'];

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonOut = arg(args, '--json');
  const only = arg(args, '--only');
  const total = Number(arg(args, '--total') ?? 2000);
  const soakTotal = Number(arg(args, '--soak-total') ?? 100_000);
  const selected = (only ? only.split(',') : NAMES.filter((n) => !OPT_IN.includes(n))) as Name[];
  const unknown = selected.filter((n) => !(NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`--only ${unknown.join(',')}: each one of ${NAMES.join(', ')}`);
  const env = new BenchEnv();
  const results: BenchResult[] = [];
  const started = Date.now();
  try {
    for (const [i, name] of selected.entries()) {
      // The two-region world of distribution and shared listens on the same queues as triage's own.
      if (!selected.slice(i).some((n) => WORLD_USERS.includes(n))) await stopWorld();
      log(`${name}...`);
      const r = name === 'worker' ? await workerBench(env, total)
        : name === 'scaling' ? await scalingBench(env, total)
        : name === 'memory' ? await memoryBench(env)
        : name === 'distribution' ? await distributionBench(100)
        : name === 'shared' ? await sharedViewBench(1000, 50)
        : name === 'triage' ? await triageBench()
        : name === 'soak' ? await soakBench(soakTotal)
        : whitelistBench();
      results.push(r);
      process.stdout.write(`${r.lines.join('\n')}\n(${r.seconds.toFixed(1)} s)\n\n`);
    }
  } finally {
    await stopWorld().catch(() => undefined);
    await env.stop().catch(() => undefined);
  }
  process.stdout.write(`all done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (jsonOut) {
    writeFileSync(jsonOut, `${JSON.stringify({ node: process.version, cpus: (await import('node:os')).availableParallelism(), results: results.map(({ name, figures, seconds }) => ({ name, seconds, figures })) }, null, 2)}\n`);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
