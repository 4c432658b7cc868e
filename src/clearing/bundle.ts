/**
 * Reads what of an incident may leave its brand: the incident and, only for the kinds the
 * whitelist includes, its notes, artifacts and tasks; then applies the whitelist. Nothing that
 * the whitelist would drop is even fetched when a whole kind is excluded.
 */
import type { SoarClient } from '../soar/client.js';
import type { IncidentBundle } from './whitelist.js';
import { applyWhitelist, type FilterResult, type Whitelist } from './whitelist.js';

export async function readIncidentBundle(soar: SoarClient, incidentId: number, wl: Whitelist, signal?: AbortSignal): Promise<IncidentBundle> {
  const opts = signal ? { signal } : {};
  const named = { ...opts, query: { handle_format: 'names' } };
  const [incident, notes, artifacts, tasks] = await Promise.all([
    soar.getIncident(incidentId, named),
    wl.notes.include ? soar.listNotes(incidentId, opts) : Promise.resolve(undefined),
    wl.artifacts.include ? soar.listArtifacts(incidentId, named) : Promise.resolve(undefined),
    wl.tasks.include ? soar.listIncidentTasks(incidentId, opts) : Promise.resolve(undefined),
  ]);
  return {
    incident,
    ...(notes ? { notes } : {}),
    ...(artifacts ? { artifacts } : {}),
    ...(tasks ? { tasks } : {}),
  };
}

/** The whitelisted view of an incident, as it may be sent to another brand. */
export async function readFilteredIncident(soar: SoarClient, incidentId: number, wl: Whitelist, signal?: AbortSignal): Promise<FilterResult> {
  return applyWhitelist(await readIncidentBundle(soar, incidentId, wl, signal), wl);
}
