/**
 * Picks the configured org out of the session's `orgs[]`.
 *
 * The configured value is compared with every org's `cloud_account` first, then every org's
 * `uuid`, then every org's `name` (exact match): a cloud_account or uuid is unambiguous, a name
 * may be reused as another org's display text. The org found must be `enabled`.
 */
import { isJsonObject } from '../core/json.js';
import type { JsonValue } from '../core/types.js';
import type { SessionOrg, SoarOrg } from './dto.js';
import { SoarOrgError, type OrgSummary } from './errors.js';

function field(org: SessionOrg, key: 'cloud_account' | 'uuid' | 'name'): string | null {
  const v = org[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Orgs as listed in error messages. */
function summarizeOrgs(orgs: readonly SessionOrg[]): OrgSummary[] {
  return orgs.map((o) => ({ id: o.id, name: o.name, enabled: o.enabled !== false }));
}

/** The matching org, or null. Does not check `enabled`. */
export function matchOrg(orgs: readonly SessionOrg[], wanted: string): SessionOrg | null {
  const w = wanted.trim();
  if (w === '') return null;
  for (const key of ['cloud_account', 'uuid', 'name'] as const) {
    const hit = orgs.find((o) => field(o, key) === w);
    if (hit) return hit;
  }
  return null;
}

/** The enabled org `wanted` names; SoarOrgError (listing the visible orgs) otherwise. */
export function resolveOrg(orgs: readonly SessionOrg[], wanted: string): SessionOrg {
  const hit = matchOrg(orgs, wanted);
  if (!hit) throw new SoarOrgError(wanted, 'not_found', summarizeOrgs(orgs));
  if (hit.enabled === false) {
    throw new SoarOrgError(wanted, 'disabled', summarizeOrgs(orgs), { id: hit.id, name: hit.name, enabled: false });
  }
  return hit;
}

/**
 * The org object of `GET /rest/orgs/<id>` with its identity where the product reads it: SOAR
 * 51.x keeps `name`, `uuid` and `cloud_account` inside `org_info` (IBM's rc_data_feed reads
 * `org_info.name`), older versions at the top; the session's entry fills what neither has.
 */
export function orgOf(raw: JsonValue, session: SessionOrg): SoarOrg {
  const obj = isJsonObject(raw) ? raw : {};
  const info = isJsonObject(obj['org_info']) ? obj['org_info'] : {};
  const text = (key: string): string | null => {
    for (const v of [info[key], obj[key], session[key]]) if (typeof v === 'string' && v !== '') return v;
    return null;
  };
  return { ...obj, id: session.id, name: text('name') ?? String(session.id), enabled: session.enabled !== false, uuid: text('uuid'), cloud_account: text('cloud_account') };
}
