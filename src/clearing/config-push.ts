/**
 * The sending side of a configuration push, run on the primary node (by `soar-clearing config
 * push`, the function clearing_distribute_configuration or the schedule):
 *
 *   1. take the primary's push lock (one push at a time, whoever starts it);
 *   2. export the reference brand's configuration, cut it to the configured scope, strip
 *      users, group members and API keys (config-export.ts);
 *   3. pack it (gzip, chunks of <= 3 MiB raw / 4 MiB base64, sha256 each and whole);
 *   4. to every peer node at once: begin, the chunks one by one, commit; each answers its
 *      brands' results; the primary's own other brands import it directly;
 *   5. log the outcome and release the lock.
 * A node that cannot be reached, refuses, or fails midway is reported failed (with why) and the
 * others go on; its half-sent push is aborted (or dropped by the node after its idle time).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ConfigPushConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { JsonObject, Logger } from '../core/types.js';
import { applyToBrands, brandResult } from './config-apply.js';
import { packExport, type PackedExport } from './config-chunks.js';
import { exportConfiguration, scopeExport, type ScopedExport } from './config-export.js';
import { acquirePushLock, pushLockPath } from './config-push-lock.js';
import { outcomeOk, summarizeBrands } from './config-push-receiver.js';
import { abortPush, beginPush, BrandOutcome, commitPush, type NodePushResult, sendChunk } from './contracts/config-push.js';
import type { ClearingNetwork } from './network.js';
import type { PeerClient } from './peer-client.js';
import { PeerError } from './contracts/peer-error.js';

export interface PushProgress {
  readonly node: string;
  readonly phase: 'begin' | 'chunk' | 'commit' | 'done' | 'failed';
  /** Chunks sent so far, of `chunks`. */
  readonly sent: number;
  readonly chunks: number;
}

export interface PushOptions {
  readonly reason: string;
  readonly dryRun: boolean;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Raw bytes per chunk (default CHUNK_BYTES; smaller in tests); not used with `prepared`. */
  readonly chunkBytes?: number;
  readonly onProgress?: (p: PushProgress) => void;
  /** The export, when the caller prepared it already (prepareExport) to show it first. */
  readonly prepared?: PreparedExport;
}

export type PreparedExport = ScopedExport & { readonly reference: string; readonly packed: PackedExport };

/** What a push did (JSON: the function's result, the CLI's --json). */
export type PushReport = {
  push_id: string;
  reason: string;
  dry_run: boolean;
  primary: string;
  reference_brand: string;
  started_at: string;
  duration_ms: number;
  /** Objects pushed, per kind. */
  objects: Record<string, number>;
  /** Values naming users, group members or API keys removed from the export. */
  stripped: number;
  json_bytes: number;
  bytes: number;
  chunks: number;
  /** Every node answered and no brand failed. */
  ok: boolean;
  nodes: NodePushResult[];
};

/** The push settings in force, with the reference brand resolved. */
function pushSettings(network: ClearingNetwork): ConfigPushConfig & { readonly reference: string } {
  const config = network.config;
  if (!config.network) throw new ClearingError(ErrorCode.NotPrimary, `node '${network.nodeId}' has no clearing network (network: in the config): there is nobody to push configuration to`);
  if (config.network.primary !== network.nodeId) {
    throw new ClearingError(ErrorCode.NotPrimary, `only the primary node '${config.network.primary}' pushes configuration; this is node '${network.nodeId}'`, { httpStatus: 403 });
  }
  const settings = config.network.config_push;
  return { ...settings, reference: settings.reference_brand ?? config.brands[0]!.id };
}

function newPushId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `cp-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Exports the reference brand's configuration, scoped and stripped, and packs it for the wire. */
export async function prepareExport(network: ClearingNetwork, opts: { readonly signal?: AbortSignal; readonly chunkBytes?: number } = {}): Promise<PreparedExport> {
  const settings = pushSettings(network);
  const raw = await exportConfiguration(network.soarOf(settings.reference), opts.signal);
  const scoped = scopeExport(raw, settings);
  return { ...scoped, reference: settings.reference, packed: packExport(scoped.data, opts.chunkBytes) };
}

export async function pushConfiguration(network: ClearingNetwork, opts: PushOptions): Promise<PushReport> {
  const settings = pushSettings(network);
  const reason = opts.reason.trim();
  if (reason === '') throw new ClearingError(ErrorCode.InputInvalid, 'a configuration push needs a reason');
  const pushId = newPushId();
  const startedAt = new Date();
  const started = performance.now();
  const log = opts.log.child({ component: 'config-push', push_id: pushId });
  let pushed = false;
  const release = acquirePushLock(
    pushLockPath(network.config),
    { push_id: pushId, reason, started_at: startedAt.toISOString(), pid: process.pid },
    `the primary node '${network.nodeId}'`,
  );
  try {
    const scoped = opts.prepared ?? (await prepareExport(network, opts));
    const { packed } = scoped;
    const m = packed.manifest;
    const peers = network.peerClients;
    log.info(
      `configuration push ${pushId} ("${reason}")${opts.dryRun ? ' (dry run)' : ''}: brand ${settings.reference}, ${Object.values(scoped.counts).reduce((a, b) => a + (b ?? 0), 0)} objects, ` +
        `${m.json_bytes} bytes (${m.bytes} gzipped, ${m.chunk_count} chunk(s)) to ${peers.map((p) => p.peer.id).join(', ') || 'no peer'}`,
      { push_id: pushId, reason, dry_run: opts.dryRun, objects: scoped.counts, stripped: scoped.stripped },
    );
    const [local, ...remote] = await Promise.all([
      applyLocally(network, settings.reference, scoped.data, pushId, opts, log),
      ...peers.map((peer) => sendToPeer(peer, packed, pushId, reason, opts, log)),
    ]);
    const nodes = [...(local ? [local] : []), ...remote];
    const ok = nodes.every((n) => n.ok);
    const report: PushReport = {
      push_id: pushId,
      reason,
      dry_run: opts.dryRun,
      primary: network.nodeId,
      reference_brand: settings.reference,
      started_at: startedAt.toISOString(),
      duration_ms: Math.round(performance.now() - started),
      objects: { ...scoped.counts } as Record<string, number>,
      stripped: scoped.stripped,
      json_bytes: m.json_bytes,
      bytes: m.bytes,
      chunks: m.chunk_count,
      ok,
      nodes,
    };
    pushed = ok;
    log[ok ? 'info' : 'warn'](
      `configuration push ${pushId} ("${reason}") ${ok ? 'done' : 'had failures'} in ${report.duration_ms} ms: ` +
        nodes.map((n) => `${n.node}: ${n.error ?? summarizeBrands(n.brands)}`).join('; '),
      { push_id: pushId, reason, ok },
    );
    return report;
  } finally {
    network.metrics.configPush('sent', pushed);
    release();
  }
}

/** The primary's own brands other than the reference one import it directly. */
async function applyLocally(network: ClearingNetwork, reference: string, data: JsonObject, pushId: string, opts: PushOptions, log: Logger): Promise<NodePushResult | null> {
  const others = network.localBrands.filter((b) => b.id !== reference);
  if (others.length === 0) return null;
  const brands = await applyToBrands(network, others, data, { dryRun: opts.dryRun, log, ...(opts.signal ? { signal: opts.signal } : {}) });
  return { node: network.nodeId, push_id: pushId, ok: brands.every(outcomeOk), error: null, brands };
}

/** Times a push to one node is begun again when its connection moved to another process of the region. */
const RESTARTS = 2;

/**
 * The node's answer "no such push under way" to a chunk or the commit: the push's connection
 * broke and the new one reached the region's other node (which never saw the begin).
 */
function lostPush(err: unknown): boolean {
  return err instanceof PeerError && err.status === 404 && err.remoteCode === ErrorCode.NotFound;
}

async function sendToPeer(client: PeerClient, packed: PackedExport, pushId: string, reason: string, opts: PushOptions, log: Logger): Promise<NodePushResult> {
  const node = client.peer.id;
  const total = packed.chunks.length;
  const progress = (phase: PushProgress['phase'], sent: number): void => opts.onProgress?.({ node, phase, sent, chunks: total });
  const signal = opts.signal ? { signal: opts.signal } : {};
  // One connection for the whole push: a region of two nodes keeps its state in one process.
  const peer = client.session();
  let begun = false;
  try {
    for (let restart = 0; ; restart++) {
      try {
        progress('begin', 0);
        await beginPush(peer, pushId, { reason, dry_run: opts.dryRun, manifest: packed.manifest }, signal);
        begun = true;
        for (const chunk of packed.chunks) {
          await sendChunk(peer, pushId, chunk.index, { sha256: chunk.sha256, data: chunk.data }, signal);
          progress('chunk', chunk.index + 1);
        }
        progress('commit', total);
        const result = await commitPush(peer, pushId, signal);
        progress('done', total);
        return result;
      } catch (err) {
        if (!lostPush(err) || restart >= RESTARTS) throw err;
        log.warn(`configuration push ${pushId} to node '${node}': the node no longer knows it (its connection moved to another process); beginning it again`, { push_id: pushId, node });
      }
    }
  } catch (err) {
    const message = ClearingError.from(err).message;
    log.warn(`configuration push ${pushId} to node '${node}' failed: ${message}`, { push_id: pushId, node });
    progress('failed', 0);
    if (begun) await abortPush(peer, pushId).catch(() => undefined);
    return {
      node,
      push_id: pushId,
      ok: false,
      error: message,
      brands: client.peer.brands.map((b) => brandResult(b, node, BrandOutcome.Failed, message)),
    };
  } finally {
    peer.close();
  }
}
