/**
 * Chunking of a pushed export: sizes within the peer API's limit, sha256 per chunk and whole,
 * reassembly in any order, retried chunks, and every way a chunk or the whole can be wrong.
 * Also the primary's push lock.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ChunkAssembler, packExport, sha256 } from '../../src/clearing/config-chunks.js';
import { CHUNK_BYTES, CHUNK_MAX_BODY_BYTES } from '../../src/clearing/contracts/config-push.js';
import { acquirePushLock } from '../../src/clearing/config-push-lock.js';
import { ClearingError, ErrorCode } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/types.js';

/** An export of `n` workflows with incompressible XML (base64 of random bytes), ~1.4 KiB each. */
function bulkyExport(n: number): JsonObject {
  return {
    export_format_version: 2,
    workflows: Array.from({ length: n }, (_, i) => ({ programmatic_name: `wf_${i}`, content: { xml: randomBytes(1024).toString('base64') } })),
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof ClearingError ? err.code : `not a ClearingError: ${String(err)}`;
  }
  return 'no error';
}

test('a large export is cut into chunks within the route limit and reassembles in any order', () => {
  const data = bulkyExport(5000);
  const packed = packExport(data);
  const { manifest, chunks } = packed;
  assert.ok(manifest.bytes > CHUNK_BYTES, `${manifest.bytes} bytes make more than one chunk`);
  assert.equal(chunks.length, Math.ceil(manifest.bytes / CHUNK_BYTES));
  assert.equal(manifest.chunk_count, chunks.length);
  for (const c of chunks) {
    const body = JSON.stringify({ sha256: c.sha256, data: c.data });
    assert.ok(Buffer.byteLength(body) <= CHUNK_MAX_BODY_BYTES, `chunk ${c.index}: ${Buffer.byteLength(body)} bytes`);
    assert.equal(sha256(Buffer.from(c.data, 'base64')), c.sha256);
  }
  const assembler = new ChunkAssembler(manifest);
  for (const c of [...chunks].reverse()) assembler.add(c);
  assembler.add(chunks[0]!); // a retried request
  assert.equal(assembler.complete, true);
  assert.deepEqual(assembler.unpack(), data);
});

test('small chunk sizes: many chunks, the last one shorter; an empty export is one chunk', () => {
  const data = bulkyExport(20);
  const packed = packExport(data, 1000);
  assert.ok(packed.chunks.length > 10);
  const a = new ChunkAssembler(packed.manifest);
  for (const c of packed.chunks) a.add(c);
  assert.deepEqual(a.unpack(), data);
  const empty = packExport({});
  assert.equal(empty.chunks.length, 1);
  assert.throws(() => packExport(data, CHUNK_BYTES + 1), RangeError);
});

test('a wrong chunk is refused (chunk_invalid): out of range, wrong size, wrong sha256, missing, whole mismatch', () => {
  const { manifest, chunks } = packExport(bulkyExport(20), 1000);
  const a = new ChunkAssembler(manifest);
  const first = chunks[0]!;
  assert.equal(code(() => a.add({ ...first, index: chunks.length })), ErrorCode.ChunkInvalid);
  assert.equal(code(() => a.add({ ...first, index: -1 })), ErrorCode.ChunkInvalid);
  assert.equal(code(() => a.add({ ...first, index: chunks.length - 1 })), ErrorCode.ChunkInvalid); // size of a full chunk for the short last one
  const flipped = Buffer.from(first.data, 'base64');
  flipped[0] = flipped[0]! ^ 0xff;
  assert.equal(code(() => a.add({ ...first, data: flipped.toString('base64') })), ErrorCode.ChunkInvalid);
  a.add(first);
  assert.equal(code(() => a.unpack()), ErrorCode.ChunkInvalid); // missing chunks
  assert.deepEqual(a.missing.slice(0, 2), [1, 2]);

  const lying = new ChunkAssembler({ ...manifest, sha256: sha256(Buffer.from('other')) });
  for (const c of chunks) lying.add(c);
  assert.throws(() => lying.unpack(), /sha256 .* is not the announced/);
});

test('an impossible manifest is refused before any chunk', () => {
  const { manifest } = packExport(bulkyExport(5), 1000);
  assert.equal(code(() => new ChunkAssembler({ ...manifest, chunk_count: 0 })), ErrorCode.ChunkInvalid);
  assert.equal(code(() => new ChunkAssembler({ ...manifest, bytes: manifest.bytes + 5000 })), ErrorCode.ChunkInvalid);
  assert.equal(code(() => new ChunkAssembler({ ...manifest, chunk_bytes: CHUNK_BYTES * 2 })), ErrorCode.ChunkInvalid);
  assert.equal(code(() => new ChunkAssembler({ ...manifest, json_bytes: 2 ** 40 })), ErrorCode.ChunkInvalid);
});

test('push lock: a second holder is refused with the running push named; released, it is free; a dead holder is taken over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-lock-'));
  const path = join(dir, 'push.lock');
  const holder = (id: string) => ({ push_id: id, reason: 'test', started_at: new Date().toISOString(), pid: process.pid });
  const release = acquirePushLock(path, holder('cp-1'), 'node eu');
  assert.throws(() => acquirePushLock(path, holder('cp-2'), 'node eu'), (err: ClearingError) => {
    assert.equal(err.code, ErrorCode.ConfigPushBusy);
    assert.match(err.message, /another configuration push is running on node eu: cp-1 \("test"\)/);
    return true;
  });
  release();
  assert.equal(existsSync(path), false);
  acquirePushLock(path, holder('cp-3'), 'node eu')();

  // A lock file of a process that no longer exists (pid far beyond pid_max).
  writeFileSync(path, JSON.stringify({ ...holder('cp-old'), pid: 2 ** 30 }));
  const again = acquirePushLock(path, holder('cp-4'), 'node eu');
  again();
});
