/**
 * A configuration export on the wire: JSON, gzipped, cut into chunks small enough for the peer
 * API's body limits, each with its sha256, and the sha256 of the whole, so the receiver can
 * check every chunk as it comes and the whole before importing anything.
 *
 * Chunks travel base64-encoded in JSON bodies (the peer API speaks JSON only): a chunk of
 * CHUNK_BYTES raw bytes is a body of at most 4 MiB plus a few bytes of framing.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';
import type { JsonObject } from '../core/types.js';
import { CHUNK_BYTES, type ChunkBody, MAX_CHUNKS, type PackManifest } from './contracts/config-push.js';

/** Largest export a receiver unpacks (uncompressed JSON). */
const MAX_EXPORT_BYTES = 512 * 1024 * 1024;

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A chunk with its place in the export. */
export interface Chunk extends ChunkBody {
  readonly index: number;
}

export interface PackedExport {
  readonly manifest: PackManifest;
  readonly chunks: readonly Chunk[];
}

export function packExport(data: JsonObject, chunkBytes = CHUNK_BYTES): PackedExport {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > CHUNK_BYTES) {
    throw new RangeError(`chunk size must be 1..${CHUNK_BYTES} bytes`);
  }
  const json = Buffer.from(JSON.stringify(data), 'utf8');
  const gz = gzipSync(json);
  const chunks: Chunk[] = [];
  for (let at = 0, index = 0; at < gz.length || index === 0; at += chunkBytes, index++) {
    const part = gz.subarray(at, at + chunkBytes);
    chunks.push({ index, sha256: sha256(part), data: part.toString('base64') });
  }
  if (chunks.length > MAX_CHUNKS) {
    throw new ClearingError(ErrorCode.InputInvalid, `the export is too large: ${chunks.length} chunks of ${chunkBytes} bytes (at most ${MAX_CHUNKS})`);
  }
  return { manifest: { json_bytes: json.length, bytes: gz.length, sha256: sha256(gz), chunk_count: chunks.length, chunk_bytes: chunkBytes }, chunks };
}

function invalid(message: string): ClearingError {
  return new ClearingError(ErrorCode.ChunkInvalid, message, { httpStatus: 400 });
}

/** The receiving side: collects chunks, checks each and the whole, unpacks. */
export class ChunkAssembler {
  private readonly parts: (Buffer | undefined)[];

  constructor(readonly manifest: PackManifest) {
    const m = manifest;
    if (m.chunk_count < 1 || m.chunk_count > MAX_CHUNKS) throw invalid(`chunk_count must be 1..${MAX_CHUNKS}`);
    if (m.chunk_bytes < 1 || m.chunk_bytes > CHUNK_BYTES) throw invalid(`chunk_bytes must be 1..${CHUNK_BYTES}`);
    if (m.bytes > m.chunk_count * m.chunk_bytes || m.bytes <= (m.chunk_count - 1) * m.chunk_bytes) {
      throw invalid(`${m.bytes} bytes do not make ${m.chunk_count} chunks of ${m.chunk_bytes}`);
    }
    if (m.json_bytes > MAX_EXPORT_BYTES) throw invalid(`the export (${m.json_bytes} bytes) is larger than ${MAX_EXPORT_BYTES} bytes`);
    this.parts = new Array<Buffer | undefined>(m.chunk_count);
  }

  get complete(): boolean {
    return this.missing.length === 0;
  }

  get missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.parts.length; i++) if (this.parts[i] === undefined) out.push(i);
    return out;
  }

  /** Adds one chunk; the same chunk again is accepted (a retried request), another one is not. */
  add(chunk: Chunk): void {
    const { index } = chunk;
    if (!Number.isInteger(index) || index < 0 || index >= this.manifest.chunk_count) {
      throw invalid(`chunk ${index} is out of range (0..${this.manifest.chunk_count - 1})`);
    }
    const data = Buffer.from(chunk.data, 'base64');
    const expected = index === this.manifest.chunk_count - 1 ? this.manifest.bytes - index * this.manifest.chunk_bytes : this.manifest.chunk_bytes;
    if (data.length !== expected) throw invalid(`chunk ${index} has ${data.length} bytes, expected ${expected}`);
    const digest = sha256(data);
    if (digest !== chunk.sha256) throw invalid(`chunk ${index}: sha256 mismatch (got ${digest}, announced ${chunk.sha256})`);
    this.parts[index] ??= data;
  }

  /** The export, once every chunk is in and the whole matches its sha256. */
  unpack(): JsonObject {
    const missing = this.missing;
    if (missing.length > 0) throw invalid(`${missing.length} chunk(s) missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`);
    const gz = Buffer.concat(this.parts as Buffer[]);
    const digest = sha256(gz);
    if (digest !== this.manifest.sha256) throw invalid(`the assembled export's sha256 ${digest} is not the announced ${this.manifest.sha256}`);
    let json: Buffer;
    try {
      json = gunzipSync(gz, { maxOutputLength: MAX_EXPORT_BYTES });
    } catch (err) {
      throw invalid(`the export does not decompress: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.toString('utf8'));
    } catch (err) {
      throw invalid(`the export is not JSON: ${(err as Error).message}`);
    }
    if (!isJsonObject(parsed)) throw invalid('the export is not a JSON object');
    return parsed;
  }
}
