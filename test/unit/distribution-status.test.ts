/**
 * The distribution row's status transitions (src/clearing/distribution-status.ts): every event
 * from every status, written out as a table, so that a change to the rules shows here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DISTRIBUTION_STATUSES, type DistributionStatus } from '../../customize/datatable.js';
import {
  allows,
  copyExists,
  IllegalTransitionError,
  isRetried,
  isWatched,
  type RowEvent,
  statusUpdate,
  transition,
} from '../../src/clearing/distribution-status.js';
import { ClearingError } from '../../src/core/errors.js';

type From = DistributionStatus | null;
/** `keep`, the status set (`empty` for null), or `refused`. */
type Expected = 'keep' | 'refused' | 'empty' | DistributionStatus;

const FROM: readonly From[] = [null, ...DISTRIBUTION_STATUSES];

const EVENTS: Record<string, RowEvent> = {
  'delivered (new copy)': { kind: 'delivered', sameCopy: false },
  'delivered (same copy)': { kind: 'delivered', sameCopy: true },
  'undelivered (no copy named)': { kind: 'undelivered', namesCopy: false },
  'undelivered (copy named)': { kind: 'undelivered', namesCopy: true },
  overdue: { kind: 'overdue' },
  'reported Pending': { kind: 'reported', status: 'Pending' },
  'reported Acknowledged': { kind: 'reported', status: 'Acknowledged' },
  'reported Resolved': { kind: 'reported', status: 'Resolved' },
  shared: { kind: 'shared' },
  unshared: { kind: 'unshared' },
};

/** Columns in the order of FROM: empty, Pending, Undelivered, Acknowledged, Not Acknowledged, Resolved, Informational. */
const TABLE: Record<keyof typeof EVENTS, readonly Expected[]> = {
  'delivered (new copy)': ['Pending', 'Pending', 'Pending', 'Pending', 'Pending', 'Pending', 'Pending'],
  'delivered (same copy)': ['Pending', 'keep', 'Pending', 'keep', 'keep', 'keep', 'Pending'],
  'undelivered (no copy named)': ['Undelivered', 'Undelivered', 'Undelivered', 'Undelivered', 'Undelivered', 'Undelivered', 'Undelivered'],
  'undelivered (copy named)': ['Undelivered', 'keep', 'Undelivered', 'keep', 'keep', 'keep', 'Undelivered'],
  overdue: ['refused', 'Not Acknowledged', 'refused', 'refused', 'refused', 'refused', 'refused'],
  'reported Pending': ['Pending', 'keep', 'Pending', 'Pending', 'Pending', 'Pending', 'Pending'],
  'reported Acknowledged': ['Acknowledged', 'Acknowledged', 'Acknowledged', 'keep', 'Acknowledged', 'Acknowledged', 'Acknowledged'],
  'reported Resolved': ['Resolved', 'Resolved', 'Resolved', 'Resolved', 'Resolved', 'keep', 'Resolved'],
  shared: ['Informational', 'keep', 'keep', 'keep', 'keep', 'keep', 'Informational'],
  unshared: ['keep', 'keep', 'keep', 'keep', 'keep', 'keep', 'empty'],
};

function outcome(from: From, event: RowEvent): Expected {
  try {
    const t = transition(from, event);
    return t.kind === 'keep' ? 'keep' : t.status ?? 'empty';
  } catch (err) {
    assert.ok(err instanceof IllegalTransitionError && err instanceof ClearingError, String(err));
    assert.equal(err.code, 'illegal_transition');
    assert.equal(err.from, from);
    assert.equal(err.event, event.kind);
    return 'refused';
  }
}

describe('distribution row status transitions', () => {
  test('the statuses of the datatable, in its order', () => {
    assert.deepEqual(DISTRIBUTION_STATUSES, ['Pending', 'Undelivered', 'Acknowledged', 'Not Acknowledged', 'Resolved', 'Informational']);
  });

  for (const [name, event] of Object.entries(EVENTS)) {
    test(`${name} from every status`, () => {
      assert.deepEqual(FROM.map((from) => outcome(from, event)), TABLE[name]);
      assert.deepEqual(FROM.map((from) => allows(from, event)), TABLE[name]!.map((e) => e !== 'refused'));
    });
  }

  test('a refused transition names the status and the event', () => {
    assert.throws(() => transition('Acknowledged', { kind: 'overdue' }), /a distribution row in status Acknowledged cannot be overdue/);
    assert.throws(() => transition(null, { kind: 'overdue' }), /a distribution row without status cannot be overdue/);
  });

  test('a kept status is left out of the row update; a set one is written, empty as null', () => {
    assert.deepEqual(statusUpdate(transition('Pending', { kind: 'delivered', sameCopy: true })), {});
    assert.deepEqual(statusUpdate(transition('Undelivered', { kind: 'delivered', sameCopy: true })), { status: 'Pending' });
    assert.deepEqual(statusUpdate(transition('Informational', { kind: 'unshared' })), { status: null });
  });

  test('the sweep watches Pending (may become overdue) and Undelivered (retried) rows only', () => {
    assert.deepEqual(FROM.filter(isWatched), ['Pending', 'Undelivered']);
    assert.deepEqual(FROM.filter(isRetried), ['Undelivered']);
    assert.deepEqual(FROM.filter(copyExists), ['Pending', 'Acknowledged', 'Not Acknowledged', 'Resolved']);
  });
});
