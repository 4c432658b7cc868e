/**
 * Distribution thresholds, the pure part: the three trigger modes (first, subsequent, every) on
 * score thresholds crossed again and again, and on shared-artifact groups growing in a time
 * window; the state round trip through the incident field's JSON; receiver states.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ThresholdRule, TriggerMode } from '../../src/config/triage.js';
import { receiverState } from '../../src/triage/lifecycle.js';
import {
  formatThresholdState,
  parseThresholdState,
  recordValueCrossing,
  type RuleState,
  scoreStep,
  sharedArtifactCrossings,
  shouldFire,
  type WindowIncident,
} from '../../src/triage/thresholds.js';
import type { Incident, Task } from '../../src/soar/dto.js';

const MODES: readonly TriggerMode[] = ['first', 'subsequent', 'every'];

/** Feeds scores one assessment at a time; answers the crossings that fired. */
function firedFor(mode: TriggerMode, scores: readonly number[], atLeast = 6): number[] {
  let state: RuleState | undefined;
  const fired: number[] = [];
  for (const score of scores) {
    const step = scoreStep(state, score, atLeast);
    // Through the field's JSON, as the state travels between assessments.
    state = parseThresholdState(formatThresholdState({ t: step.state }))['t'];
    if (step.crossing !== null && shouldFire(mode, step.crossing)) fired.push(step.crossing);
  }
  return fired;
}

describe('trigger modes on a score threshold', () => {
  // Crossings: 5 -> 6 (1st), stays 7 (no crossing), drops 4, 6 again (2nd), 3, 8 (3rd).
  const scores = [5, 6, 7, 4, 6, 3, 8];

  test('first: only the first crossing fires', () => {
    assert.deepEqual(firedFor('first', scores), [1]);
  });
  test('subsequent: every crossing but the first', () => {
    assert.deepEqual(firedFor('subsequent', scores), [2, 3]);
  });
  test('every: every crossing', () => {
    assert.deepEqual(firedFor('every', scores), [1, 2, 3]);
  });
  test('staying above is no new crossing; never reaching the level never fires', () => {
    for (const mode of MODES) {
      assert.deepEqual(firedFor(mode, [1, 2, 5, 5]), []);
      assert.deepEqual(firedFor(mode, [6, 6, 6]), mode === 'subsequent' ? [] : [1]);
    }
  });
  test('shouldFire table', () => {
    assert.deepEqual(MODES.map((m) => [0, 1, 2, 3].map((k) => shouldFire(m, k))), [
      [false, true, false, false],
      [false, false, true, true],
      [false, true, true, true],
    ]);
  });
});

describe('trigger modes on a shared-artifact threshold (3 incidents in 30 minutes)', () => {
  const MIN = 60_000;
  const rule = (mode: TriggerMode): ThresholdRule => ({
    name: 'shared-ip',
    when: { kind: 'shared_artifact', incidents: 3, within_ms: 30 * MIN, types: ['ip address'] },
    mode,
    distribute_to: ['soar3'],
  });
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const incident = (id: number, minute: number, value: string, type = 'IP Address'): WindowIncident => ({
    id, createdAt: t0 + minute * MIN, artifacts: [{ type, value }], state: {},
  });

  /** Adds incidents one by one, evaluating after each and recording handled crossings as triggers.ts does. */
  function run(mode: TriggerMode, arrivals: readonly WindowIncident[]): { crossing: number; fires: boolean; members: readonly number[] }[] {
    const seen: { -readonly [K in keyof WindowIncident]: WindowIncident[K] }[] = [];
    const out: { crossing: number; fires: boolean; members: readonly number[] }[] = [];
    for (const arrival of arrivals) {
      seen.push({ ...arrival });
      for (const c of sharedArtifactCrossings(rule(mode), seen, arrival.createdAt)) {
        const last = seen.find((s) => s.id === c.members[c.members.length - 1])!;
        last.state = recordValueCrossing(last.state, 'shared-ip', c.value, c.crossing);
        out.push({ crossing: c.crossing, fires: c.fires, members: c.members });
      }
    }
    return out;
  }

  const nine = Array.from({ length: 9 }, (_, i) => incident(i + 1, i, '203.0.113.7'));

  test('3rd, 6th and 9th incident are crossings 1, 2, 3; the mode decides which fire', () => {
    const first = run('first', nine);
    assert.deepEqual(first.map((c) => c.crossing), [1, 2, 3], 'each crossing is found once');
    assert.deepEqual(first[0]!.members, [1, 2, 3]);
    assert.deepEqual(first.map((c) => c.fires), [true, false, false]);
    assert.deepEqual(run('subsequent', nine).map((c) => c.fires), [false, true, true]);
    assert.deepEqual(run('every', nine).map((c) => c.fires), [true, true, true]);
  });

  test('only incidents inside the window count; other types and other values do not', () => {
    const spread = [incident(1, 0, '203.0.113.7'), incident(2, 20, '203.0.113.7'), incident(3, 40, '203.0.113.7'), incident(4, 45, '203.0.113.7')];
    // At minute 40 the first one is out of the window (2 left); at 45 there are 3: 2, 3, 4.
    assert.deepEqual(run('every', spread).map((c) => c.members), [[2, 3, 4]]);
    const mixed = [incident(1, 0, 'a.example', 'DNS Name'), incident(2, 1, 'a.example', 'DNS Name'), incident(3, 2, 'a.example', 'DNS Name'), incident(4, 3, '198.51.100.1'), incident(5, 4, '198.51.100.2')];
    assert.deepEqual(run('every', mixed), []);
  });

  test('a crossing recorded by any member is not found again', () => {
    const three: { -readonly [K in keyof WindowIncident]: WindowIncident[K] }[] = nine.slice(0, 3).map((i) => ({ ...i }));
    const now = three[2]!.createdAt;
    assert.equal(sharedArtifactCrossings(rule('every'), three, now).length, 1);
    three[1]!.state = { 'shared-ip': { values: { '203.0.113.7': 1 } } };
    assert.deepEqual(sharedArtifactCrossings(rule('every'), three, now), []);
  });
});

describe('threshold state field and receiver states', () => {
  test('unreadable state counts as none', () => {
    for (const v of [undefined, null, '', 'not json', '[1]', '{"t": 3}']) assert.deepEqual(parseThresholdState(v), {});
    assert.deepEqual(parseThresholdState('{"t":{"above":true,"crossings":2,"values":{"x":1,"y":"no"}}}'), { t: { above: true, crossings: 2, values: { x: 1 } } });
  });

  test('a copy is Resolved when closed, Acknowledged when its ack tasks are closed, else Pending', () => {
    const inc = (plan: string): Incident => ({ plan_status: plan } as unknown as Incident);
    const task = (name: string, status: 'O' | 'C'): Task => ({ name, status } as unknown as Task);
    const ack = 'Acknowledge received incident';
    assert.equal(receiverState(inc('A'), []), 'Pending');
    assert.equal(receiverState(inc('A'), [task(ack, 'O'), task('Other', 'C')]), 'Pending');
    assert.equal(receiverState(inc('A'), [task(ack, 'C'), task('Other', 'O')]), 'Acknowledged');
    assert.equal(receiverState(inc('C'), [task(ack, 'O')]), 'Resolved');
  });
});
