/**
 * `soar-clearing run` as its own process, its standard output a pipe (as under systemd or in a
 * container): the log is JSON lines on standard output, nothing on standard error; LOG_LEVEL
 * wins over the file's level and --log-level over LOG_LEVEL; the log file gets JSON lines too.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../../sim/testbed/broker.js';
import { uniqueDestination, World } from '../support/world.js';

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly timestamp: string;
}

/** Runs the node until it subscribed, stops it with SIGTERM, and returns what it wrote. */
async function runUntilSubscribed(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/bin/soar-clearing.js'), 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stopping = false;
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    // Once: a second SIGTERM means "exit now".
    if (!stopping && /subscribed to /.test(out)) {
      stopping = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return { code, out, err };
}

function jsonLines(text: string): LogLine[] {
  return text.split('\n').filter(Boolean).map((line) => {
    try {
      return JSON.parse(line) as LogLine;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
}

describe('run: logs as JSON lines to standard output, level overrides', () => {
  let world: World;
  let configPath: string;
  let logFile: string;
  before(async () => {
    world = await World.start();
    const written = world.configFile({ destination: uniqueDestination() });
    logFile = join(mkdtempSync(join(tmpdir(), 'sc-logs-')), 'node.log');
    // The file says warn and no format (auto): the overrides and the default are what is tested.
    const text = readFileSync(written, 'utf8').replace('logging: { level: debug, format: text }', `logging: { level: warn, file: ${logFile}, max_size_mb: 1, max_files: 2 }`);
    assert.match(text, /level: warn/);
    configPath = written.replace(/\.yaml$/, '-logging.yaml');
    writeFileSync(configPath, text);
  });
  after(async () => {
    await world?.stop();
  });

  test('LOG_LEVEL=debug over the file\'s warn: JSON lines on stdout with debug ones, nothing on stderr, the file too', async () => {
    const r = await runUntilSubscribed(['--config', configPath], { LOG_LEVEL: 'debug' });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const lines = jsonLines(r.out);
    assert.ok(lines.some((l) => l.level === 'info' && /^soar-clearing \d+\.\d+\.\d+/.test(l.message)), r.out);
    assert.ok(lines.some((l) => l.level === 'debug'), 'LOG_LEVEL=debug shows debug lines');
    assert.ok(lines.every((l) => !Number.isNaN(Date.parse(l.timestamp))));
    const file = jsonLines(readFileSync(logFile, 'utf8'));
    assert.ok(file.some((l) => /subscribed to /.test(l.message)));
  });

  test('--log-level info over LOG_LEVEL=debug: no debug line', async () => {
    const r = await runUntilSubscribed(['--config', configPath, '--log-level', 'info'], { LOG_LEVEL: 'debug' });
    assert.equal(r.code, 0, r.err);
    const lines = jsonLines(r.out);
    assert.ok(lines.some((l) => l.level === 'info'));
    assert.deepEqual(lines.filter((l) => l.level === 'debug'), []);
  });
});
