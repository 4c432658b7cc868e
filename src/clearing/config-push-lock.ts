/**
 * One configuration push at a time on the primary: a lock file created exclusively, holding
 * the running push (id, reason, start, process). It is a file because a push may start in the
 * running node (function, schedule) or in a `soar-clearing config push` process beside it; both
 * read the same config file and so find the same lock. A lock left by a process that is gone is
 * taken over.
 */
import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { processAlive } from '../core/process-alive.js';

export interface PushHolder {
  readonly push_id: string;
  readonly reason: string;
  readonly started_at: string;
  readonly pid: number;
}

/** Lock files this process holds (a same-pid file not listed here is a leftover). */
const held = new Set<string>();

/** The lock file of a node: per node id and config file, in the system's temp directory. */
export function pushLockPath(config: AppConfig): string {
  const hash = createHash('sha256').update(config.source).digest('hex').slice(0, 12);
  return join(tmpdir(), `soar-clearing-config-push-${config.node.id}-${hash}.lock`);
}

function readHolder(path: string): PushHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as PushHolder;
    return typeof h.push_id === 'string' && typeof h.pid === 'number' ? h : null;
  } catch {
    return null;
  }
}

export function busyError(holder: PushHolder, where: string): ClearingError {
  return new ClearingError(
    ErrorCode.ConfigPushBusy,
    `another configuration push is running on ${where}: ${holder.push_id} ("${holder.reason}"), started ${holder.started_at}; try again when it has finished`,
    { httpStatus: 409, retryable: true },
  );
}

/** Takes the lock for `holder` or throws ConfigPushBusy; returns the release function. */
export function acquirePushLock(path: string, holder: PushHolder, where: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
      held.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(path);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const other = readHolder(path);
      const stale = other === null || (other.pid === process.pid ? !held.has(path) : !processAlive(other.pid));
      if (!stale) throw busyError(other, where);
      try {
        unlinkSync(path);
      } catch {
        // taken over by someone else meanwhile: the next attempt says so
      }
    }
  }
  const other = readHolder(path);
  throw other ? busyError(other, where) : new ClearingError(ErrorCode.ConfigPushBusy, `cannot take the push lock ${path}`, { httpStatus: 409 });
}
