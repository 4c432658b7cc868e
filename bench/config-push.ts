/**
 * Configuration push of a large export on the two-region network (NetworkWorld: eu primary, us
 * receiving; real mutual TLS, emulated SOARs): eu's SOAR gets scripts totalling ~`--mb` MB of
 * text, then one push is timed from the start to the last answer, with the chunk count, the
 * bytes on the wire and when each phase was reached. Standalone:
 *
 *   npm run build && node dist/bench/config-push.js [--mb 40] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pushConfiguration } from '../src/clearing/config-push.js';
import { importConfiguration } from '../src/soar/configuration.js';
import { NetworkWorld } from '../test/support/network-world.js';

const WORDS = 'incident phishing credential malware beacon firewall block isolate host analyst escalate severity artifact observable enrich whois hash sandbox verdict quarantine mailbox'.split(' ');

/** A script body of about `bytes` bytes: Python-looking lines of words and numbers (gzip ~4-5x, like real scripts). */
function scriptText(bytes: number, seed: number): string {
  let s = seed;
  const next = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff);
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = `${WORDS[next() % WORDS.length]}_${next() % 1000} = incident.properties.${WORDS[next() % WORDS.length]} or "${WORDS[next() % WORDS.length]} ${next() % 100000}"`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const mb = Number(args[args.indexOf('--mb') + 1] ?? 40) || 40;
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const world = await NetworkWorld.start();
  try {
    const eu = world.region('eu');
    const count = 200;
    const scripts = Array.from({ length: count }, (_, i) => ({
      name: `bench_script_${i}`, description: `bench script ${i}`, language: 'python3', object_type: 'incident',
      script_text: scriptText((mb * 1024 * 1024) / count, i + 1), tags: [],
    }));
    let t = performance.now();
    await importConfiguration(eu.soar, { export_format_version: 2, scripts }, eu.log);
    const seedMs = performance.now() - t;

    const marks: Record<string, number> = {};
    t = performance.now();
    const report = await pushConfiguration(eu.node.network, {
      reason: 'bench: large export',
      dryRun: false,
      log: eu.log,
      onProgress: (p) => {
        const key = `${p.node} ${p.phase}`;
        if (!(key in marks)) marks[key] = Math.round(performance.now() - t);
      },
    });
    const totalMs = Math.round(performance.now() - t);
    const us = report.nodes.find((n) => n.node === 'us');
    const result = {
      export_mb: +(report.json_bytes / 1048576).toFixed(1),
      wire_mb: +(report.bytes / 1048576).toFixed(2),
      chunks: report.chunks,
      push_ms: totalMs,
      first_chunk_ms: marks['us chunk'] ?? null,
      all_chunks_sent_ms: marks['us commit'] ?? null,
      answered_ms: marks['us done'] ?? null,
      outcome: us?.brands.map((b) => `${b.brand} ${b.outcome}${b.reason ? ` (${b.reason})` : ''}`).join(', ') ?? us?.error ?? '?',
      seed_import_ms: Math.round(seedMs),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
  } finally {
    await world.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
