/**
 * `PATCH /incidents/<id>`: SOAR's field-level update, as IBM's `resilient.Patch` (co3.py,
 * patch.py of ibmresilient/resilient-python-api) and `resilient_lib.close_incident` send it:
 *
 *   {changes: [{field, old_value: {object: v}, new_value: {object: v}}], version}
 *
 * A change applies only when its `old_value` is still the field's current value. Otherwise SOAR
 * answers 200 with `success: false` and one `field_failures` entry per conflicting field
 * (`your_original_value`, `actual_current_value`), which IBM's client uses to retry with the
 * current values. The emulator applies nothing when any field conflicts (the strict reading).
 * Fields are named as IBM's callers name them: `plan_status`, a custom field's bare name, or
 * `properties.<name>`.
 */
import { isDeepStrictEqual } from 'node:util';
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import type { EmulatorState } from './state.js';

export type PatchPlan =
  | { readonly kind: 'invalid'; readonly message: string }
  /** The PatchStatusDTO to answer with (200). */
  | { readonly kind: 'conflict'; readonly status: JsonObject }
  /** The change as an incident update body (properties nested), to apply. */
  | { readonly kind: 'apply'; readonly update: JsonObject };

/** The keys of a FieldValueDTO that carry the value (IBM's Patch sends `object`). */
const VALUE_KEYS = ['object', 'text', 'textarea', 'boolean', 'date', 'id', 'ids', 'name', 'names'];

/** Fields no update may change. */
const READ_ONLY = new Set(['id', 'org_id', 'vers', 'create_date', 'creator_id', 'creator', 'creator_principal', 'perms', 'inc_last_modified_date']);

export const PATCH_OK: JsonObject = { success: true, title: null, message: null, hints: [], field_failures: [] };

function valueOf(dto: JsonValue | undefined): { ok: true; value: JsonValue } | { ok: false } {
  if (!isJsonObject(dto)) return { ok: false };
  const key = VALUE_KEYS.find((k) => k in dto);
  return key === undefined ? { ok: false } : { ok: true, value: dto[key] ?? null };
}

/** Where a patch field lives in the incident: a top-level key or a custom field. */
function locate(state: EmulatorState, inc: JsonObject, field: string): { custom: boolean; name: string } | null {
  const custom = state.customFieldNames();
  const bare = field.startsWith('properties.') ? field.slice('properties.'.length) : null;
  if (bare !== null) return custom.includes(bare) ? { custom: true, name: bare } : null;
  if (READ_ONLY.has(field)) return null;
  if (field in inc && field !== 'properties') return { custom: false, name: field };
  return custom.includes(field) ? { custom: true, name: field } : null;
}

/** Checks a patch body against the incident: what to apply, or the conflicts, or why it is invalid. */
export function planIncidentPatch(state: EmulatorState, inc: JsonObject, body: JsonValue | undefined): PatchPlan {
  if (!isJsonObject(body) || !Array.isArray(body['changes'])) {
    return { kind: 'invalid', message: "A patch needs {changes: [{field, old_value, new_value}], version}" };
  }
  if (body['version'] !== undefined && typeof body['version'] !== 'number') {
    return { kind: 'invalid', message: "The patch's 'version' must be a number" };
  }
  const props = isJsonObject(inc['properties']) ? inc['properties'] : {};
  const update: JsonObject = {};
  const properties: JsonObject = {};
  const failures: JsonObject[] = [];
  for (const change of body['changes']) {
    if (!isJsonObject(change) || typeof change['field'] !== 'string') {
      return { kind: 'invalid', message: "Each change needs a 'field' name" };
    }
    const field = change['field'];
    const where = locate(state, inc, field);
    if (!where) return { kind: 'invalid', message: `Invalid field name '${field}'` };
    const next = valueOf(change['new_value']);
    if (!next.ok) return { kind: 'invalid', message: `Change of '${field}': 'new_value' needs a value ({object: ...})` };
    const old = change['old_value'] === undefined || change['old_value'] === null ? { ok: true as const, value: null } : valueOf(change['old_value']);
    if (!old.ok) return { kind: 'invalid', message: `Change of '${field}': 'old_value' has no value` };
    const current = (where.custom ? props[where.name] : inc[where.name]) ?? null;
    if (!isDeepStrictEqual(old.value, current)) {
      failures.push({
        field,
        your_original_value: old.value,
        actual_current_value: current,
        message: `The field '${field}' was changed by someone else`,
      });
      continue;
    }
    if (where.custom) properties[where.name] = next.value;
    else update[where.name] = next.value;
  }
  if (failures.length > 0) {
    return {
      kind: 'conflict',
      status: { success: false, title: null, message: 'The patch conflicts with changes made since it was read', hints: [], field_failures: failures },
    };
  }
  if (Object.keys(properties).length > 0) update['properties'] = properties;
  return { kind: 'apply', update };
}
