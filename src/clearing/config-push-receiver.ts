/**
 * The receiving side of a configuration push (a non-primary node): one push at a time,
 * begun by the primary with the export's manifest, fed chunk by chunk, then committed: the
 * export is checked whole, imported into each of this node's brands, and the per-brand result
 * answered (and logged). A push that stalls for IDLE_MS is dropped, freeing the node for the
 * next one.
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { ChunkAssembler, type Chunk } from './config-chunks.js';
import { applyToBrands } from './config-apply.js';
import { type BeginAnswer, type BeginBody, BrandOutcome, type BrandPushResult, type ChunkAnswer, type NodePushResult } from './contracts/config-push.js';
import { busyError, type PushHolder } from './config-push-lock.js';
import type { ClearingNetwork } from './network.js';

/** A push with no call for this long is dropped. */
const IDLE_MS = 5 * 60_000;

interface ActivePush {
  readonly id: string;
  readonly holder: PushHolder;
  readonly from: string;
  readonly dryRun: boolean;
  readonly assembler: ChunkAssembler;
  committing: boolean;
  timer: NodeJS.Timeout;
}

export function outcomeOk(r: BrandPushResult): boolean {
  return r.outcome !== BrandOutcome.Failed;
}

export function summarizeBrands(results: readonly BrandPushResult[]): string {
  return results.map((r) => `${r.brand} ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`).join(', ') || 'no brands';
}

export class ConfigPushReceiver {
  private active: ActivePush | null = null;
  private readonly log: Logger;

  constructor(private readonly network: ClearingNetwork) {
    this.log = network.log.child({ component: 'config-push' });
  }

  begin(from: string, pushId: string, body: BeginBody): BeginAnswer {
    const current = this.active;
    if (current && current.id !== pushId) throw busyError(current.holder, `node '${this.network.nodeId}'`);
    if (current) {
      this.touch(current);
      return { push_id: pushId, chunks_expected: current.assembler.manifest.chunk_count };
    }
    const assembler = new ChunkAssembler(body.manifest);
    const holder: PushHolder = { push_id: pushId, reason: body.reason, started_at: new Date().toISOString(), pid: process.pid };
    const active = { id: pushId, holder, from, dryRun: body.dry_run, assembler, committing: false, timer: this.idleTimer(pushId) };
    this.active = active;
    this.log.info(`configuration push ${pushId} from node '${from}' begins ("${body.reason}")`, {
      push_id: pushId, reason: body.reason, dry_run: body.dry_run, bytes: body.manifest.bytes, chunks: body.manifest.chunk_count,
    });
    return { push_id: pushId, chunks_expected: body.manifest.chunk_count };
  }

  chunk(pushId: string, chunk: Chunk): ChunkAnswer {
    const active = this.get(pushId);
    this.touch(active);
    active.assembler.add(chunk);
    return { received: chunk.index };
  }

  async commit(pushId: string, signal: AbortSignal): Promise<NodePushResult> {
    const active = this.get(pushId);
    if (active.committing) throw new ClearingError(ErrorCode.ConfigPushBusy, `configuration push ${pushId} is being committed already`, { httpStatus: 409 });
    active.committing = true;
    clearTimeout(active.timer);
    let ok = false;
    try {
      const data = active.assembler.unpack();
      const brands = await applyToBrands(this.network, this.network.localBrands, data, { dryRun: active.dryRun, log: this.log, signal });
      ok = brands.every(outcomeOk);
      this.log[ok ? 'info' : 'warn'](`configuration push ${pushId} from node '${active.from}' ("${active.holder.reason}")${active.dryRun ? ' (dry run)' : ''}: ${summarizeBrands(brands)}`, {
        push_id: pushId, reason: active.holder.reason, ok,
      });
      return { node: this.network.nodeId, push_id: pushId, ok, error: null, brands };
    } finally {
      this.network.metrics.configPush('received', ok);
      this.release(pushId);
    }
  }

  abort(pushId: string): void {
    if (this.active?.id !== pushId) return;
    this.log.warn(`configuration push ${pushId} aborted by node '${this.active.from}'`, { push_id: pushId });
    this.release(pushId);
  }

  close(): void {
    if (this.active) clearTimeout(this.active.timer);
    this.active = null;
  }

  private get(pushId: string): ActivePush {
    const active = this.active;
    if (!active || active.id !== pushId) {
      throw new ClearingError(ErrorCode.NotFound, `no configuration push ${pushId} is under way on node '${this.network.nodeId}'`, { httpStatus: 404 });
    }
    return active;
  }

  private touch(active: ActivePush): void {
    clearTimeout(active.timer);
    active.timer = this.idleTimer(active.id);
  }

  private idleTimer(pushId: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.active?.id !== pushId || this.active.committing) return;
      this.log.warn(`configuration push ${pushId} dropped: no call for ${IDLE_MS / 1000} s`, { push_id: pushId });
      this.active = null;
    }, IDLE_MS);
    timer.unref();
    return timer;
  }

  private release(pushId: string): void {
    if (this.active?.id !== pushId) return;
    clearTimeout(this.active.timer);
    this.active = null;
  }
}
