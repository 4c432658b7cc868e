import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger, withMeta } from '../../src/core/logger.js';

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
