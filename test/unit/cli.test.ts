/** The command line as an admin meets it: help, validation, clear errors, exit codes. No network. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../bin/soar-clearing.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, cwd: tmpdir() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sc-cli-'));
  const path = join(dir, 'app.config.yaml');
  writeFileSync(path, text);
  return path;
}

test('--help lists the commands and the --config option', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /soar-clearing run/);
  assert.match(r.out, /soar-clearing config/);
  assert.match(r.out, /--config/);
});

test('unknown commands and options are refused with usage exit code 2', () => {
  for (const args of [['frobnicate'], ['run', '--colour'], []]) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /soar-clearing --help/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
});

test('config validate prints every problem with its path, no stack trace, exit 2', () => {
  const path = configFile('node: { id: eu }\nsoar:\n  host: soar.example.com\n  org: X\n  api_key_id: k\n  colour: blue\nworker: { concurrency: 0 }\n');
  const r = run(['config', 'validate', '--config', path]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^invalid configuration: /);
  assert.match(r.err, /soar\.api_key_secret: required/);
  assert.match(r.err, /soar\.colour: unknown key/);
  assert.match(r.err, /worker\.concurrency: must be >= 1/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('config validate shows the compiled config with secrets hidden', () => {
  const path = configFile('node: { id: eu }\nsoar:\n  host: soar.example.com\n  org: X\n  api_key_id: k\n  api_key_secret: ${MY_SECRET}\n');
  const r = run(['config', 'validate', '--config', path], { MY_SECRET: 'very-secret-value' });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /configuration OK/);
  assert.doesNotMatch(r.out + r.err, /very-secret-value/);
  assert.match(r.out, /\*\*\*/);
});

test('a missing config file names where it looked', () => {
  const r = run(['config', 'validate', '--config', '/nonexistent/app.config.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: configuration file not found/);
  assert.match(r.err, /--config: \/nonexistent\/app\.config\.yaml: not found/);
});

test('health without an admin: section says what to add, exit 2', () => {
  const path = configFile('node: { id: eu }\nsoar:\n  host: soar.example.com\n  org: X\n  api_key_id: k\n  api_key_secret: s\n');
  const r = run(['health', '--config', path]);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: the configuration \(.*app\.config\.yaml\) has no admin: section, so the node serves no health endpoint; add e\.g\. admin: \{ listen: \{ host: 127\.0\.0\.1, port: 8445 \} \}\n$/);
});

test('--log-level and LOG_LEVEL: an unknown level is refused in words before anything starts, exit 2', () => {
  const path = configFile('node: { id: eu }\nsoar:\n  host: soar.example.com\n  org: X\n  api_key_id: k\n  api_key_secret: s\n');
  const env = run(['run', '--config', path], { LOG_LEVEL: 'verbose' });
  assert.equal(env.code, 2, env.err);
  assert.equal(env.err, "error: LOG_LEVEL: 'verbose' is not a log level (error, warn, info, debug)\n");
  const flag = run(['run', '--config', path, '--log-level', 'verbose']);
  assert.equal(flag.code, 2, flag.err);
  assert.match(flag.err, /log-level.*Given: "verbose", Choices: "error", "warn", "info", "debug"/s);
  assert.match(run(['--help']).out, /--log-level/);
});

test('network check: without a network section, or with a bad option, a usage error in words, exit 2', () => {
  const path = configFile('node: { id: eu }\nsoar:\n  host: soar.example.com\n  org: X\n  api_key_id: k\n  api_key_secret: s\n');
  const none = run(['network', 'check', '--config', path]);
  assert.equal(none.code, 2, none.err);
  assert.match(none.err, /^error: no network configured in \S+app\.config\.yaml \(no network: section\): nothing to check\n$/);
  const bad = run(['network', 'check', '--config', path, '--max-skew-s', '-1']);
  assert.equal(bad.code, 2, bad.err);
  assert.equal(bad.err, 'error: --max-skew-s: must be a number of seconds above 0\n');
  assert.match(run(['network', '--help']).out, /soar-clearing network check/);
});
