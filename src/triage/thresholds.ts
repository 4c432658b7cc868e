/**
 * Distribution thresholds (`triage.thresholds`), the pure part: when a threshold is crossed and
 * whether a crossing fires. triggers.ts reads SOAR, applies this and distributes.
 *
 * A threshold is crossed:
 * - `score_at_least: S`: when an assessment finds the score at or above S after it was below
 *   (or never assessed). Falling below and rising again is the next crossing.
 * - `shared_artifact: {incidents: N, within_minutes: W, types}`: when N incidents created within
 *   the last W minutes carry the same artifact value (of one of `types`, any type when empty):
 *   N incidents are crossing 1, 2N crossing 2, and so on (every N more matching incidents).
 *
 * Trigger modes (as in SIEM rule actions), for crossing k = 1, 2, 3, ...:
 *   first       fires on k = 1 only
 *   subsequent  fires on every k >= 2 (not on the first)
 *   every       fires on every k
 *
 * State lives in SOAR, in the incident field `clearing_threshold_state` (JSON):
 * `{"<threshold>": {"above": true, "crossings": 2}}` for a score threshold on the incident
 * assessed, `{"<threshold>": {"values": {"203.0.113.7": 1}}}` for a shared-artifact threshold on
 * the newest incident of the group that crossed (the group's crossing k is handled once any
 * member records k or more for that value).
 */
import { isRecord } from '../core/json.js';
import type { JsonValue } from '../core/types.js';
import type { ThresholdRule, TriggerMode } from '../config/triage.js';


export interface RuleState {
  above?: boolean;
  crossings?: number;
  values?: Record<string, number>;
}
export type ThresholdState = Record<string, RuleState>;

export function shouldFire(mode: TriggerMode, crossing: number): boolean {
  if (crossing < 1) return false;
  if (mode === 'first') return crossing === 1;
  if (mode === 'subsequent') return crossing >= 2;
  return true;
}

/** The field's JSON; anything unreadable counts as no state (never an error: it is the node's own field). */
export function parseThresholdState(value: JsonValue | undefined): ThresholdState {
  if (typeof value !== 'string' || value.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (!isRecord(parsed)) return {};
    const out: ThresholdState = {};
    for (const [name, s] of Object.entries(parsed)) {
      if (!isRecord(s)) continue;
      const rule: RuleState = {};
      if (typeof s['above'] === 'boolean') rule.above = s['above'];
      if (typeof s['crossings'] === 'number') rule.crossings = s['crossings'];
      if (isRecord(s['values'])) {
        rule.values = Object.fromEntries(Object.entries(s['values']).filter((e): e is [string, number] => typeof e[1] === 'number'));
      }
      out[name] = rule;
    }
    return out;
  } catch {
    return {};
  }
}

export function formatThresholdState(state: ThresholdState): string {
  return JSON.stringify(state);
}

/** A score threshold after one assessment: the new rule state and the crossing it made (or null). */
export function scoreStep(prev: RuleState | undefined, score: number, atLeast: number): { state: RuleState; crossing: number | null } {
  const above = score >= atLeast;
  const crossings = prev?.crossings ?? 0;
  if (above && prev?.above !== true) return { state: { above: true, crossings: crossings + 1 }, crossing: crossings + 1 };
  return { state: { above, crossings }, crossing: null };
}

/** The state with crossing `crossing` of shared value `value` recorded as handled for threshold `rule`. */
export function recordValueCrossing(state: ThresholdState, rule: string, value: string, crossing: number): ThresholdState {
  return { ...state, [rule]: { ...state[rule], values: { ...state[rule]?.values, [value]: crossing } } };
}

/** One incident as the shared-artifact threshold sees it. */
export interface WindowIncident {
  readonly id: number;
  readonly createdAt: number;
  readonly artifacts: readonly { readonly type: string; readonly value: string }[];
  readonly state: ThresholdState;
}

/** A new crossing of a shared-artifact threshold. */
export interface GroupCrossing {
  readonly value: string;
  /** The incidents of the group, oldest first; the last one records the crossing. */
  readonly members: readonly number[];
  readonly crossing: number;
  readonly fires: boolean;
}

/** The new crossings of one shared-artifact threshold among `incidents`, at time `now`. */
export function sharedArtifactCrossings(rule: ThresholdRule, incidents: readonly WindowIncident[], now: number): GroupCrossing[] {
  if (rule.when.kind !== 'shared_artifact') return [];
  const { incidents: n, within_ms: withinMs, types } = rule.when;
  const groups = new Map<string, WindowIncident[]>();
  const inWindow = incidents
    .filter((i) => i.createdAt > now - withinMs && i.createdAt <= now)
    .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  for (const incident of inWindow) {
    const values = new Set(incident.artifacts.filter((a) => types.length === 0 || types.includes(a.type.toLowerCase())).map((a) => a.value));
    for (const value of values) groups.set(value, [...(groups.get(value) ?? []), incident]);
  }
  const out: GroupCrossing[] = [];
  for (const [value, members] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const crossing = Math.floor(members.length / n);
    const handled = Math.max(0, ...members.map((m) => m.state[rule.name]?.values?.[value] ?? 0));
    if (crossing < 1 || crossing <= handled) continue;
    out.push({ value, members: members.map((m) => m.id), crossing, fires: shouldFire(rule.mode, crossing) });
  }
  return out;
}
