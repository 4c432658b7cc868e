/**
 * The `web:` section (the web UI): the checks a schema cannot express, compilation to
 * WebConfig, and its printable form. The schema fragment lives in schema.ts with the others.
 */
import { isRecord } from '../core/json.js';
import type { ConfigProblem } from './env.js';
import { DEFAULTS, type RawListen, type RawWeb } from './schema.js';
import type { WebConfig } from './types.js';

/** A role given as its numeric id ("1001" too), or null. */
function roleId(role: number | string): number | null {
  const n = typeof role === 'number' ? role : /^\s*\d+\s*$/.test(role) ? Number(role) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

const ROLE_NAME_REFUSED = (name: string): string =>
  `'${name}' is a role name, but SOAR tells which roles a signed-in user has only as numeric role ids ` +
  '(the session\'s orgs[].role_handles), and its API offers no reliable way to learn a role\'s name: list role ids ' +
  '(e.g. 1001; a refused sign-in logs the user\'s role ids), or use allowed_groups with group names';

/** The web UI needs the node's certificate, a port of its own, and someone allowed in. */
export function checkWeb(data: Record<string, unknown>): ConfigProblem[] {
  const web = data.web;
  if (!isRecord(web)) return [];
  const problems: ConfigProblem[] = [];
  const node = isRecord(data.node) ? data.node : {};
  if (!('tls' in node)) problems.push({ path: 'node.tls', message: 'required with web: (the web UI serves HTTPS with the node certificate)' });
  const groups = Array.isArray(web.allowed_groups) ? web.allowed_groups : [];
  const roles = Array.isArray(web.allowed_roles) ? web.allowed_roles : [];
  if (groups.length === 0 && roles.length === 0) {
    problems.push({ path: 'web.allowed_groups', message: 'give allowed_groups or allowed_roles (the SOAR groups or roles whose users may sign in)' });
  }
  roles.forEach((role: unknown, i) => {
    if ((typeof role !== 'string' && typeof role !== 'number') || roleId(role) !== null) return;
    const message = /^\s*-?\d+\s*$/.test(String(role)) ? 'must be a role id (a whole number >= 1)' : ROLE_NAME_REFUSED(String(role));
    problems.push({ path: `web.allowed_roles[${i}]`, message });
  });
  const webListen = isRecord(web.listen) ? web.listen : {};
  const peerListen = isRecord(node.listen) ? node.listen : null;
  if (peerListen !== null && (webListen.port ?? DEFAULTS.web.port) === (peerListen.port ?? DEFAULTS.listen.port)) {
    problems.push({ path: 'web.listen.port', message: 'must differ from node.listen.port (the peer API asks for client certificates, the web UI does not)' });
  }
  return problems;
}

export function compileWeb(raw: RawWeb | undefined): WebConfig | null {
  if (raw === undefined) return null;
  const listen: RawListen = raw.listen ?? {};
  return {
    listen: { host: listen.host ?? DEFAULTS.web.host, port: listen.port ?? DEFAULTS.web.port },
    session_secret: raw.session_secret ?? null,
    idle_timeout_ms: Math.round((raw.idle_timeout_minutes ?? DEFAULTS.web.idle_timeout_minutes) * 60_000),
    session_max_ms: Math.round((raw.session_max_hours ?? DEFAULTS.web.session_max_hours) * 3_600_000),
    origin: raw.origin ?? null,
    allowed_groups: [...(raw.allowed_groups ?? [])],
    allowed_roles: (raw.allowed_roles ?? []).map(roleId).filter((id): id is number => id !== null),
    login_throttle: {
      max_failures: raw.login_throttle?.max_failures ?? DEFAULTS.web.login_max_failures,
      window_ms: Math.round((raw.login_throttle?.window_s ?? DEFAULTS.web.login_window_s) * 1000),
    },
  };
}

/** The section as describeConfig shows it: the session secret as `redacted`. */
export function describeWeb(web: WebConfig | null, redacted: string): Record<string, unknown> | null {
  if (web === null) return null;
  return {
    ...web,
    listen: { ...web.listen },
    session_secret: web.session_secret === null ? null : redacted,
    allowed_groups: [...web.allowed_groups],
    allowed_roles: [...web.allowed_roles],
    login_throttle: { ...web.login_throttle },
  };
}
