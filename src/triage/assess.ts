/**
 * Assessing one incident in SOAR: reads what the score needs (the incident, its artifacts, the
 * names of its handles), computes the score (score.ts) and writes it with its
 * explanation into the incident fields `clearing_priority_score` and
 * `clearing_priority_explanation` (only when they change).
 */
import { INCIDENT_FIELD } from '../../customize/fields.js';
import type { SoarClient } from '../soar/client.js';
import type { Incident } from '../soar/dto.js';
import { fieldTexts, type IncidentFacts, matchAssets } from './assets.js';
import type { TriageConfig } from '../config/triage.js';
import { assessPriority, consequenceOf, explain, type PriorityAssessment } from './score.js';


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

/** Texts of a field in both of SOAR's handle formats: names first, then ids (config may name either). */
function bothFormats(facts: IncidentFacts, path: string): string[] {
  return [...new Set([...(facts.named ? fieldTexts(facts.named, path) : []), ...fieldTexts(facts.incident, path)])];
}

/**
 * Reads the incident twice: with ids (the body a write starts from) and with
 * `handle_format=names` (SOAR answers select values, incident types, owners as ids otherwise;
 * the config names them as users read them).
 */
export async function assessIncident(config: TriageConfig, soar: SoarClient, incidentId: number, signal?: AbortSignal): Promise<IncidentAssessment> {
  const opts = signal ? { signal } : {};
  const [incident, named, artifacts] = await Promise.all([
    soar.getIncident(incidentId, opts),
    soar.getIncident(incidentId, { ...opts, query: { handle_format: 'names' } }),
    artifactsOf(soar, incidentId, signal),
  ]);
  const facts: IncidentFacts = { incident, named, artifacts };
  const rule = config.consequence.rule_field === null ? null : bothFormats(facts, config.consequence.rule_field)[0] ?? null;
  const consequence = consequenceOf(config, bothFormats(facts, 'incident_type_ids'), rule);
  const assessment = assessPriority(config, matchAssets(config.assets, facts), consequence);
  return { incident, facts, assessment, explanation: explain(config, assessment) };
}

/** Writes score and explanation, starting from the incident as read; answers it as written, or null when unchanged. */
export async function writeAssessment(soar: SoarClient, read: Incident, score: number, explanation: string, signal?: AbortSignal): Promise<Incident | null> {
  return soar.updateIncident(read.id, (incident) => {
    const props = incident.properties ?? {};
    if (props[INCIDENT_FIELD.priorityScore.name] === score && props[INCIDENT_FIELD.priorityExplanation.name] === explanation) return null;
    return { ...incident, properties: { ...props, [INCIDENT_FIELD.priorityScore.name]: score, [INCIDENT_FIELD.priorityExplanation.name]: explanation } };
  }, { signal, current: read });
}
