/**
 * The shared view, viewer side (used by the web UI): the incidents other brands share with one
 * of this node's brands, gathered from every peer node (over the peer API, in parallel) and
 * from this node's own other brands, merged newest first; and one shared incident, fetched from
 * the node that owns it.
 *
 * A source that fails (a peer down, its certificate refused, a local SOAR unreachable) never
 * fails the list: it is reported in `sources` as `{node, ok: false, code, error}` and the rest
 * of the list still comes back. Each source has the network timeout (network.timeout_ms) for
 * all of its requests together.
 *
 * Pagination is over the merged list. With one source the page is asked as is; with several,
 * each source is asked for its first `page * perPage` incidents (in requests of at most
 * MAX_PER_PAGE), which are merged and cut, so pages are exact across nodes. That is why
 * `page * perPage` is held to MAX_WINDOW.
 *
 * What a peer answers is checked: incidents of brands that peer does not serve are dropped (a
 * node cannot speak for another), and `owner_node` is always the node that answered.
 */
import { performance } from 'node:perf_hooks';
import type { PeerConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { PeerError } from './contracts/peer-error.js';
import {
  type CheckedSharedList,
  getSharedIncident,
  listShared,
  MAX_PER_PAGE,
  type PageRequest,
  type SharedIncidentDetail,
  type SharedIncidentSummary,
  type UnavailableBrand,
} from './contracts/shared-view.js';
import type { ClearingNetwork } from './network.js';
import { PeerUnreachableError, type PeerClient } from './peer-client.js';
import { getShared, listingSummary, listSharedWith, newestFirst, sharedNotFound } from './shared-view.js';

/** Largest `page * perPage` a merged list may reach. */
export const MAX_WINDOW = 10_000;

/** How one source (a peer node, or this node for its other brands) answered. */
export interface SourceStatus {
  /** The node's id (this node's own id for `local`). */
  readonly node: string;
  /** True for this node's own brands, read without the peer API. */
  readonly local: boolean;
  readonly ok: boolean;
  /** When not ok: the error code (`peer_unreachable`, `peer_tls`, `peer_error`, `soar_unreachable`...). */
  readonly code?: string;
  /** When not ok: what went wrong, in words. */
  readonly error?: string;
  /** Time the source took, in ms (until its answer or its failure). */
  readonly latencyMs: number;
  /** Brands of that node whose SOAR did not answer (the node answered for its other brands). */
  readonly unavailable?: readonly UnavailableBrand[];
}

export interface SharedWithMyBrand {
  /** The viewing brand. */
  readonly brand: string;
  readonly page: number;
  readonly per_page: number;
  /** Incidents shared with the brand by the sources that answered, over all pages. */
  readonly total: number;
  /** This page, newest first. */
  readonly items: SharedIncidentSummary[];
  /** Every source asked, peers in config order then this node (when it has other brands). */
  readonly sources: SourceStatus[];
}

export interface ViewerOptions {
  readonly signal?: AbortSignal;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function requireLocal(network: ClearingNetwork, myBrand: string): void {
  if (!network.isLocal(myBrand)) {
    throw new ClearingError(ErrorCode.InputInvalid, `brand '${myBrand}' is not served by node '${network.nodeId}'`, { httpStatus: 400 });
  }
}

function checkPage({ page, perPage }: PageRequest): void {
  const ok = Number.isSafeInteger(page) && page >= 1 && Number.isSafeInteger(perPage) && perPage >= 1 && perPage <= MAX_PER_PAGE && page * perPage <= MAX_WINDOW;
  if (!ok) {
    throw new ClearingError(ErrorCode.InputInvalid, `page must be >= 1 and per_page from 1 to ${MAX_PER_PAGE}, with page * per_page <= ${MAX_WINDOW}`, { httpStatus: 400 });
  }
}

function timeoutOf(network: ClearingNetwork): number {
  return network.config.network?.timeout_ms ?? 30_000;
}

/**
 * Runs `work` with a signal that fires after `timeoutMs` (aborting with `onTimeout()`) or when
 * `outer` fires.
 */
async function withDeadline<T>(timeoutMs: number, outer: AbortSignal | undefined, onTimeout: () => Error, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  const forward = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  try {
    return await work(controller.signal);
  } catch (err) {
    // A call aborted by the deadline may fail with its own words (a SOAR client's): say it was the deadline.
    if (controller.signal.aborted && controller.signal.reason instanceof ClearingError) {
      throw controller.signal.reason;
    }
    throw err;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', forward);
  }
}

/** A source's part of the merged list. */
interface Part {
  readonly total: number;
  readonly items: SharedIncidentSummary[];
  readonly unavailable: UnavailableBrand[];
}

/**
 * The items of a peer's checked list answer that peer may speak for: of brands it serves (a
 * node cannot speak for another), never the viewing brand's own, each cut to its listing
 * summary (a peer of an older version may send whole incidents). `rejected` counts the rest,
 * malformed ones included.
 */
function peerItems(network: ClearingNetwork, peer: PeerConfig, myBrand: string, answer: CheckedSharedList): Omit<Part, 'total'> & { total: number; rejected: number } {
  const items: SharedIncidentSummary[] = [];
  let rejected = answer.malformed;
  for (const item of answer.items) {
    if (peer.brands.includes(item.owner_brand) && item.owner_brand !== myBrand) items.push({ ...item, incident: listingSummary(item.incident) });
    else rejected += 1;
  }
  if (rejected > 0) network.log.warn(`peer ${peer.id}: ${rejected} shared incident(s) dropped from its list (malformed, or of a brand it does not serve)`, { peer: peer.id });
  return { total: answer.total, items, unavailable: answer.unavailable, rejected };
}

/** The first `window` items of a peer's list (or exactly `page` when `direct`). */
async function peerPart(network: ClearingNetwork, client: PeerClient, myBrand: string, req: PageRequest, direct: boolean, signal: AbortSignal): Promise<Part> {
  const peer = client.peer;
  if (direct) {
    return peerItems(network, peer, myBrand, await listShared(client, myBrand, req, { signal }));
  }
  const window = req.page * req.perPage;
  const size = Math.min(window, MAX_PER_PAGE);
  const items: SharedIncidentSummary[] = [];
  let total = 0;
  let unavailable: UnavailableBrand[] = [];
  for (let page = 1; items.length < window; page++) {
    const part = peerItems(network, peer, myBrand, await listShared(client, myBrand, { page, perPage: size }, { signal }));
    total = part.total;
    unavailable = part.unavailable;
    items.push(...part.items);
    if (part.items.length + part.rejected < size || page * size >= total) break;
  }
  return { total, items: items.slice(0, window), unavailable };
}

async function localPart(network: ClearingNetwork, myBrand: string, req: PageRequest, direct: boolean, signal: AbortSignal): Promise<Part> {
  const page = direct ? req : { page: 1, perPage: req.page * req.perPage };
  const answer = await listSharedWith(network, myBrand, page, signal);
  return { total: answer.total, items: answer.items, unavailable: answer.unavailable };
}

/**
 * The incidents shared with `myBrand` (a brand of this node) by every other brand of the
 * network: each peer node is asked in parallel, this node's other brands are read directly.
 * Newest first, one page of the merged list. Never throws for a failing source (see
 * `sources`); throws `input_invalid` when `myBrand` is not served here or the page is out of
 * range.
 */
export async function sharedWithMyBrand(
  network: ClearingNetwork,
  myBrand: string,
  req: PageRequest,
  opts: ViewerOptions = {},
): Promise<SharedWithMyBrand> {
  requireLocal(network, myBrand);
  checkPage(req);
  const sources = network.peerClients.length + (network.localBrands.some((b) => b.id !== myBrand) ? 1 : 0);
  return gather(network, myBrand, req, sources <= 1, opts);
}

/**
 * The newest `size` incidents (at most MAX_WINDOW) shared with `myBrand`, merged from every
 * source, each source read once: the window a view that sorts or filters by itself works on.
 * Sources fail as in sharedWithMyBrand.
 */
export async function sharedWindow(network: ClearingNetwork, myBrand: string, size: number, opts: ViewerOptions = {}): Promise<SharedWithMyBrand> {
  requireLocal(network, myBrand);
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_WINDOW) {
    throw new ClearingError(ErrorCode.InputInvalid, `the window must hold 1 to ${MAX_WINDOW} incidents`, { httpStatus: 400 });
  }
  return gather(network, myBrand, { page: 1, perPage: size }, false, opts);
}

/**
 * Asks every source in parallel. `direct`: one source, whose page is the answer; otherwise each
 * source gives its first page * perPage incidents and the merged list is cut to the page.
 */
async function gather(network: ClearingNetwork, myBrand: string, req: PageRequest, direct: boolean, opts: ViewerOptions): Promise<SharedWithMyBrand> {
  const timeoutMs = timeoutOf(network);
  const hasLocal = network.localBrands.some((b) => b.id !== myBrand);

  type Outcome = { status: SourceStatus; part: Part | null };
  const run = async (node: string, local: boolean, work: (signal: AbortSignal) => Promise<Part>): Promise<Outcome> => {
    const started = performance.now();
    const timeout = (): Error => local
      ? new ClearingError(ErrorCode.SoarUnreachable, `no answer from this node's SOAR within ${timeoutMs} ms`, { httpStatus: 504, retryable: true })
      : new PeerUnreachableError(node, `no answer within ${timeoutMs} ms`, { timeout: true });
    try {
      const part = await withDeadline(timeoutMs, opts.signal, timeout, work);
      const status: SourceStatus = { node, local, ok: true, latencyMs: round(performance.now() - started), ...(part.unavailable.length ? { unavailable: part.unavailable } : {}) };
      return { status, part };
    } catch (err) {
      const e = ClearingError.from(err);
      network.log.warn(`shared view: ${local ? 'local brands' : `peer ${node}`} failed: ${e.message}`, { node, code: e.code });
      return { status: { node, local, ok: false, code: e.code, error: e.message, latencyMs: round(performance.now() - started) }, part: null };
    }
  };

  const outcomes = await Promise.all([
    ...network.peerClients.map((client) => run(client.peer.id, false, (signal) => peerPart(network, client, myBrand, req, direct, signal))),
    ...(hasLocal ? [run(network.nodeId, true, (signal) => localPart(network, myBrand, req, direct, signal))] : []),
  ]);

  let items: SharedIncidentSummary[] = [];
  let total = 0;
  for (const { part } of outcomes) {
    if (part === null) continue;
    total += part.total;
    items.push(...part.items);
  }
  if (!direct) items = items.sort(newestFirst).slice((req.page - 1) * req.perPage, req.page * req.perPage);
  return { brand: myBrand, page: req.page, per_page: req.perPage, total, items, sources: outcomes.map((o) => o.status) };
}

/**
 * One incident of `ownerBrand` shared with `myBrand` (a brand of this node): its whitelisted
 * bundle, from the node that owns it (or read here when `ownerBrand` is one of this node's).
 * Not shared, missing, or an unknown brand: the `not_found` error (404), the same in every case.
 * A peer that fails: its error (`peer_unreachable`, `peer_tls`, `peer_error`...).
 */
export async function sharedIncident(
  network: ClearingNetwork,
  myBrand: string,
  ownerBrand: string,
  incidentId: number,
  opts: ViewerOptions = {},
): Promise<SharedIncidentDetail> {
  requireLocal(network, myBrand);
  const owner = network.owner(ownerBrand);
  if (owner === null || ownerBrand === myBrand || !(Number.isSafeInteger(incidentId) && incidentId >= 1)) throw sharedNotFound();
  if (owner.kind === 'local') return getShared(network, myBrand, ownerBrand, incidentId, opts.signal);
  const client = network.peerFor(ownerBrand);
  try {
    return await getSharedIncident(client, myBrand, ownerBrand, incidentId, opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    if (err instanceof PeerError && err.status === 404 && err.remoteCode === 'not_found') throw sharedNotFound();
    throw err;
  }
}
