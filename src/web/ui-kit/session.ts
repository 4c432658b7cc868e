/**
 * Web UI sessions: kept in memory by this node (nothing on disk; a restart signs everyone out),
 * named in the browser by a signed cookie `<id>.<hmac>`. The HMAC (SHA-256 over the id, with the
 * session secret) lets a forged or altered cookie be told apart from an expired one before any
 * lookup. A session holds only who the user is (SOAR user, brand, groups, roles) and its CSRF
 * token: never the SOAR password, nor a SOAR session.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { tokensMatch } from './csrf.js';

/** `__Host-`: the browser accepts it only Secure, with Path=/ and no Domain. */
export const SESSION_COOKIE = '__Host-sc_session';

export interface WebUser {
  /** SOAR user's email (as typed at sign-in, lowercased). */
  readonly email: string;
  readonly displayName: string;
  /** The brand signed in to (one of this node's). */
  readonly brand: string;
  readonly groups: readonly string[];
  readonly roles: readonly number[];
}

export interface Session {
  readonly id: string;
  readonly user: WebUser;
  /** Per-session token every POST form must carry. */
  readonly csrfToken: string;
  /** When the user signed in (ms): the session ends maxLifetimeMs later, however busy. */
  readonly createdAt: number;
  lastSeen: number;
}

export type SessionLookup =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly reason: 'none' | 'invalid' | 'expired' };

export interface SessionStoreOptions {
  readonly secret: string | Buffer;
  readonly idleTimeoutMs: number;
  /** Absolute lifetime of a session from sign-in (web.session_max_hours). Default 12 h. */
  readonly maxLifetimeMs?: number;
  /** The clock (tests move it). */
  readonly now?: () => number;
  /** Most sessions kept at once; the least recently used go first. Default 10000. */
  readonly maxSessions?: number;
  /** Most sessions of one user (email and brand); a new one ends that user's least recently used. Default 10. */
  readonly maxPerUser?: number;
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

/** Whose sessions count together against maxPerUser. */
function userKey(user: WebUser): string {
  return `${user.brand}\u0000${user.email}`;
}

export class SessionStore {
  /** Every session, least recently used first. */
  private readonly sessions = new Map<string, Session>();
  /** Each user's session ids, least recently used first. */
  private readonly byUser = new Map<string, Set<string>>();
  private readonly now: () => number;
  private readonly max: number;
  private readonly maxPerUser: number;
  private readonly maxLifetimeMs: number;

  constructor(private readonly opts: SessionStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.max = opts.maxSessions ?? 10_000;
    this.maxPerUser = opts.maxPerUser ?? 10;
    this.maxLifetimeMs = opts.maxLifetimeMs ?? 12 * 3_600_000;
  }

  private mac(id: string): string {
    return createHmac('sha256', this.opts.secret).update(`sc-web-session:${id}`).digest('base64url');
  }

  /** The cookie value naming session `id`. */
  sign(id: string): string {
    return `${id}.${this.mac(id)}`;
  }

  /** The session id of a cookie value whose signature holds, else null. */
  verify(value: string): string | null {
    const dot = value.indexOf('.');
    if (dot <= 0 || value.length > 200) return null;
    const id = value.slice(0, dot);
    return tokensMatch(value.slice(dot + 1), this.mac(id)) ? id : null;
  }

  /** A new session; answers it and its cookie value. */
  create(user: WebUser): { session: Session; cookie: string } {
    this.sweep();
    // A user's own oldest session goes first, so one account signing in again and again never
    // pushes other users out; the store's cap then only meets many distinct users.
    const own = this.byUser.get(userKey(user));
    while (own !== undefined && own.size >= this.maxPerUser) this.destroy(own.values().next().value!);
    while (this.sessions.size >= this.max) this.destroy(this.sessions.keys().next().value!);
    const now = this.now();
    const session: Session = { id: token(), user, csrfToken: token(), createdAt: now, lastSeen: now };
    this.sessions.set(session.id, session);
    const key = userKey(user);
    const ids = this.byUser.get(key) ?? new Set<string>();
    ids.add(session.id);
    this.byUser.set(key, ids);
    return { session, cookie: this.sign(session.id) };
  }

  /** The session a cookie names, touched (idle time starts again); or why there is none. */
  lookup(cookie: string | undefined): SessionLookup {
    if (cookie === undefined || cookie === '') return { ok: false, reason: 'none' };
    const id = this.verify(cookie);
    if (id === null) return { ok: false, reason: 'invalid' };
    const session = this.sessions.get(id);
    if (session === undefined) return { ok: false, reason: 'expired' };
    const now = this.now();
    if (this.over(session, now)) {
      this.destroy(id);
      return { ok: false, reason: 'expired' };
    }
    session.lastSeen = now;
    // Re-inserted so the maps stay in least-recently-used order.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    const own = this.byUser.get(userKey(session.user));
    own?.delete(id);
    own?.add(id);
    return { ok: true, session };
  }

  destroy(id: string): void {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.sessions.delete(id);
    const key = userKey(session.user);
    const own = this.byUser.get(key);
    own?.delete(id);
    if (own?.size === 0) this.byUser.delete(key);
  }

  /** Idle too long, or older than its absolute lifetime. */
  private over(session: Session, now: number): boolean {
    return now - session.lastSeen > this.opts.idleTimeoutMs || now - session.createdAt > this.maxLifetimeMs;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Drops idle sessions (least recently used first; stops at the first that is not idle). */
  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) {
      if (now - s.lastSeen <= this.opts.idleTimeoutMs) break;
      this.destroy(id);
    }
  }
}

/** The Set-Cookie value of one of the UI's cookies (all `__Host-`, HttpOnly, strict); `maxAgeS` 0 deletes it. */
export function cookieHeader(name: string, value: string, maxAgeS?: number): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Strict${maxAgeS === undefined ? '' : `; Max-Age=${maxAgeS}`}`;
}

/** The Set-Cookie value for the session cookie; `maxAgeS` 0 deletes it. */
export function sessionCookieHeader(value: string, maxAgeS?: number): string {
  return cookieHeader(SESSION_COOKIE, value, maxAgeS);
}

/** The cookies of a request (`Cookie` header), by name; the first of a repeated name wins. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}
