/**
 * A filtered incident as it crosses the network (a delivered copy, a shared incident's
 * answer): everything the sender's whitelist allowed, and counts of the rest.
 */
import type { JsonObject } from '../../core/types.js';

/**
 * Largest filtered incident on the wire: a whitelist's largest `max_total_bytes` (32 MiB,
 * whitelist-schema.ts; a unit test holds the two together) plus 8 MiB for the origin, the
 * counts and the JSON framing, so that whatever a whitelist lets leave can be both distributed
 * and viewed.
 */
export const WIRE_BUNDLE_MAX_BYTES = 40 * 1024 * 1024;

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

export interface WireBundle {
  readonly incident: JsonObject;
  readonly notes: JsonObject[];
  readonly artifacts: JsonObject[];
  readonly attachments: JsonObject[];
  readonly tasks: JsonObject[];
  readonly dropped: DroppedCounts;
}
