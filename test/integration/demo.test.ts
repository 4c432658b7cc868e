/**
 * `npm run demo`, as a newcomer runs it: a real child process that starts its own private
 * broker (free ports, data in a private directory, so it runs beside the shared test broker),
 * two emulated SOARs and two clearing nodes.
 * - `--smoke --json`: every flow passes (with the web UI, priority score and configuration push
 *   steps saying what they found), the report has the documented shape, exit 0, and
 *   everything it started is gone afterwards.
 * - without --smoke: it keeps running, prints what to try, and Ctrl-C (SIGINT) stops it cleanly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { DemoReport } from '../../sim/demo.js';
import { REPO_ROOT } from '../support/broker.js';

const CLI = join(REPO_ROOT, 'dist/sim/cli.js');

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the CLI; `onOutput` sees the combined output as it grows and may signal the child.
 * Killed after `timeoutMs` so a hang never outlives the test.
 */
function runDemo(
  args: readonly string[],
  timeoutMs: number,
  onOutput?: (text: string, signal: (s: NodeJS.Signals) => void) => void,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const signal = (s: NodeJS.Signals): void => {
      child.kill(s);
    };
    const seen = (): void => onOutput?.(out + err, signal);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (process.env['SC_TEST_VERBOSE']) process.stderr.write(c);
      seen();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (process.env['SC_TEST_VERBOSE']) process.stderr.write(c);
      seen();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, out, err });
    });
  });
}

function brokerPidGone(dir: string): void {
  // The broker wrote its JVM's pid; that process must be gone once the demo exited.
  const pidFile = join(dir, 'broker', 'broker.pid');
  assert.ok(existsSync(pidFile), 'the demo started its own broker in its data directory');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  let alive = true;
  try {
    process.kill(pid, 0);
  } catch {
    alive = false;
  }
  assert.equal(alive, false, `broker JVM ${pid} still running after the demo exited`);
  assert.equal(existsSync(join(dir, 'demo.pid')), false, 'demo.pid removed on exit');
}

describe('npm run demo', () => {
  const dirs: string[] = [];
  const privateDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sc-demo-test-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Runs `demo --smoke --json` in a private directory; asserts every step passed; answers stderr. */
  async function smokePasses(): Promise<{ dir: string; err: string }> {
    const dir = privateDir();
    const r = await runDemo(['--smoke', '--json', '--dir', dir], 200_000);
    let report: DemoReport;
    try {
      report = JSON.parse(r.out) as DemoReport;
    } catch {
      assert.fail(`no JSON report on stdout (exit ${r.code ?? r.signal}):\n${r.out}\n--- stderr ---\n${r.err}`);
    }
    const failed = report.steps.filter((s) => !s.ok).map((s) => `${s.name}: ${s.detail}`);
    assert.deepEqual(failed, [], `failed steps:\n${failed.join('\n')}\n--- stderr ---\n${r.err}`);
    assert.equal(report.ok, true);
    assert.equal(r.code, 0, r.err);

    assert.deepEqual(report.steps.map((s) => s.name), [
      'start the two-region network',
      'group coordination on incident creation',
      'assess priority (menu item)',
      'share read-only with soar3',
      "view it from US (soar3's shared view)",
      "sign in to the US web UI as soar3's analyst",
      'distribute a copy to soar3',
      'distribute again: no duplicate',
      'revoke the share with soar3',
      'config push --dry-run from eu (primary)',
      'config push from eu to us',
      'health and metrics (admin listeners)',
    ]);
    const detail = (name: string): string => report.steps.find((s) => s.name === name)!.detail;
    // The score the function wrote, from the demo's triage: section (eu-payroll 4/3 + residual 1).
    assert.match(detail('assess priority (menu item)'), /clearing_priority_score = 8, top asset eu-payroll\b/);
    assert.match(detail("sign in to the US web UI as soar3's analyst"), /\/ui\/api\/shared lists 'Phishing campaign against EU finance'/);
    assert.match(detail('config push --dry-run from eu (primary)'), /soar3 \(node us\): dry_run, would add 1: rules: Demo: escalate to the regional lead, /);
    assert.match(detail('config push from eu to us'), /soar3 \(node us\): imported \(import \d+\), added 1: rules: Demo: escalate to the regional lead, /);
    assert.match(detail('health and metrics (admin listeners)'), /^both \/readyz 200; eu \/metrics: all 12 families, \d+ invocations answered \(all timed\), \d+ calls to us, \d+ row\(s\) written Pending, 2 pushes sent \(2 received by us\), certificates \d+\+ days left$/);
    for (const s of report.steps) {
      assert.deepEqual(Object.keys(s).sort(), ['detail', 'ms', 'name', 'ok']);
      assert.ok(Number.isInteger(s.ms) && s.ms >= 0, `${s.name}: ms`);
      assert.ok(s.detail.length > 0, `${s.name}: detail`);
    }
    assert.deepEqual(Object.keys(report).sort(), ['ok', 'steps']);
    brokerPidGone(dir);
    return { dir, err: r.err };
  }

  test('--smoke --json: every flow passes, exit 0, nothing left running', { timeout: 240_000 }, async () => {
    const { dir, err } = await smokePasses();
    // Progress went to stderr, line by line, and says where the emulator's answers come from.
    assert.match(err, /^\[demo\] broker ready on stomp\+ssl:\/\/127\.0\.0\.1:\d+ .*\(\d+\.\d s\)$/m);
    assert.match(err, /^\[demo\] SOAR emulators answer from built-in templates in SOAR's shapes$/m);
    assert.match(err, /^\[demo\] EU node config: .*app\.config\.yaml$/m);
    // The configs a newcomer is pointed at are there and name their node.
    assert.match(readFileSync(join(dir, 'eu', 'app.config.yaml'), 'utf8'), /^ {2}id: eu$/m);
    assert.match(readFileSync(join(dir, 'us', 'app.config.yaml'), 'utf8'), /^brand_id: soar3$/m);
  });

  test('without --smoke: keeps running with what to try; Ctrl-C stops everything, exit 0', { timeout: 240_000 }, async () => {
    const dir = privateDir();
    let interrupted = false;
    const r = await runDemo(['--dir', dir], 200_000, (text, signal) => {
      if (!interrupted && text.includes('Press Ctrl-C')) {
        interrupted = true;
        signal('SIGINT');
      }
    });
    assert.ok(interrupted, `the demo never said it was running:\n${r.out}\n${r.err}`);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /EU SOAR {2}https:\/\/127\.0\.0\.1:\d+ {2}org 201 'Test Organization', brand soar2/);
    assert.match(r.out, /US SOAR {2}https:\/\/127\.0\.0\.1:\d+ {2}org 202 'Test Organization 2', brand soar3/);
    assert.match(r.out, /API key test-key \/ test-secret/);
    assert.match(r.out, /sample incident \d+ 'Phishing campaign against EU finance' in EU/);
    assert.match(r.out, /sign in at https:\/\/127\.0\.0\.1:\d+\/ui\/login as brand soar3/);
    assert.match(r.out, /-d '\{"action_id":\d+,"properties":\{\}\}' https:\/\/127\.0\.0\.1:\d+\/rest\/orgs\/201\/incidents\/\d+\/action_invocations/);
    assert.match(r.out, /config push --dry-run --reason "trying it" -c \S+eu\/app\.config\.yaml/);
    assert.match(r.out, /health -c \S+eu\/app\.config\.yaml\n {2}curl -s http:\/\/127\.0\.0\.1:\d+\/readyz; /);
    assert.match(r.out, /\[demo\] SIGINT: shutting down\n\[demo\] stopped the nodes, SOARs and broker/);
    brokerPidGone(dir);
  });

  test('--json without --smoke is a usage error (exit 2)', async () => {
    const r = await runDemo(['--json'], 30_000);
    assert.equal(r.code, 2);
    assert.match(r.err, /--json and --keep go with --smoke/);
  });
});
