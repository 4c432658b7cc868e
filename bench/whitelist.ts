/**
 * Benchmark 6: applyWhitelist on a 1 MB incident with 1,000 notes, vs a deep copy of the same
 * bundle by JSON.parse(JSON.stringify(...)) (the cheapest "copy everything" baseline).
 */
import { performance } from 'node:perf_hooks';
import { applyWhitelist, type IncidentBundle } from '../src/clearing/whitelist.js';
import { compileWhitelist, DEFAULT_WHITELIST, type Whitelist } from '../src/config/whitelist.js';
import type { Incident, Note } from '../src/soar/dto.js';
import { type BenchResult, f, table, x } from './lib.js';

function bundleOf(notes: number, noteBytes: number): IncidentBundle {
  const filler = 'Lateral movement observed from 10.0.0.7 to the finance file server; credentials reused. ';
  const text = `<p>${filler.repeat(Math.ceil(noteBytes / filler.length)).slice(0, noteBytes - 7)}</p>`;
  const incident = {
    id: 4711, org_id: 201, vers: 3, name: 'Phishing campaign against EU finance', discovered_date: 1_760_000_000_000, create_date: 1_760_000_100_000,
    description: { format: 'html', content: '<p>Credential phishing against the EU finance team.</p>' }, severity_code: 'High', incident_type_ids: ['Phishing'],
    confirmed: true, plan_status: 'A', owner_id: 3, phase_id: 'Respond', members: [], reporter: 'jdoe@example.com',
    properties: { clearing_shared_with: '[soar3]', eu_secret_field: 'never leaves EU' },
  } as unknown as Incident;
  const list: Note[] = Array.from({ length: notes }, (_, i) => ({
    id: 10_000 + i, type: 'incident', inc_id: 4711, text, create_date: 1_760_000_200_000 + i, modify_date: 1_760_000_200_000 + i,
    user_id: 3, user_fname: 'Eva', user_lname: 'Analyst', is_deleted: false, parent_id: null, children: [], mentioned_users: [],
  }) as unknown as Note);
  return { incident, notes: list, artifacts: [], tasks: [] };
}

/** Runs `fn` in rounds of ~`ms` alternately with `other`; answers ops/s of each (best of rounds' total). */
function rate(fn: () => unknown, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    fn();
    n += 1;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

export function whitelistBench(roundMs = 700, rounds = 3): BenchResult {
  const t0 = performance.now();
  const bundle = bundleOf(1000, 760);
  const bytes = Buffer.byteLength(JSON.stringify(bundle));
  const mb = bytes / 1_000_000;
  const all: Whitelist = compileWhitelist({ notes: { max_count: 1000 } });
  const kept = applyWhitelist(bundle, all).notes.length;
  const keptDefault = applyWhitelist(bundle, DEFAULT_WHITELIST).notes.length;
  const cases: [string, () => unknown][] = [
    ['JSON.parse(JSON.stringify(bundle)) (baseline)', () => JSON.parse(JSON.stringify(bundle))],
    [`applyWhitelist, notes max_count 1000 (keeps ${kept})`, () => applyWhitelist(bundle, all)],
    [`applyWhitelist, default whitelist (keeps ${keptDefault})`, () => applyWhitelist(bundle, DEFAULT_WHITELIST)],
  ];
  for (const [, fn] of cases) rate(fn, 300); // warm-up (JIT)
  const totals = cases.map(() => 0);
  for (let r = 0; r < rounds; r++) cases.forEach(([, fn], i) => { totals[i]! += rate(fn, roundMs) / rounds; });
  const base = totals[0]!;
  const lines = [
    `6. Whitelist filter: one incident with 1,000 notes of 760 bytes of text, ${f(mb, 2)} MB of JSON; ${rounds} interleaved rounds of ${roundMs} ms per case after warm-up`,
    ...table(['operation', 'ops/s', 'input MB/s', 'ms/op', 'vs baseline'], cases.map(([name], i) => [name, f(totals[i]!, 1), f(totals[i]! * mb, 1), f(1000 / totals[i]!, 2), x(totals[i]! / base)])),
  ];
  return { name: 'whitelist', lines, figures: { bytes, notes: 1000, cases: cases.map(([name], i) => ({ name, perSecond: totals[i], mbPerSecond: totals[i]! * mb, ratioToBaseline: totals[i]! / base })) }, seconds: (performance.now() - t0) / 1000 };
}
