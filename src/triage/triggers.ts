/**
 * Distribution thresholds against SOAR: reads and keeps the trigger state in the incident field
 * `clearing_threshold_state`, and distributes when a crossing fires (thresholds.ts says when).
 * The state is written before distributing, so a crossing never fires twice, also with two
 * nodes per region: only the node whose write recorded the crossing fires it (writeState). A
 * copy that could not be delivered is left Undelivered in its row, which the sweep retries.
 */
import { INCIDENT_FIELD } from '../../customize/fields.js';
import { escapeText } from '../core/escape-html.js';
import type { Incident } from '../soar/dto.js';
import type { BrandContext } from './context.js';
import { type NodeDistribution, distributeOnBehalf } from './distribute.js';
import type { ThresholdRule, TriageConfig } from '../config/triage.js';
import { artifactsOf } from './assess.js';
import {
  formatThresholdState,
  parseThresholdState,
  recordValueCrossing,
  scoreStep,
  sharedArtifactCrossings,
  shouldFire,
  type ThresholdState,
  type WindowIncident,
} from './thresholds.js';

export interface ThresholdOutcome {
  threshold: string;
  crossing: number;
  fired: boolean;
  /** The shared artifact value, or null for a score threshold. */
  value: string | null;
  incidents: number[];
  distributions: NodeDistribution[];
  [key: string]: string | number | boolean | null | number[] | NodeDistribution[];
}

/** Most incidents read for a shared-artifact window (newest first beyond it are ignored). */
const WINDOW_LIMIT = 1000;

function describe(rule: ThresholdRule): string {
  return rule.when.kind === 'score'
    ? `score at least ${rule.when.at_least}`
    : `${rule.when.incidents} incidents within ${rule.when.within_ms / 60_000} minutes sharing an artifact value`;
}

/**
 * `read`: the incident as a GET answered it, if still current (saves the first GET). Answers
 * whether this call changed the state: the write is the claim on a crossing. It carries the
 * incident's `vers`, so when the region's other node recorded the same crossing first, SOAR
 * answers 409, the change is applied again to the fresh state, finds nothing to change, and
 * this node does not fire.
 */
async function writeState(ctx: BrandContext, incidentId: number, change: (state: ThresholdState) => ThresholdState, read?: Incident): Promise<boolean> {
  const written = await ctx.soar.updateIncident(incidentId, (incident) => {
    const props = incident.properties ?? {};
    const before = formatThresholdState(parseThresholdState(props[INCIDENT_FIELD.thresholdState.name]));
    const after = formatThresholdState(change(parseThresholdState(props[INCIDENT_FIELD.thresholdState.name])));
    return before === after ? null : { ...incident, properties: { ...props, [INCIDENT_FIELD.thresholdState.name]: after } };
  }, { signal: ctx.signal, current: read });
  return written !== null;
}

/** Distributes the incidents to the rule's brands and notes it on `noteOn`. */
async function fire(ctx: BrandContext, rule: ThresholdRule, crossing: number, incidents: readonly number[], noteOn: number, value: string | null): Promise<NodeDistribution[]> {
  const done: NodeDistribution[] = [];
  for (const id of incidents) {
    for (const brand of rule.distribute_to) {
      if (brand === ctx.brand) continue;
      done.push({ ...(await distributeOnBehalf(ctx, id, brand)), incident_id: id });
    }
  }
  const what = value === null ? '' : ` for artifact value ${escapeText(value)} (incidents ${incidents.join(', ')})`;
  const outcomes = done.map((d) => `${d.brand}: ${d.outcome}${d.reason ? ` (${escapeText(d.reason)})` : ''}`).join('; ');
  await ctx.soar.addNote(noteOn, `<p>Clearing threshold <b>${rule.name}</b> (${describe(rule)}, mode ${rule.mode}) crossed, crossing ${crossing}${what}: distributed. ${outcomes}</p>`, { signal: ctx.signal });
  ctx.log.info('distribution threshold fired', { threshold: rule.name, crossing, incidents, value });
  return done;
}

/** Score thresholds after an assessment of `incidentId` that found `score` (`read`: the incident as a GET answered it, if still current). */
export async function applyScoreThresholds(ctx: BrandContext, config: TriageConfig, incidentId: number, score: number, read?: Incident): Promise<ThresholdOutcome[]> {
  const rules = config.thresholds.filter((t) => t.when.kind === 'score');
  if (rules.length === 0) return [];
  const crossings: { rule: ThresholdRule; crossing: number }[] = [];
  await writeState(ctx, incidentId, (state) => {
    crossings.length = 0; // the apply may run again after a conflict
    const next = { ...state };
    for (const rule of rules) {
      if (rule.when.kind !== 'score') continue;
      const step = scoreStep(state[rule.name], score, rule.when.at_least);
      next[rule.name] = { ...state[rule.name], ...step.state };
      if (step.crossing !== null) crossings.push({ rule, crossing: step.crossing });
    }
    return next;
  }, read);
  const out: ThresholdOutcome[] = [];
  for (const { rule, crossing } of crossings) {
    const fired = shouldFire(rule.mode, crossing);
    const distributions = fired ? await fire(ctx, rule, crossing, [incidentId], incidentId, null) : [];
    out.push({ threshold: rule.name, crossing, fired, value: null, incidents: [incidentId], distributions });
  }
  return out;
}

/** Shared-artifact thresholds among the brand's incidents created in the longest window before `now`. */
export async function applySharedArtifactThresholds(ctx: BrandContext, config: TriageConfig, now: number): Promise<ThresholdOutcome[]> {
  const rules = config.thresholds.filter((t) => t.when.kind === 'shared_artifact');
  if (rules.length === 0) return [];
  const longest = Math.max(...rules.map((r) => (r.when.kind === 'shared_artifact' ? r.when.within_ms : 0)));
  const page = await ctx.soar.queryIncidentsPaged({
    filters: [{ conditions: [{ field_name: 'create_date', method: 'gte', value: now - longest }] }],
    sorts: [{ field_name: 'create_date', type: 'desc' }],
    start: 0,
    length: WINDOW_LIMIT,
  }, { signal: ctx.signal });
  const window: WindowIncident[] = [];
  for (const incident of page.data) {
    window.push({
      id: incident.id,
      createdAt: typeof incident.create_date === 'number' ? incident.create_date : 0,
      artifacts: await artifactsOf(ctx.soar, incident.id, ctx.signal),
      state: parseThresholdState(incident.properties?.[INCIDENT_FIELD.thresholdState.name]),
    });
  }
  const out: ThresholdOutcome[] = [];
  for (const rule of rules) {
    for (const group of sharedArtifactCrossings(rule, window, now)) {
      const last = group.members[group.members.length - 1]!;
      const record = (state: ThresholdState): ThresholdState => recordValueCrossing(state, rule.name, group.value, group.crossing);
      const claimed = await writeState(ctx, last, record);
      // Later rules and crossings see it as handled.
      const member = window.find((w) => w.id === last)!;
      Object.assign(member, { state: record(member.state) });
      if (!claimed) continue; // recorded by the region's other node meanwhile: it fires
      const distributions = group.fires ? await fire(ctx, rule, group.crossing, group.members, last, group.value) : [];
      out.push({ threshold: rule.name, crossing: group.crossing, fired: group.fires, value: group.value, incidents: [...group.members], distributions });
    }
  }
  return out;
}
