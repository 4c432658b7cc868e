/**
 * A component's lifecycle state: the states, the transitions allowed out of each, and one info
 * line per transition (from, to, why). A transition the table does not list throws
 * IllegalStateError: the caller asked for something out of order, which is a bug, not a fault
 * to retry. The owner decides what its own repeated calls mean (see ClearingNode, BrandWorker).
 */
import { IllegalStateError } from './errors.js';
import type { Logger } from './types.js';

/** For each state, the states it may move to. */
export type Transitions<S extends string> = { readonly [K in S]: readonly S[] };

export class Lifecycle<S extends string> {
  private current: S;

  constructor(
    /** Names the component in log lines and errors ("node", "worker"). */
    private readonly component: string,
    initial: S,
    private readonly transitions: Transitions<S>,
    private readonly log: Logger,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  is(...states: readonly S[]): boolean {
    return states.includes(this.current);
  }

  /** Moves to `to`, logging why; `meta` joins the line (e.g. counters at the end of a run). */
  transition(to: S, reason: string, meta: Readonly<Record<string, unknown>> = {}): void {
    const from = this.current;
    if (!this.transitions[from].includes(to)) throw new IllegalStateError(this.component, from, to);
    this.current = to;
    this.log.info(`${this.component} ${from} -> ${to}: ${reason}`, { ...meta, state: to });
  }
}
