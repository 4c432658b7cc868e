/**
 * Reads what of an incident may leave its brand: the incident and, only for the kinds the
 * whitelist includes, its notes, artifacts and tasks; then applies the whitelist. Nothing that
 * the whitelist would drop is even fetched when a whole kind is excluded.
 */
import type { SoarClient } from '../soar/client.js';
import type { JsonObject } from '../core/types.js';
import { type BundleAttachment, type DroppedSummary, type FilterResult, type IncidentBundle, applyWhitelist } from './whitelist.js';
import { MAX_TOTAL_BYTES_LIMIT, type Whitelist } from '../config/whitelist.js';

/**
 * Largest filtered incident on the wire (a delivered copy, a shared incident's answer): the
 * largest `max_total_bytes` plus room for the origin, the counts and the JSON framing, so that
 * whatever a whitelist lets leave can be both distributed and viewed.
 */
export const WIRE_BUNDLE_MAX_BYTES = MAX_TOTAL_BYTES_LIMIT + 8 * 1024 * 1024;

/** What the whitelist left out, as counts only (names of unlisted fields do not leave either). */
export interface DroppedCounts {
  readonly incident_fields: number;
  readonly properties: number;
  readonly notes: number;
  readonly artifacts: number;
  readonly attachments: number;
  readonly tasks: number;
  readonly truncated_values: number;
  /** Allowed fields whose value was of no SOAR field type; absent from older senders. */
  readonly untyped_values?: number;
}

/** A filtered incident as it crosses the network: everything allowed, and counts of the rest. */
export interface WireBundle {
  readonly incident: JsonObject;
  readonly notes: JsonObject[];
  readonly artifacts: JsonObject[];
  readonly attachments: JsonObject[];
  readonly tasks: JsonObject[];
  readonly dropped: DroppedCounts;
}

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

export async function readIncidentBundle(soar: SoarClient, incidentId: number, wl: Whitelist, signal?: AbortSignal): Promise<IncidentBundle> {
  const opts = signal ? { signal } : {};
  const named = { ...opts, query: { handle_format: 'names' } };
  const [incident, notes, artifacts, tasks, attachments] = await Promise.all([
    soar.getIncident(incidentId, named),
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

/** The whitelisted view of an incident, as it may be sent to another brand. */
export async function readFilteredIncident(soar: SoarClient, incidentId: number, wl: Whitelist, signal?: AbortSignal): Promise<FilterResult> {
  return applyWhitelist(await readIncidentBundle(soar, incidentId, wl, signal), wl);
}
