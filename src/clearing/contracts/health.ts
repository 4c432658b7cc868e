/**
 * Contract of `GET /api/v1/health`: any peer may ask any node its id, version and clock. Built
 * into every peer server (peer-server.ts); the client measures the round trip.
 */
import { performance } from 'node:perf_hooks';
import { isRecord } from '../../core/json.js';
import { malformedAnswer } from './peer-error.js';
import { type PeerCallOptions, type PeerCaller, type PeerOperation, pathOf } from './peer-api.js';

export const HEALTH: PeerOperation<undefined> = { method: 'GET', path: '/api/v1/health' };

/** The answer. */
export interface HealthAnswer {
  readonly node: string;
  readonly version: string;
  /** The answering node's clock, ISO 8601. */
  readonly time: string;
}

/** What the typed call returns. */
export interface PeerHealth {
  readonly node: string;
  readonly version: string;
  /** Round trip of the call, in ms. */
  readonly latencyMs: number;
}

export function checkHealthAnswer(peerId: string, answer: unknown): HealthAnswer {
  if (!isRecord(answer) || typeof answer['node'] !== 'string' || typeof answer['version'] !== 'string' || typeof answer['time'] !== 'string') {
    throw malformedAnswer(peerId, 'the health answer is not {node, version, time}');
  }
  return { node: answer['node'], version: answer['version'], time: answer['time'] };
}

/** The peer's node id and version, and the round trip time. */
export async function peerHealth(caller: PeerCaller, options: PeerCallOptions = {}): Promise<PeerHealth> {
  const started = performance.now();
  const answer = checkHealthAnswer(caller.peer.id, await caller.request(HEALTH.method, pathOf(HEALTH), undefined, options));
  return { node: answer.node, version: answer.version, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
}
