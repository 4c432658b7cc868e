/**
 * The status of a distribution row (the `status` column of `clearing_distribution`, values in
 * customize/datatable.ts, empty as null): which event moves a row from which status to which.
 * Every writer of the column asks here.
 *
 *   event                       from                                        to
 *   delivered (a new copy, or   any                                         Pending
 *     not the one the row names)
 *   delivered (the copy the     Pending, Acknowledged, Not Acknowledged,    kept
 *     row names, refreshed)       Resolved (a copy exists)
 *                               empty, Undelivered, Informational           Pending
 *   undelivered                 a copy exists and the row names it          kept (only the refresh failed)
 *                               otherwise                                   Undelivered
 *   overdue                     Pending                                     Not Acknowledged
 *                               any other                                   refused (IllegalTransitionError)
 *   reported X (receiving node) any                                         X (kept when already X)
 *   shared (read-only flag on)  empty, Informational                        Informational
 *                               a status of the distribute flow             kept (the share applies anyway)
 *   unshared (flag off)         Informational                               empty
 *                               any other                                   kept
 *
 * A report is taken from any status: the receiving node is the authority on its copy, and the
 * row it lands on names that copy. "Kept" means the status column is not written at all, so a
 * change made meanwhile (a report arriving during a refresh) is not overwritten on a retry.
 */
import type { DistributionStatus } from '../../customize/datatable.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { ReportedState } from './contracts/acknowledgements.js';

export type RowEvent =
  /** A delivery was answered; `sameCopy`: it updated the copy the row already names. */
  | { readonly kind: 'delivered'; readonly sameCopy: boolean }
  /** A delivery failed; `namesCopy`: the row names a copy (a remote incident id). */
  | { readonly kind: 'undelivered'; readonly namesCopy: boolean }
  /** The sweep found the row Pending for longer than `triage.ack_timeout_hours`. */
  | { readonly kind: 'overdue' }
  /** The receiving node reported the state of its copy. */
  | { readonly kind: 'reported'; readonly status: ReportedState }
  /** The share function found the row's `read_only` flag set, or cleared. */
  | { readonly kind: 'shared' }
  | { readonly kind: 'unshared' };

/** `set`: write this status (null empties the column); `keep`: leave the column as it is. */
export type Transition = { readonly kind: 'set'; readonly status: DistributionStatus | null } | { readonly kind: 'keep' };

export const OVERDUE: RowEvent = Object.freeze({ kind: 'overdue' });

/** The event does not apply to a row in that status. */
export class IllegalTransitionError extends ClearingError {
  constructor(readonly from: DistributionStatus | null, readonly event: RowEvent['kind']) {
    super(ErrorCode.IllegalTransition, `a distribution row ${from === null ? 'without status' : `in status ${from}`} cannot be ${event}`);
  }
}

/** Statuses of a row whose copy exists at the other brand. */
const COPY_EXISTS: ReadonlySet<DistributionStatus | null> = new Set<DistributionStatus>(['Pending', 'Acknowledged', 'Not Acknowledged', 'Resolved']);

const KEEP: Transition = Object.freeze({ kind: 'keep' });

function set(status: DistributionStatus | null): Transition {
  return { kind: 'set', status };
}

/** Whether a row in this status stands for a copy that exists at the other brand. */
export function copyExists(status: DistributionStatus | null): boolean {
  return COPY_EXISTS.has(status);
}

/** Whether the sweep sends a row in this status again. */
export function isRetried(status: DistributionStatus | null): boolean {
  return status === 'Undelivered';
}

/** Whether the event applies to a row in this status (else `transition` refuses it). */
export function allows(from: DistributionStatus | null, event: RowEvent): boolean {
  return event.kind !== 'overdue' || from === 'Pending';
}

/** Whether the sweep has something to do with a row in this status: it may become overdue, or is retried. */
export function isWatched(status: DistributionStatus | null): boolean {
  return allows(status, OVERDUE) || isRetried(status);
}

/** The transition as the status part of a row update: none when the status is kept. */
export function statusUpdate(t: Transition): { readonly status?: DistributionStatus | null } {
  return t.kind === 'set' ? { status: t.status } : {};
}

/** The row's status after `event`; IllegalTransitionError for an event that does not apply to `from`. */
export function transition(from: DistributionStatus | null, event: RowEvent): Transition {
  if (!allows(from, event)) throw new IllegalTransitionError(from, event.kind);
  switch (event.kind) {
    case 'delivered':
      return event.sameCopy && copyExists(from) ? KEEP : set('Pending');
    case 'undelivered':
      return event.namesCopy && copyExists(from) ? KEEP : set('Undelivered');
    case 'overdue':
      return set('Not Acknowledged');
    case 'reported':
      return from === event.status ? KEEP : set(event.status);
    case 'shared':
      return from === null || from === 'Informational' ? set('Informational') : KEEP;
    case 'unshared':
      return from === 'Informational' ? set(null) : KEEP;
  }
}
