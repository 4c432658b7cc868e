/**
 * `worker.exit_after_broker_down_s`: for a supervisor that restarts the process (systemd,
 * a container runtime), tell the node to give up once a brand's worker has been without its
 * broker that long, instead of retrying for ever. resilient-circuits does the same with its
 * `heartbeat_timeout_threshold` (it exits with code 34 once that long has passed since the
 * first STOMP heart-beat timeout of a run of them).
 *
 * The watchdog looks at each worker's state once a second: connecting or reconnecting counts
 * as down, from the first look that saw it so; running resets the count.
 */

import { WorkerState } from '../worker/worker.js';

const CHECK_EVERY_MS = 1000;

/** What the watchdog looks at: a brand's worker state (null: no worker yet, not counted). */
export type WorkerStates = () => readonly { readonly brand: string; readonly workerState: string | null }[];

const DOWN_STATES: ReadonlySet<string> = new Set([WorkerState.Connecting, WorkerState.Reconnecting]);

export class BrokerWatchdog {
  private readonly downSince = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private fired = false;

  constructor(
    private readonly states: WorkerStates,
    private readonly limitMs: number,
    private readonly onDown: (brand: string, downMs: number) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.check(), Math.min(CHECK_EVERY_MS, limitMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.fired) return;
    const now = this.now();
    for (const { brand, workerState } of this.states()) {
      if (workerState === null || !DOWN_STATES.has(workerState)) {
        this.downSince.delete(brand);
        continue;
      }
      const since = this.downSince.get(brand) ?? now;
      this.downSince.set(brand, since);
      if (now - since >= this.limitMs) {
        this.fired = true;
        this.stop();
        this.onDown(brand, now - since);
        return;
      }
    }
  }
}
