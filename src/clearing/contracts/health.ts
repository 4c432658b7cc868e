/**
 * Contract of `GET /api/v1/health`: any peer may ask any node its id, version, clock, peer API
 * protocol and brands. Built into every peer server (peer-server.ts); the client measures the
 * round trip.
 *
 * `protocol`, `brands` and `your_brands` were added after the first release: an older node
 * answers without them, and its answer is still valid (they read as null).
 */
import { performance } from 'node:perf_hooks';
import { isRecord } from '../../core/json.js';
import { malformedAnswer } from './peer-error.js';
import { type PeerCallOptions, type PeerCaller, type PeerOperation, pathOf } from './peer-api.js';

export const HEALTH: PeerOperation<undefined> = { method: 'GET', path: '/api/v1/health' };

/**
 * Version of the peer API's protocol this node speaks. Raised when a node of this version can
 * no longer work with one of the previous (a changed operation, a new required one); a node
 * answering without it is of protocol 1 (it answered a `/api/v1/` path).
 */
export const PEER_PROTOCOL = 1;

/** The answer. */
export interface HealthAnswer {
  readonly node: string;
  readonly version: string;
  /** The answering node's clock, ISO 8601. */
  readonly time: string;
  /** PEER_PROTOCOL of the answering node; absent from older nodes. */
  readonly protocol?: number;
  /** The brands the answering node serves; absent from older nodes. */
  readonly brands?: readonly string[];
  /** The brands the answering node's configuration says the caller serves; absent from older nodes. */
  readonly your_brands?: readonly string[];
}

/** What the typed call returns. */
export interface PeerHealth {
  readonly node: string;
  readonly version: string;
  /** Round trip of the call, in ms. */
  readonly latencyMs: number;
  /** The peer's clock minus ours at the middle of the round trip, in ms (positive: the peer is ahead). */
  readonly clockSkewMs: number;
  /** null: an older node that does not say (see HealthAnswer). */
  readonly protocol: number | null;
  readonly brands: readonly string[] | null;
  readonly yourBrands: readonly string[] | null;
}

function stringList(value: unknown): readonly string[] | null | false {
  if (value === undefined) return null;
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : false;
}

export function checkHealthAnswer(peerId: string, answer: unknown): HealthAnswer {
  if (!isRecord(answer) || typeof answer['node'] !== 'string' || typeof answer['version'] !== 'string' || typeof answer['time'] !== 'string') {
    throw malformedAnswer(peerId, 'the health answer is not {node, version, time}');
  }
  if (Number.isNaN(Date.parse(answer['time']))) throw malformedAnswer(peerId, `the health answer's time is not a date: ${JSON.stringify(answer['time'])}`);
  const protocol = answer['protocol'];
  if (protocol !== undefined && !(typeof protocol === 'number' && Number.isSafeInteger(protocol) && protocol >= 1)) {
    throw malformedAnswer(peerId, "the health answer's protocol is not a positive integer");
  }
  const brands = stringList(answer['brands']);
  const yourBrands = stringList(answer['your_brands']);
  if (brands === false || yourBrands === false) throw malformedAnswer(peerId, "the health answer's brands are not a list of brand ids");
  return {
    node: answer['node'],
    version: answer['version'],
    time: answer['time'],
    ...(protocol !== undefined ? { protocol } : {}),
    ...(brands !== null ? { brands } : {}),
    ...(yourBrands !== null ? { your_brands: yourBrands } : {}),
  };
}

/** The peer's node id, version, clock skew, protocol and brands, and the round trip time. */
export async function peerHealth(caller: PeerCaller, options: PeerCallOptions = {}): Promise<PeerHealth> {
  const sentAt = Date.now();
  const started = performance.now();
  const answer = checkHealthAnswer(caller.peer.id, await caller.request(HEALTH.method, pathOf(HEALTH), undefined, options));
  const latencyMs = performance.now() - started;
  return {
    node: answer.node,
    version: answer.version,
    latencyMs: Math.round(latencyMs * 10) / 10,
    clockSkewMs: Math.round(Date.parse(answer.time) - (sentAt + latencyMs / 2)),
    protocol: answer.protocol ?? null,
    brands: answer.brands ?? null,
    yourBrands: answer.your_brands ?? null,
  };
}
