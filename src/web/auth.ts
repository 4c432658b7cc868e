/**
 * Sign-in against the SOAR of the brand the user picked: the node logs in there with the
 * user's own email and password (POST /rest/session, as SOAR's own UI does), reads the user's
 * roles in the brand's org (the session's orgs[].role_handles) and groups (GET /groups, whose
 * members list user ids), then logs out again. The node keeps no user store, and the password
 * lives only for this call: it is never stored, logged, nor put in an error message.
 */
import type { BrandConfig, SoarConfig, WebConfig } from '../config/types.js';
import { SoarClient } from '../soar/client.js';
import { SoarAuthError, SoarOrgError } from '../soar/errors.js';
import type { JsonValue } from '../types.js';
import type { WebUser } from './session.js';

/** Why a sign-in was refused, in words fit for the sign-in page. */
export class SignInRefused extends Error {
  constructor(
    readonly kind: 'credentials' | 'not_allowed' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

function strings(v: JsonValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The user's roles in the org and the names of the groups listing the user as member. */
async function membership(soar: SoarClient, signal?: AbortSignal): Promise<{ roles: string[]; groups: string[] }> {
  const opts = signal ? { signal } : {};
  const [session, groups] = await Promise.all([
    soar.get<Record<string, JsonValue>>('/rest/session', opts),
    soar.get<JsonValue>('/groups', opts),
  ]);
  const orgs = Array.isArray(session['orgs']) ? session['orgs'] : [];
  const mine = orgs.find((o) => isObject(o) && o['id'] === soar.orgId);
  const roles = isObject(mine) ? strings(mine['role_handles']) : [];
  // GET /groups answers a list (older SOAR: {entities: [...]}).
  const list = Array.isArray(groups) ? groups : isObject(groups) && Array.isArray(groups['entities']) ? groups['entities'] : [];
  const userId = soar.identity.userId;
  const names = list
    .filter(isObject)
    .filter((g) => Array.isArray(g['members']) && userId !== null && g['members'].includes(userId))
    .map((g) => String(g['name'] ?? g['display_name'] ?? ''))
    .filter((n) => n !== '');
  return { roles, groups: names };
}

/** Whether a user with these groups and roles may use the web UI. */
export function isAllowed(web: Pick<WebConfig, 'allowed_groups' | 'allowed_roles'>, user: { groups: readonly string[]; roles: readonly string[] }): boolean {
  return user.groups.some((g) => web.allowed_groups.includes(g)) || user.roles.some((r) => web.allowed_roles.includes(r));
}

/**
 * Checks `email`/`password` with the SOAR of `brand` and answers who the user is; throws
 * SignInRefused (wrong credentials, not a member of an allowed group or role, SOAR unavailable).
 */
export async function signIn(brand: BrandConfig, web: WebConfig, email: string, password: string, signal?: AbortSignal): Promise<WebUser> {
  const config: SoarConfig = { ...brand.soar, auth: { kind: 'password', email, password }, retry: { ...brand.soar.retry, retries: 0 } };
  let soar: SoarClient;
  try {
    soar = await SoarClient.connect(config, signal ? { signal } : {});
  } catch (err) {
    // An account without the brand's org is refused like a wrong password: nothing is revealed.
    if (err instanceof SoarAuthError || err instanceof SoarOrgError) throw new SignInRefused('credentials', 'Wrong email or password for this brand.');
    throw new SignInRefused('unavailable', `The SOAR of brand ${brand.id} cannot be reached; try again later.`);
  }
  try {
    const { roles, groups } = await membership(soar, signal);
    const user: WebUser = {
      email: email.trim().toLowerCase(),
      displayName: soar.identity.displayName ?? email,
      brand: brand.id,
      groups,
      roles,
    };
    if (!isAllowed(web, user)) throw new SignInRefused('not_allowed', 'Your SOAR account is not in a group or role allowed to use the clearing web UI.');
    return user;
  } catch (err) {
    if (err instanceof SignInRefused) throw err;
    throw new SignInRefused('unavailable', `The SOAR of brand ${brand.id} did not answer as expected; try again later.`);
  } finally {
    await soar.close().catch(() => undefined);
  }
}
