/**
 * Sign-in against the SOAR of the brand the user picked: the node logs in there with the
 * user's own email and password (POST /rest/session, as SOAR's own UI does), takes the user's
 * role ids in the brand's org from that login's session (orgs[].role_handles: numeric ids, e.g.
 * [1001], as the Custom Action Developer Guide shows; no second call),
 * reads the groups (GET /groups, whose members list user ids), then logs out again. The node
 * keeps no user store, and the password lives only for this call: it is never stored, logged,
 * nor put in an error message.
 */
import type { BrandConfig, SoarConfig, WebConfig } from '../../config/types.js';
import { isRecord } from '../../core/json.js';
import { SoarClient } from '../../soar/client.js';
import { SoarAuthError, SoarOrgError } from '../../soar/errors.js';
import type { JsonValue } from '../../core/types.js';
import type { WebUser } from './session.js';

/** Why a sign-in was refused, in words fit for the sign-in page. */
export class SignInRefused extends Error {
  constructor(
    readonly kind: 'credentials' | 'not_allowed' | 'unavailable',
    message: string,
    /** not_allowed: the user's role ids, for the log (so an admin learns which ids to allow). */
    readonly roles: readonly number[] = [],
  ) {
    super(message);
  }
}

/** The names of the groups (GET /groups) listing the user as a member. */
async function groupsOf(soar: SoarClient, signal?: AbortSignal): Promise<string[]> {
  const answer = await soar.get<JsonValue>('/groups', signal ? { signal } : {});
  // GET /groups answers a list (older SOAR: {entities: [...]}).
  const list: unknown[] = Array.isArray(answer) ? answer : isRecord(answer) && Array.isArray(answer['entities']) ? answer['entities'] : [];
  const userId = soar.identity.userId;
  return list
    .filter(isRecord)
    .filter((g) => Array.isArray(g['members']) && userId !== null && g['members'].includes(userId))
    .map((g) => String(g['name'] ?? g['display_name'] ?? ''))
    .filter((n) => n !== '');
}

/** Whether a user with these groups and roles may use the web UI. */
export function isAllowed(web: Pick<WebConfig, 'allowed_groups' | 'allowed_roles'>, user: { groups: readonly string[]; roles: readonly number[] }): boolean {
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
    const user: WebUser = {
      email: email.trim().toLowerCase(),
      displayName: soar.identity.displayName ?? email,
      brand: brand.id,
      groups: await groupsOf(soar, signal),
      roles: [...soar.identity.roles],
    };
    if (!isAllowed(web, user)) throw new SignInRefused('not_allowed', 'Your SOAR account is not in a group or role allowed to use the clearing web UI.', user.roles);
    return user;
  } catch (err) {
    if (err instanceof SignInRefused) throw err;
    throw new SignInRefused('unavailable', `The SOAR of brand ${brand.id} did not answer as expected; try again later.`);
  } finally {
    await soar.close().catch(() => undefined);
  }
}
