/**
 * Reads what of an incident may leave its brand: the incident and, only for the kinds the
 * whitelist includes, its notes, artifacts, tasks and attachments (their bytes only when content
 * may leave); then applies the whitelist. Nothing of a kind the whitelist excludes is fetched.
 */
import type { SoarClient } from '../soar/client.js';
import type { Incident } from '../soar/dto.js';
import type { DroppedCounts, WireBundle } from './contracts/wire-bundle.js';
import { type BundleAttachment, type DroppedSummary, type FilterResult, type IncidentBundle, applyWhitelist } from './whitelist.js';
import type { Whitelist } from '../config/whitelist.js';

function droppedCounts(d: DroppedSummary): DroppedCounts {
  return {
    incident_fields: d.incidentFields.length,
    properties: d.properties.length,
    notes: d.notes,
    artifacts: d.artifacts,
    attachments: d.attachments,
    tasks: d.tasks,
    truncated_values: d.truncatedValues,
    untyped_values: d.untypedValues,
  };
}

export function toWire(filtered: FilterResult): WireBundle {
  const { incident, notes, artifacts, attachments, tasks } = filtered;
  return { incident, notes, artifacts, attachments, tasks, dropped: droppedCounts(filtered.dropped) };
}

/**
 * The incident and what the whitelist includes of its notes, artifacts, tasks and attachments.
 * `read`: the incident as the caller already read it with `handle_format=names` (not read again).
 */
export async function readIncidentBundle(soar: SoarClient, incidentId: number, wl: Whitelist, signal?: AbortSignal, read?: Incident): Promise<IncidentBundle> {
  const opts = signal ? { signal } : {};
  const named = { ...opts, query: { handle_format: 'names' } };
  const [incident, notes, artifacts, tasks, attachments] = await Promise.all([
    read ?? soar.getIncident(incidentId, named),
    wl.notes.include ? soar.listNotes(incidentId, opts) : Promise.resolve(undefined),
    wl.artifacts.include ? soar.listArtifacts(incidentId, named) : Promise.resolve(undefined),
    wl.tasks.include ? soar.listIncidentTasks(incidentId, named) : Promise.resolve(undefined),
    wl.attachments.include ? readAttachments(soar, incidentId, wl, signal) : Promise.resolve(undefined),
  ]);
  return {
    incident,
    ...(notes ? { notes } : {}),
    ...(artifacts ? { artifacts } : {}),
    ...(tasks ? { tasks } : {}),
    ...(attachments ? { attachments } : {}),
  };
}

/**
 * Attachment descriptions, with their bytes (base64 `content`) only when the whitelist lets
 * content leave; bytes are fetched only for the files that can pass (count and size limits).
 */
async function readAttachments(soar: SoarClient, incidentId: number, wl: Whitelist, signal?: AbortSignal): Promise<BundleAttachment[]> {
  const opts = signal ? { signal } : {};
  const list = await soar.listAttachments(incidentId, opts);
  if (!wl.attachments.fields.includes('content')) return list;
  const out: BundleAttachment[] = [];
  let fetched = 0;
  for (const a of list) {
    if (fetched < wl.attachments.max_count && a.size <= wl.attachments.max_bytes) {
      fetched += 1;
      out.push({ ...a, content: (await soar.getAttachmentContent(incidentId, a.id, opts)).toString('base64') });
    } else {
      out.push(a);
    }
  }
  return out;
}

/** The whitelisted view of an incident, as it may be sent to another brand (`read`: see readIncidentBundle). */
export async function readFilteredIncident(soar: SoarClient, incidentId: number, wl: Whitelist, signal?: AbortSignal, read?: Incident): Promise<FilterResult> {
  return applyWhitelist(await readIncidentBundle(soar, incidentId, wl, signal, read), wl);
}
