import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger, withMeta } from '../../src/logger.js';

function capture(format: 'text' | 'json', secrets: string[]) {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
  const log = createLogger({ level: 'debug', format, file: null, secrets, stream });
  return { log, lines };
}

test('secrets never reach a log line, in message or metadata, text or JSON', async () => {
  for (const format of ['text', 'json'] as const) {
    const { log, lines } = capture(format, ['s3cr3t-key-value', 'hunter22']);
    log.info('connecting with s3cr3t-key-value', { auth: { passcode: 'hunter22' }, list: ['x hunter22 y'] });
    log.child({ brand: 'eu' }).warn('failed', { err: 'bad password hunter22' });
    await new Promise((r) => setImmediate(r));
    const text = lines.join('\n');
    assert.equal(lines.length, 2, text);
    assert.doesNotMatch(text, /s3cr3t-key-value|hunter22/);
    assert.match(text, /\*\*\*/);
    assert.match(text, /eu/);
  }
});

test('text lines carry level, message and key=value metadata', async () => {
  const { log, lines } = capture('text', []);
  log.info('invocation success', { function: 'clearing_ping', correlation_id: 'invid:1', duration_ms: 3 });
  await new Promise((r) => setImmediate(r));
  assert.match(lines[0] ?? '', /INFO  invocation success function=clearing_ping correlation_id=invid:1 duration_ms=3$/);
});

test('withMeta adds its metadata to every line, and secrets stay scrubbed', async () => {
  const { log, lines } = capture('text', ['hunter22']);
  const inv = withMeta(log, { function: 'clearing_ping', correlation_id: 'invid:7' });
  inv.warn('retrying with hunter22', { attempt: 2 });
  inv.child({ step: 'b' }).info('done');
  await new Promise((r) => setImmediate(r));
  assert.match(lines[0] ?? '', /WARN  retrying with \*\*\* function=clearing_ping correlation_id=invid:7 attempt=2$/);
  assert.match(lines[1] ?? '', /INFO  done function=clearing_ping correlation_id=invid:7 step=b$/);
});

/** Runs `body` in a child node process with `createLogger` in scope; resolves with its stderr as it arrives. */
function child(body: string): { stderr: string[]; exited: Promise<number | null> } {
  const loggerUrl = new URL('../../src/logger.js', import.meta.url).href;
  const script = `const { createLogger } = await import(${JSON.stringify(loggerUrl)});\n`
    + `const log = createLogger({ level: 'info', format: 'text', file: null });\n${body}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  proc.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  return { stderr, exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
}

test('stderr lines are batched, yet none is lost when the process exits at once', async () => {
  const { stderr, exited } = child(`for (let i = 0; i < 500; i++) log.info('line ' + i); process.exit(3);`);
  assert.equal(await exited, 3);
  const lines = stderr.join('').split('\n').filter(Boolean);
  assert.equal(lines.length, 500);
  lines.forEach((l, i) => assert.match(l, new RegExp(`INFO  line ${i}$`)));
});

test('a stderr line reaches the reader while the process keeps running', async () => {
  const { stderr, exited } = child(`log.info('early'); setTimeout(() => process.exit(0), 3000);`);
  const t0 = Date.now();
  while (!stderr.join('').includes('early') && Date.now() - t0 < 2500) await new Promise((r) => setTimeout(r, 20));
  assert.match(stderr.join(''), /INFO  early/, 'the line waited for the exit');
  await exited;
});
