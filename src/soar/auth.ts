/**
 * The two ways of authenticating with SOAR.
 *
 * - API key: HTTP Basic `key_id:secret` on every call. `GET /rest/session` is the login (it
 *   returns the orgs); there is no session to expire.
 * - Email/password: `POST /rest/session {"email","password"}` answers the session with a
 *   `csrf_token` and sets the `JSESSIONID` cookie. Every later call sends the cookie and the
 *   header `X-sess-id: <csrf_token>`. When the session expires SOAR answers 401; the client logs
 *   in again once and repeats the call (see SoarTransport).
 *
 * `secrets()` lists every value that must never appear in a message or log line.
 */
import type { SoarAuth } from '../config/types.js';
import { CookieJar } from './http.js';

export interface LoginRequest {
  readonly method: 'GET' | 'POST';
  readonly path: '/rest/session';
  readonly body?: { email: string; password: string };
  readonly headers: Record<string, string>;
}

export interface Authenticator {
  readonly kind: SoarAuth['kind'];
  /** Who is logging in, for messages: the API key id or the email (neither is a secret). */
  readonly principal: string;
  /** True when a 401 may be cured by logging in again (password sessions). */
  readonly canRelogin: boolean;
  /** Increments on each successful login; lets concurrent 401s share one re-login. */
  readonly generation: number;
  loginRequest(): LoginRequest;
  /** Records a successful login's csrf token. */
  loginSucceeded(csrfToken: string | null): void;
  /** Headers that authenticate a normal call. */
  headers(): Record<string, string>;
  /** Sees every response's Set-Cookie header. */
  onResponse(setCookie: readonly string[] | string | undefined): void;
  /** Forgets the session (after logout). */
  reset(): void;
  secrets(): string[];
}

class ApiKeyAuth implements Authenticator {
  readonly kind = 'api_key' as const;
  readonly canRelogin = false;
  generation = 0;
  private readonly basic: string;

  constructor(
    readonly principal: string,
    private readonly secret: string,
  ) {
    this.basic = `Basic ${Buffer.from(`${principal}:${secret}`, 'utf8').toString('base64')}`;
  }

  loginRequest(): LoginRequest {
    return { method: 'GET', path: '/rest/session', headers: { Authorization: this.basic } };
  }

  loginSucceeded(): void {
    this.generation++;
  }

  headers(): Record<string, string> {
    return { Authorization: this.basic };
  }

  onResponse(): void {
    // Basic auth on every call: cookies SOAR may set are not needed and not sent back.
  }

  reset(): void {}

  secrets(): string[] {
    return [this.secret, this.basic, this.basic.slice('Basic '.length)];
  }
}

class PasswordAuth implements Authenticator {
  readonly kind = 'password' as const;
  readonly canRelogin = true;
  generation = 0;
  private csrf: string | null = null;
  private readonly jar = new CookieJar();

  constructor(
    readonly principal: string,
    private readonly password: string,
  ) {}

  loginRequest(): LoginRequest {
    // A fresh login must not present the expired session.
    this.jar.clear();
    this.csrf = null;
    return {
      method: 'POST',
      path: '/rest/session',
      body: { email: this.principal, password: this.password },
      headers: {},
    };
  }

  loginSucceeded(csrfToken: string | null): void {
    this.csrf = csrfToken;
    this.generation++;
  }

  headers(): Record<string, string> {
    const h: Record<string, string> = {};
    const cookie = this.jar.header();
    if (cookie) h['Cookie'] = cookie;
    if (this.csrf) h['X-sess-id'] = this.csrf;
    return h;
  }

  onResponse(setCookie: readonly string[] | string | undefined): void {
    this.jar.update(setCookie);
  }

  reset(): void {
    this.jar.clear();
    this.csrf = null;
  }

  secrets(): string[] {
    const s = [this.password, ...this.jar.values()];
    if (this.csrf) s.push(this.csrf);
    return s;
  }
}

export function createAuthenticator(auth: SoarAuth): Authenticator {
  return auth.kind === 'api_key'
    ? new ApiKeyAuth(auth.api_key_id, auth.api_key_secret)
    : new PasswordAuth(auth.email, auth.password);
}
