/**
 * Assessing one incident in SOAR: reads what the score needs (the incident, its artifacts, the
 * names of its incident types), computes the score (score.ts) and writes it with its
 * explanation into the incident fields `clearing_priority_score` and
 * `clearing_priority_explanation` (only when they change).
 */
import { isRecord } from '../json.js';
import type { SoarClient } from '../soar/client.js';
import type { Incident } from '../soar/dto.js';
import type { JsonValue } from '../types.js';
import { fieldTexts, type IncidentFacts, matchAssets } from './assets.js';
import type { TriageConfig } from './config.js';
import { assessPriority, consequenceOf, explain, type PriorityAssessment } from './score.js';

export const SCORE_FIELD = 'clearing_priority_score';
export const EXPLANATION_FIELD = 'clearing_priority_explanation';

export interface IncidentAssessment {
  readonly incident: Incident;
  readonly facts: IncidentFacts;
  readonly assessment: PriorityAssessment;
  readonly explanation: string;
}

/** The artifacts of an incident as type name and value. */
export async function artifactsOf(soar: SoarClient, incidentId: number, signal?: AbortSignal): Promise<{ type: string; value: string }[]> {
  const list = await soar.listArtifacts(incidentId, { query: { handle_format: 'names' }, ...(signal ? { signal } : {}) });
  return list
    .filter((a) => typeof a.value === 'string' && a.value !== '')
    .map((a) => ({ type: typeof a.type === 'string' ? a.type : String(a.type ?? ''), value: a.value as string }));
}

/** The incident's type names (and ids, so that config may name either), from the field's values. */
async function typeNames(soar: SoarClient, incident: Incident, signal?: AbortSignal): Promise<string[]> {
  const ids = fieldTexts(incident, 'incident_type_ids');
  if (ids.length === 0) return [];
  const raw = await soar.get<JsonValue>('/types/incident/fields', signal ? { signal } : {});
  const fields = Array.isArray(raw) ? raw : [];
  const field = fields.find((f) => isRecord(f) && f['name'] === 'incident_type_ids');
  const values = isRecord(field) && Array.isArray(field['values']) ? field['values'] : [];
  const labels = new Map<string, string>();
  for (const v of values) {
    if (isRecord(v) && typeof v['label'] === 'string') labels.set(String(v['value']), v['label']);
  }
  return ids.flatMap((id) => (labels.has(id) ? [labels.get(id)!, id] : [id]));
}

export async function assessIncident(config: TriageConfig, soar: SoarClient, incidentId: number, signal?: AbortSignal): Promise<IncidentAssessment> {
  const opts = signal ? { signal } : {};
  const incident = await soar.getIncident(incidentId, opts);
  const facts: IncidentFacts = { incident, artifacts: await artifactsOf(soar, incidentId, signal) };
  const rule = config.consequence.ruleField === null ? null : fieldTexts(incident, config.consequence.ruleField)[0] ?? null;
  const consequence = consequenceOf(config, await typeNames(soar, incident, signal), rule);
  const assessment = assessPriority(config, matchAssets(config.assets, facts), consequence);
  return { incident, facts, assessment, explanation: explain(config, assessment) };
}

/** Writes score and explanation, starting from the incident as read; answers it as written, or null when unchanged. */
export async function writeAssessment(soar: SoarClient, read: Incident, score: number, explanation: string, signal?: AbortSignal): Promise<Incident | null> {
  return soar.updateIncident(read.id, (incident) => {
    const props = incident.properties ?? {};
    if (props[SCORE_FIELD] === score && props[EXPLANATION_FIELD] === explanation) return null;
    return { ...incident, properties: { ...props, [SCORE_FIELD]: score, [EXPLANATION_FIELD]: explanation } };
  }, { signal, current: read });
}
