/**
 * Contract of the configuration push (served by every node; only the primary may call):
 *
 *   PUT  /api/v1/config-pushes/:push                 begin (again: a no-op): BeginBody -> BeginAnswer
 *   PUT  /api/v1/config-pushes/:push/chunks/:index   one chunk: ChunkBody (<= 4 MiB) -> ChunkAnswer
 *   POST /api/v1/config-pushes/:push/commit          import into the node's brands -> NodePushResult
 *   POST /api/v1/config-pushes/:push/abort           drop the push -> AbortAnswer
 *
 * The export travels gzipped, cut into chunks of at most CHUNK_BYTES raw bytes, base64 in JSON
 * (config-chunks.ts packs and reassembles it). The routes are config-push-routes.ts, the
 * primary's side config-push.ts.
 */
import type { JSONSchemaType } from 'ajv';
import { isRecord } from '../../core/json.js';
import { malformedAnswer } from './peer-error.js';
import { type PeerCallOptions, type PeerCaller, type PeerOperation, pathOf } from './peer-api.js';

/** Raw bytes per chunk: 3 MiB, which base64 turns into exactly 4 MiB. */
export const CHUNK_BYTES = 3 * 1024 * 1024;
/** Body limit of the chunk operation: a full chunk in base64 plus room for the JSON around it. */
export const CHUNK_MAX_BODY_BYTES = 4 * 1024 * 1024 + 4096;
/** Most chunks one push may have. */
export const MAX_CHUNKS = 1000;

/** How long a node may take to import into its brands and answer the commit. */
const COMMIT_TIMEOUT_MS = 10 * 60_000;
/** Time one chunk may take (a 4 MiB body over a slow link). */
const CHUNK_TIMEOUT_MS = 120_000;

/** The description of a packed export, sent before its chunks. */
export interface PackManifest {
  /** Bytes of the JSON before compression. */
  readonly json_bytes: number;
  /** Bytes on the wire (gzipped), sum of the chunks. */
  readonly bytes: number;
  readonly sha256: string;
  readonly chunk_count: number;
  readonly chunk_bytes: number;
}

export interface BeginBody {
  readonly reason: string;
  readonly dry_run: boolean;
  readonly manifest: PackManifest;
}

export interface BeginAnswer {
  readonly push_id: string;
  readonly chunks_expected: number;
}

/** One chunk (its index is in the path). */
export interface ChunkBody {
  readonly sha256: string;
  /** base64 */
  readonly data: string;
}

export interface ChunkAnswer {
  readonly received: number;
}

export interface AbortAnswer {
  readonly aborted: boolean;
}

export const BrandOutcome = { Imported: 'imported', Failed: 'failed', Skipped: 'skipped', DryRun: 'dry_run' } as const;
export type BrandOutcome = (typeof BrandOutcome)[keyof typeof BrandOutcome];

/** One brand's result (JSON: it travels back to the primary and into the function's result). */
export type BrandPushResult = {
  brand: string;
  node: string;
  outcome: BrandOutcome;
  /** Why skipped or failed; null otherwise. */
  reason: string | null;
  /** The SOAR import's id, when one was made. */
  import_id: number | null;
  /** What SOAR said (import messages, or its error). */
  messages: string[];
  /** `kind: name` of objects new to the brand / different in it (before the import). */
  added: string[];
  changed: string[];
  unchanged: number;
};

/** A node's answer to a commit: its brands' results. */
export type NodePushResult = {
  node: string;
  push_id: string;
  /** Every brand imported, skipped as up to date, or (dry run) compared. */
  ok: boolean;
  /** Why the node as a whole could not take the push (refused, unreachable, ...); null when it answered. */
  error: string | null;
  brands: BrandPushResult[];
};

const SHA256 = '^[0-9a-f]{64}$';
const size = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

const beginBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'dry_run', 'manifest'],
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    dry_run: { type: 'boolean' },
    manifest: {
      type: 'object',
      additionalProperties: false,
      required: ['json_bytes', 'bytes', 'sha256', 'chunk_count', 'chunk_bytes'],
      properties: {
        json_bytes: size,
        bytes: size,
        sha256: { type: 'string', pattern: SHA256 },
        chunk_count: { type: 'integer', minimum: 1, maximum: MAX_CHUNKS },
        chunk_bytes: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

const chunkBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sha256', 'data'],
  properties: {
    sha256: { type: 'string', pattern: SHA256 },
    data: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' },
  },
} as const;

const PUSH = '/api/v1/config-pushes/:push';

// The schemas' `maximum: Number.MAX_SAFE_INTEGER` and patterns have no JSONSchemaType form; they are exact.
export const CONFIG_PUSH_BEGIN: PeerOperation<BeginBody> = { method: 'PUT', path: PUSH, bodySchema: beginBodySchema as unknown as JSONSchemaType<BeginBody> };
export const CONFIG_PUSH_CHUNK: PeerOperation<ChunkBody> = {
  method: 'PUT',
  path: `${PUSH}/chunks/:index`,
  bodySchema: chunkBodySchema as unknown as JSONSchemaType<ChunkBody>,
  maxBodyBytes: CHUNK_MAX_BODY_BYTES,
};
export const CONFIG_PUSH_COMMIT: PeerOperation = { method: 'POST', path: `${PUSH}/commit` };
export const CONFIG_PUSH_ABORT: PeerOperation = { method: 'POST', path: `${PUSH}/abort` };

const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const outcomes: readonly unknown[] = Object.values(BrandOutcome);

function isBrandPushResult(v: unknown): v is BrandPushResult {
  return (
    isRecord(v) &&
    typeof v['brand'] === 'string' &&
    typeof v['node'] === 'string' &&
    outcomes.includes(v['outcome']) &&
    (v['reason'] === null || typeof v['reason'] === 'string') &&
    (v['import_id'] === null || Number.isSafeInteger(v['import_id'])) &&
    isStringArray(v['messages']) &&
    isStringArray(v['added']) &&
    isStringArray(v['changed']) &&
    Number.isSafeInteger(v['unchanged'])
  );
}

export function checkNodePushResult(peerId: string, answer: unknown): NodePushResult {
  if (
    !isRecord(answer) ||
    typeof answer['node'] !== 'string' ||
    typeof answer['push_id'] !== 'string' ||
    typeof answer['ok'] !== 'boolean' ||
    !(answer['error'] === null || typeof answer['error'] === 'string') ||
    !Array.isArray(answer['brands']) ||
    !answer['brands'].every(isBrandPushResult)
  ) {
    throw malformedAnswer(peerId, 'the commit answer is not a node push result');
  }
  return answer as unknown as NodePushResult;
}

function checkBeginAnswer(peerId: string, answer: unknown): BeginAnswer {
  if (!isRecord(answer) || typeof answer['push_id'] !== 'string' || !Number.isSafeInteger(answer['chunks_expected'])) {
    throw malformedAnswer(peerId, 'the begin answer is not {push_id, chunks_expected}');
  }
  return { push_id: answer['push_id'], chunks_expected: answer['chunks_expected'] as number };
}

function checkChunkAnswer(peerId: string, answer: unknown): ChunkAnswer {
  if (!isRecord(answer) || !Number.isSafeInteger(answer['received'])) throw malformedAnswer(peerId, 'the chunk answer is not {received}');
  return { received: answer['received'] as number };
}

/** Begins push `pushId` on the node (idempotent: a PUT, so a stale keep-alive connection may be retried). */
export async function beginPush(caller: PeerCaller, pushId: string, body: BeginBody, options: PeerCallOptions = {}): Promise<BeginAnswer> {
  return checkBeginAnswer(caller.peer.id, await caller.request(CONFIG_PUSH_BEGIN.method, pathOf(CONFIG_PUSH_BEGIN, { push: pushId }), body, options));
}

export async function sendChunk(caller: PeerCaller, pushId: string, index: number, body: ChunkBody, options: PeerCallOptions = {}): Promise<ChunkAnswer> {
  const answer = await caller.request(CONFIG_PUSH_CHUNK.method, pathOf(CONFIG_PUSH_CHUNK, { push: pushId, index }), body, { ...options, timeoutMs: CHUNK_TIMEOUT_MS });
  return checkChunkAnswer(caller.peer.id, answer);
}

/** Imports the push into the node's brands: their results. */
export async function commitPush(caller: PeerCaller, pushId: string, options: PeerCallOptions = {}): Promise<NodePushResult> {
  const answer = await caller.request(CONFIG_PUSH_COMMIT.method, pathOf(CONFIG_PUSH_COMMIT, { push: pushId }), {}, { ...options, timeoutMs: COMMIT_TIMEOUT_MS });
  return checkNodePushResult(caller.peer.id, answer);
}

/** Drops the push on the node (a push it does not know is no error). */
export async function abortPush(caller: PeerCaller, pushId: string, options: PeerCallOptions = {}): Promise<AbortAnswer> {
  const answer = await caller.request(CONFIG_PUSH_ABORT.method, pathOf(CONFIG_PUSH_ABORT, { push: pushId }), {}, options);
  if (!isRecord(answer) || typeof answer['aborted'] !== 'boolean') throw malformedAnswer(caller.peer.id, 'the abort answer is not {aborted}');
  return { aborted: answer['aborted'] };
}
