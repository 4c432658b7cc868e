/**
 * The shared view, owner side: which of this node's incidents another brand may view, and the
 * whitelisted view of one of them. Everything is read live from the owning brand's SOAR on each
 * call; nothing is cached.
 *
 * Which brands may view an incident is kept in the incident field `clearing_shared_with`
 * (written by the function `clearing_share_incident` from the `read_only` flags of the
 * distribution table). Its format is the sorted brand ids, each followed by a comma, with a
 * leading comma: `,soar3,soar4,`, or empty (null) when shared with nobody. Brand ids are
 * `[a-z0-9][a-z0-9_-]*` (never a comma), so the marker `,<brand>,` occurs in the value exactly
 * when the brand is listed, and SOAR's `contains` filter on `,soar3,` finds precisely the
 * incidents shared with `soar3` (`contains "soar3"` would also find `soar33`). Reading is
 * lenient: any comma-separated list (e.g. `soar3,soar4` typed by hand) parses to its ids.
 *
 * An incident that is not shared with the asking brand, one that does not exist, and one of a
 * brand this node does not serve all get the same answer (404 `not_found` with one fixed
 * message), so a peer can never tell which incidents exist.
 */
import { INCIDENT_FIELD } from '../../customize/fields.js';
import { ClearingError, ErrorCode, messageForPeers } from '../core/errors.js';
import { SoarRequestError } from '../soar/errors.js';
import type { Incident, QueryPagedRequest } from '../soar/dto.js';
import type { SoarClient } from '../soar/client.js';
import type { JsonObject, JsonValue } from '../core/types.js';
import { isRecord } from '../core/json.js';
import { cutText } from '../core/text.js';
import { readIncidentBundle, toWire } from './bundle.js';
import type { PageRequest, SharedIncidentDetail, SharedIncidentSummary, SharedListPage } from './contracts/shared-view.js';
import type { ClearingNetwork } from './network.js';
import { applyWhitelist } from './whitelist.js';

/** A brand id as the config allows it (config/schema.ts ID_PATTERN): never holds a comma. */
const BRAND_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function isBrandId(value: string): boolean {
  return BRAND_ID.test(value);
}

/** The substring that marks `brand` in a `clearing_shared_with` value: `,<brand>,`. */
export function sharedWithMarker(brand: string): string {
  return `,${brand},`;
}

/** The field value for these brands: `,a,b,` (sorted, unique), or null for none. Ids that are not brand ids are left out. */
export function formatSharedWith(brands: Iterable<string>): string | null {
  const ids = [...new Set([...brands].filter(isBrandId))].sort();
  return ids.length === 0 ? null : `,${ids.join(',')},`;
}

/** The brand ids of a field value (any comma-separated form), sorted and unique; [] for empty or non-text. */
export function parseSharedWith(value: JsonValue | undefined): string[] {
  if (typeof value !== 'string') return [];
  return [...new Set(value.split(',').map((s) => s.trim()).filter(isBrandId))].sort();
}

/** Whether the incident's field lists `brand`. */
function isSharedWith(incident: { properties?: Record<string, JsonValue> | null }, brand: string): boolean {
  const props = incident.properties;
  if (props === null || props === undefined || typeof props !== 'object') return false;
  return parseSharedWith(props[INCIDENT_FIELD.sharedWith.name]).includes(brand);
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Code of the "no such shared incident" answer. Not (yet) a member of ErrorCode in
 * src/core/errors.ts; ClearingError carries it as is.
 */
const NOT_FOUND_CODE = ErrorCode.NotFound;

/** The one answer for not shared, missing, and not served here: nothing in it depends on which. */
export function sharedNotFound(): ClearingError {
  return new ClearingError(NOT_FOUND_CODE, 'no such incident is shared with this brand', { httpStatus: 404 });
}

// ---------------------------------------------------------------------------------------------
// Listing

/** How a list is ordered everywhere: newest first, the id breaking ties. */
export function newestFirst(a: { incident: JsonObject; incident_id: number; owner_brand: string }, b: typeof a): number {
  const ka = typeof a.incident['create_date'] === 'number' ? a.incident['create_date'] : -Infinity;
  const kb = typeof b.incident['create_date'] === 'number' ? b.incident['create_date'] : -Infinity;
  if (ka !== kb) return kb > ka ? 1 : -1;
  if (a.owner_brand !== b.owner_brand) return a.owner_brand < b.owner_brand ? -1 : 1;
  return b.incident_id - a.incident_id;
}

// ---------------------------------------------------------------------------------------------
// Summaries and labels

/** The fields a list item carries (those the owner's whitelist lets leave). */
const LISTING_FIELDS: readonly string[] = ['name', 'severity_code', 'plan_status', 'create_date', 'discovered_date'];
/** Longest text of a listing field, in UTF-16 units (the incident's own page shows it whole). */
export const LISTING_TEXT_LENGTH = 300;

/**
 * A list item's incident: only the listing fields, each a scalar (a handle object becomes its
 * name), text cut to LISTING_TEXT_LENGTH. Whatever an incident holds, its summary stays small,
 * so a page of MAX_PER_PAGE of them is always far below any answer limit.
 */
export function listingSummary(incident: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const field of LISTING_FIELDS) {
    let v = incident[field];
    if (isRecord(v) && typeof v['name'] === 'string') v = v['name'];
    if (typeof v === 'string') out[field] = cutText(v, LISTING_TEXT_LENGTH);
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || v === null) out[field] = v;
  }
  return out;
}

/** The labels of select values, per incident field: name -> (value -> label). */
type FieldLabels = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * The labels of the incident fields' select values (`GET /types/incident/fields`, each field's
 * `values: [{value, label}]`), e.g. plan_status `A` -> `Active`, severity_code `52` -> `High`:
 * SOAR answers codes and ids, and names only for handles with `handle_format=names`.
 */
async function fieldLabels(soar: SoarClient, signal?: AbortSignal): Promise<FieldLabels> {
  const out = new Map<string, Map<string, string>>();
  for (const f of await soar.listIncidentFields(signal ? { signal } : {})) {
    if (typeof f['name'] !== 'string' || !Array.isArray(f['values'])) continue;
    const key = f['prefix'] === 'properties' ? `properties.${f['name']}` : f['name'];
    const values = new Map<string, string>();
    for (const v of f['values']) {
      if (isRecord(v) && (typeof v['value'] === 'string' || typeof v['value'] === 'number') && typeof v['label'] === 'string') values.set(String(v['value']), v['label']);
    }
    if (values.size > 0) out.set(key, values);
  }
  return out;
}

function labelOf(labels: ReadonlyMap<string, string>, v: JsonValue): JsonValue {
  if (typeof v === 'string' || typeof v === 'number') return labels.get(String(v)) ?? v;
  if (Array.isArray(v)) return v.map((x) => labelOf(labels, x));
  return v;
}

/** The incident with its select values shown by label (a value with no label, e.g. a name already, is kept). */
function withLabels(incident: JsonObject, labels: FieldLabels): JsonObject {
  const out: JsonObject = { ...incident };
  for (const [k, v] of Object.entries(incident)) {
    const map = labels.get(k);
    if (map !== undefined && v !== null) out[k] = labelOf(map, v);
  }
  const props = incident['properties'];
  if (isRecord(props)) {
    const p: JsonObject = { ...(props as JsonObject) };
    for (const [k, v] of Object.entries(p)) {
      const map = labels.get(`properties.${k}`);
      if (map !== undefined && v !== null) p[k] = labelOf(map, v);
    }
    out['properties'] = p;
  }
  return out;
}

function summarize(network: ClearingNetwork, ownerBrand: string, incident: Incident, labels: FieldLabels): SharedIncidentSummary {
  const filtered = applyWhitelist({ incident }, network.whitelistOf(ownerBrand));
  return { owner_brand: ownerBrand, owner_node: network.nodeId, incident_id: incident.id, incident: listingSummary(withLabels(filtered.incident, labels)) };
}

function queryFor(forBrand: string, start: number, length: number): QueryPagedRequest {
  return {
    filters: [{ conditions: [{ field_name: `properties.${INCIDENT_FIELD.sharedWith.name}`, method: 'contains', value: sharedWithMarker(forBrand) }] }],
    sorts: [
      { field_name: 'create_date', type: 'desc' },
      { field_name: 'id', type: 'desc' },
    ],
    start,
    length,
  };
}

/**
 * The incidents of this node's brands shared with `forBrand`, newest first, one page of them,
 * each through its owner brand's whitelist. Read live (SOAR's `query_paged`). With one local
 * brand (the usual case) the page is asked of SOAR directly; with several, each brand's first
 * `page * perPage` are read and merged. A brand whose SOAR fails is reported in `unavailable`
 * (the others still answer); when every brand fails, the first failure is thrown.
 */
export async function listSharedWith(
  network: ClearingNetwork,
  forBrand: string,
  { page, perPage }: PageRequest,
  signal?: AbortSignal,
): Promise<SharedListPage> {
  const owners = network.localBrands.map((b) => b.id).filter((id) => id !== forBrand);
  const single = owners.length === 1;
  const start = single ? (page - 1) * perPage : 0;
  const length = single ? perPage : page * perPage;
  const outcomes = await Promise.all(owners.map(async (brand) => {
    try {
      const soar = network.soarOf(brand);
      const [answer, labels] = await Promise.all([
        soar.queryIncidentsPaged(queryFor(forBrand, start, length), { handleFormat: 'names', ...(signal ? { signal } : {}) }),
        fieldLabels(soar, signal),
      ]);
      // SOAR's `contains` is case-insensitive and may tokenise: keep only exact markers.
      const data = answer.data.filter((inc) => isSharedWith(inc, forBrand));
      const dropped = answer.data.length - data.length;
      return { ok: true as const, brand, total: Math.max(0, answer.recordsFiltered - dropped), items: data.map((inc) => summarize(network, brand, inc, labels)) };
    } catch (err) {
      const error = ClearingError.from(err);
      network.log.warn(`shared list: brand ${brand}'s SOAR failed: ${error.message}`, { brand, code: error.code });
      return { ok: false as const, brand, error };
    }
  }));
  const failures = outcomes.filter((o) => !o.ok);
  if (owners.length > 0 && failures.length === owners.length) throw failures[0]!.error;
  let items: SharedIncidentSummary[] = [];
  let total = 0;
  for (const o of outcomes) {
    if (!o.ok) continue;
    total += o.total;
    items.push(...o.items);
  }
  if (!single) items = items.sort(newestFirst).slice((page - 1) * perPage, page * perPage);
  return {
    page,
    per_page: perPage,
    total,
    items,
    // Read by other nodes: SOAR's own words stay in this node's log.
    unavailable: failures.map((f) => ({ brand: f.brand, code: f.error.code, message: messageForPeers(f.error) })),
  };
}

// ---------------------------------------------------------------------------------------------
// One incident

/**
 * The whitelisted bundle of one incident of `ownerBrand` (a brand of this node), if it is shared
 * with `forBrand`; else the one `not_found` answer (sharedNotFound), whether the incident is not
 * shared, missing, or `ownerBrand` is not served here. The share is checked on the incident read
 * with the bundle, so a share revoked meanwhile is honoured.
 */
export async function getShared(
  network: ClearingNetwork,
  forBrand: string,
  ownerBrand: string,
  incidentId: number,
  signal?: AbortSignal,
): Promise<SharedIncidentDetail> {
  if (ownerBrand === forBrand || !network.isLocal(ownerBrand) || !Number.isSafeInteger(incidentId) || incidentId < 1) throw sharedNotFound();
  const soar = network.soarOf(ownerBrand);
  const wl = network.whitelistOf(ownerBrand);
  try {
    // A cheap check first, so nothing more of an unshared incident is even read...
    const incident = await soar.getIncident(incidentId, signal ? { signal } : {});
    if (!isSharedWith(incident, forBrand)) throw sharedNotFound();
    const [bundle, labels] = await Promise.all([readIncidentBundle(soar, incidentId, wl, signal), fieldLabels(soar, signal)]);
    // ...and the check again on what is sent.
    if (!isSharedWith(bundle.incident, forBrand)) throw sharedNotFound();
    const wire = toWire(applyWhitelist(bundle, wl));
    return {
      owner_brand: ownerBrand,
      owner_node: network.nodeId,
      incident_id: bundle.incident.id,
      ...wire,
      incident: withLabels(wire.incident, labels),
    };
  } catch (err) {
    if (err instanceof SoarRequestError && err.status === 404) throw sharedNotFound();
    throw err;
  }
}

/** Whether `err` is the shared view's not-found answer (here or from a peer). */
export function isNotFound(err: unknown): boolean {
  return err instanceof ClearingError && err.code === NOT_FOUND_CODE;
}
