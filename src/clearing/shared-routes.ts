/**
 * Peer API routes of the shared view (listing and reading incidents shared with a brand).
 *
 *   GET /api/v1/brands/:brand/shared?page=1&per_page=50
 *       The incidents of this node's brands shared with `:brand`, newest first.
 *       200 SharedListPage `{page, per_page, total, items: [{owner_brand, owner_node,
 *       incident_id, incident}], unavailable: [{brand, code, message}]}`; each `incident` is
 *       a bounded summary (listingSummary: the whitelisted listing fields, text cut), so a
 *       page stays small whatever the incidents hold.
 *       `page` (default 1, 1..MAX_PAGE) and `per_page` (default 50, 1..MAX_PER_PAGE) are
 *       decimal integers; anything else, a repeated or an unknown parameter -> 400 `input_invalid`.
 *   GET /api/v1/brands/:brand/shared/:owner/:id
 *       The whitelisted bundle of incident `:id` of brand `:owner` if it is shared with `:brand`.
 *       200 SharedIncidentDetail `{owner_brand, owner_node, incident_id, incident, notes,
 *       artifacts, attachments, tasks, dropped}`. Not shared, missing, or `:owner` not served
 *       here: 404 `not_found`, the same body in every case. `:id` not a positive integer, or any
 *       query parameter -> 400 `input_invalid`.
 *
 * `:brand` is the viewing brand: it must be one of the brands behind the calling node (its
 * entry in network.peers), else 403 `forbidden` before anything is read.
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { ClearingNetwork } from './network.js';
import type { PeerIdentity } from './peer-auth.js';
import { defineRoute, type PeerRoute } from './peer-routes.js';
import { getShared, listSharedWith, type SharedIncidentDetail, type SharedListPage } from './shared-view.js';

const SHARED_LIST_PATH = '/api/v1/brands/:brand/shared';
const SHARED_DETAIL_PATH = '/api/v1/brands/:brand/shared/:owner/:id';

const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 200;
const MAX_PAGE = 10_000;

/** The path of the list for `brand`, with its query. */
export function sharedListPath(brand: string, page: number, perPage: number): string {
  return `/api/v1/brands/${encodeURIComponent(brand)}/shared?page=${page}&per_page=${perPage}`;
}

/** The path of one shared incident. */
export function sharedDetailPath(brand: string, owner: string, id: number): string {
  return `/api/v1/brands/${encodeURIComponent(brand)}/shared/${encodeURIComponent(owner)}/${id}`;
}

function badRequest(message: string): ClearingError {
  return new ClearingError(ErrorCode.InputInvalid, message, { httpStatus: 400 });
}

/** The viewing brand must be behind the calling node. */
function viewerIsCaller(peer: PeerIdentity, params: Readonly<Record<string, string>>): boolean | string {
  const brand = params['brand'] ?? '';
  return peer.peer.brands.includes(brand) || `node ${peer.id} does not serve brand '${brand}'`;
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

function onlyParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of new Set(query.keys())) {
    if (!allowed.includes(name)) throw badRequest(allowed.length ? `unknown query parameter ${name} (allowed: ${allowed.join(', ')})` : `unknown query parameter ${name} (none allowed)`);
  }
}

/** `page` and `per_page` of a list request, checked (400 `input_invalid` when wrong). */
function pageParams(query: URLSearchParams): { page: number; perPage: number } {
  onlyParams(query, ['page', 'per_page']);
  return {
    page: intParam(query, 'page', 1, MAX_PAGE, 1),
    perPage: intParam(query, 'per_page', 1, MAX_PER_PAGE, DEFAULT_PER_PAGE),
  };
}

export function sharedViewRoutes(network: ClearingNetwork): PeerRoute[] {
  return [
    defineRoute<undefined, SharedListPage>({
      method: 'GET',
      path: SHARED_LIST_PATH,
      authorize: viewerIsCaller,
      handler: async ({ params, query, signal }) => listSharedWith(network, params['brand']!, pageParams(query), signal),
    }),
    defineRoute<undefined, SharedIncidentDetail>({
      method: 'GET',
      path: SHARED_DETAIL_PATH,
      authorize: viewerIsCaller,
      handler: async ({ params, query, signal }) => {
        onlyParams(query, []);
        const idText = params['id']!;
        if (!/^[1-9][0-9]{0,14}$/.test(idText)) throw badRequest('incident id: must be a positive integer');
        return getShared(network, params['brand']!, params['owner']!, Number(idText), signal);
      },
    }),
  ];
}
