/**
 * Contract of the shared view (listing and reading incidents shared with a brand):
 *
 *   GET /api/v1/brands/:brand/shared?page=1&per_page=50
 *       The incidents of the called node's brands shared with `:brand`, newest first:
 *       SharedListPage `{page, per_page, total, items: [{owner_brand, owner_node, incident_id,
 *       incident}], unavailable: [{brand, code, message}]}`; each `incident` is a bounded summary
 *       (the whitelisted listing fields, text cut), so a page stays small whatever the incidents
 *       hold. `page` (default 1, 1..MAX_PAGE) and `per_page` (default 50, 1..MAX_PER_PAGE) are
 *       decimal integers; anything else, a repeated or an unknown parameter -> 400 `input_invalid`.
 *   GET /api/v1/brands/:brand/shared/:owner/:id
 *       The whitelisted bundle of incident `:id` of brand `:owner` if it is shared with `:brand`:
 *       SharedIncidentDetail `{owner_brand, owner_node, incident_id, incident, notes, artifacts,
 *       attachments, tasks, dropped}`. Not shared, missing, or `:owner` not served there: 404
 *       `not_found`, the same body in every case. `:id` not a positive integer, or any query
 *       parameter -> 400 `input_invalid`.
 *
 * `:brand` is the viewing brand, behind the calling node. The routes are shared-routes.ts, the
 * viewer shared-client.ts.
 */
import { ClearingError, ErrorCode } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import type { JsonObject } from '../../core/types.js';
import { malformedAnswer } from './peer-error.js';
import { type PeerCallOptions, type PeerCaller, type PeerOperation, pathOf } from './peer-api.js';
import { WIRE_BUNDLE_MAX_BYTES, type WireBundle } from './wire-bundle.js';

export const SHARED_LIST: PeerOperation<undefined> = { method: 'GET', path: '/api/v1/brands/:brand/shared' };
export const SHARED_DETAIL: PeerOperation<undefined> = { method: 'GET', path: '/api/v1/brands/:brand/shared/:owner/:id' };

const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 200;
const MAX_PAGE = 10_000;

/** One incident in a list: who owns it, its id, and its whitelisted fields. */
export interface SharedIncidentSummary {
  readonly owner_brand: string;
  readonly owner_node: string;
  readonly incident_id: number;
  /**
   * In a list: the whitelisted listing fields only (listingSummary); in a detail, every
   * whitelisted field, `properties` included. Select values by label. The id is incident_id.
   */
  readonly incident: JsonObject;
}

/** A brand of the answering node whose SOAR could not be asked (the others still answer). */
export interface UnavailableBrand {
  readonly brand: string;
  readonly code: string;
  readonly message: string;
}

export interface SharedListPage {
  readonly page: number;
  readonly per_page: number;
  /** Incidents shared with the brand, over all pages. */
  readonly total: number;
  /** Newest first (create_date, then id, descending). */
  readonly items: SharedIncidentSummary[];
  /** Brands whose SOAR failed; their incidents are missing from items and total. */
  readonly unavailable: UnavailableBrand[];
}

/** One shared incident in full: its whitelisted bundle. */
export interface SharedIncidentDetail extends SharedIncidentSummary, WireBundle {}

export interface PageRequest {
  /** 1-based. */
  readonly page: number;
  readonly perPage: number;
}

// ---------------------------------------------------------------------------------------------
// The request: paths and their checks (the server's side of them)

/** The path of the list for `brand`, with its query. */
export function sharedListPath(brand: string, page: number, perPage: number): string {
  return pathOf(SHARED_LIST, { brand }, { page, per_page: perPage });
}

/** The path of one shared incident. */
export function sharedDetailPath(brand: string, owner: string, id: number): string {
  return pathOf(SHARED_DETAIL, { brand, owner, id });
}

function badRequest(message: string): ClearingError {
  return new ClearingError(ErrorCode.InputInvalid, message, { httpStatus: 400 });
}

/** A decimal integer from `min` to `max` (no sign, no leading zeros), or `fallback` when absent. */
function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const all = query.getAll(name);
  if (all.length === 0) return fallback;
  if (all.length > 1) throw badRequest(`query parameter ${name}: given more than once`);
  const text = all[0]!;
  const value = /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw badRequest(`query parameter ${name}: must be an integer from ${min} to ${max}`);
  return value;
}

/** Refuses (400 `input_invalid`) a query parameter not in `allowed`. */
export function onlyParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of new Set(query.keys())) {
    if (!allowed.includes(name)) throw badRequest(allowed.length ? `unknown query parameter ${name} (allowed: ${allowed.join(', ')})` : `unknown query parameter ${name} (none allowed)`);
  }
}

/** `page` and `per_page` of a list request, checked (400 `input_invalid` when wrong). */
export function pageParams(query: URLSearchParams): PageRequest {
  onlyParams(query, ['page', 'per_page']);
  return {
    page: intParam(query, 'page', 1, MAX_PAGE, 1),
    perPage: intParam(query, 'per_page', 1, MAX_PER_PAGE, DEFAULT_PER_PAGE),
  };
}

/** The `:id` of a detail request (400 `input_invalid` when not a positive integer). */
export function incidentIdParam(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) throw badRequest('incident id: must be a positive integer');
  return Number(text);
}

// ---------------------------------------------------------------------------------------------
// The answers: checks and typed calls

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

/** A list answer as checked: its well-formed items (owner_node: the node that answered) and how many were not. */
export interface CheckedSharedList {
  readonly total: number;
  readonly items: SharedIncidentSummary[];
  readonly unavailable: UnavailableBrand[];
  /** Items left out as malformed. */
  readonly malformed: number;
}

/** A list answer must be `{total, items}`; malformed items are counted and left out. */
export function checkSharedList(peerId: string, answer: unknown): CheckedSharedList {
  if (!isRecord(answer) || !Array.isArray(answer['items']) || typeof answer['total'] !== 'number' || !Number.isFinite(answer['total'])) {
    throw malformedAnswer(peerId, 'the shared list answer is not {total, items}');
  }
  const items: SharedIncidentSummary[] = [];
  let malformed = 0;
  for (const raw of answer['items'] as unknown[]) {
    if (isRecord(raw) && typeof raw['owner_brand'] === 'string' && isPositiveInt(raw['incident_id']) && isRecord(raw['incident'])) {
      items.push({ owner_brand: raw['owner_brand'], owner_node: peerId, incident_id: raw['incident_id'], incident: raw['incident'] as JsonObject });
    } else {
      malformed += 1;
    }
  }
  const unavailable = Array.isArray(answer['unavailable'])
    ? (answer['unavailable'] as unknown[]).filter(isRecord).map((u) => ({ brand: String(u['brand']), code: String(u['code']), message: String(u['message']) }))
    : [];
  return { total: Math.max(0, Math.floor(answer['total'] as number)), items, unavailable, malformed };
}

/** A detail answer must be the incident asked, with its bundle; owner_node is the node that answered. */
export function checkSharedDetail(peerId: string, ownerBrand: string, incidentId: number, answer: unknown): SharedIncidentDetail {
  const lists = ['notes', 'artifacts', 'attachments', 'tasks'] as const;
  if (
    !isRecord(answer) ||
    answer['owner_brand'] !== ownerBrand ||
    answer['incident_id'] !== incidentId ||
    !isRecord(answer['incident']) ||
    !isRecord(answer['dropped']) ||
    !lists.every((k) => Array.isArray(answer[k]) && (answer[k] as unknown[]).every(isRecord))
  ) {
    throw malformedAnswer(peerId, `the answer is not the shared incident ${ownerBrand}/${incidentId}`);
  }
  const detail = answer as unknown as SharedIncidentDetail;
  return { ...detail, owner_node: peerId };
}

/** One page of the incidents the called node's brands share with `brand`. */
export async function listShared(caller: PeerCaller, brand: string, page: PageRequest, options: PeerCallOptions = {}): Promise<CheckedSharedList> {
  const answer = await caller.request(SHARED_LIST.method, sharedListPath(brand, page.page, page.perPage), undefined, options);
  return checkSharedList(caller.peer.id, answer);
}

/** Incident `incidentId` of `ownerBrand` as shared with `brand`; whatever a whitelist lets leave fits in the answer limit. */
export async function getSharedIncident(caller: PeerCaller, brand: string, ownerBrand: string, incidentId: number, options: PeerCallOptions = {}): Promise<SharedIncidentDetail> {
  const answer = await caller.request(SHARED_DETAIL.method, sharedDetailPath(brand, ownerBrand, incidentId), undefined, { maxResponseBytes: WIRE_BUNDLE_MAX_BYTES, ...options });
  return checkSharedDetail(caller.peer.id, ownerBrand, incidentId, answer);
}
