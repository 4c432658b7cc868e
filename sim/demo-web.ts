/**
 * The demo's visit to a node's web UI, done the way a browser does it over real HTTPS (node's
 * https, trusting the demo CA): open a page, get sent to the sign-in form, read its hidden
 * fields (the CSRF token and `next`), keep the cookies it sets (the double-submit sign-in
 * cookie), post the form with the page's Origin, keep the session cookie, then ask the JSON
 * twins under `/ui/api/`. Cookies stay in this object: never logged nor printed.
 */
import { request } from 'node:https';
import { decodeEntities } from '../src/core/escape-html.js';

export interface WebAnswer {
  readonly status: number;
  readonly location: string | null;
  readonly body: string;
}

/** A web UI refused or answered unexpectedly; the message says where, and what came back. */
class WebVisitError extends Error {}

const MAX_REDIRECTS = 5;

/** The value of a hidden input of the page's form, HTML entities undone. */
function hiddenField(page: string, name: string): string {
  const input = page.match(new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`))?.[0];
  const value = input?.match(/\bvalue="([^"]*)"/)?.[1];
  if (value === undefined) throw new WebVisitError(`the sign-in page has no hidden field '${name}'`);
  return decodeEntities(value);
}

/** What a JSON error answer of the web UI says, for a failure message. */
function errorOf(a: WebAnswer): string {
  try {
    const e = (JSON.parse(a.body) as { error?: { code?: string; message?: string } }).error;
    if (e) return `${a.status} ${e.code ?? ''}: ${e.message ?? ''}`;
  } catch {
    // not JSON
  }
  return `${a.status}`;
}

export class WebVisitor {
  private readonly cookies = new Map<string, string>();
  readonly origin: string;

  constructor(private readonly port: number, private readonly ca: Buffer) {
    this.origin = `https://127.0.0.1:${port}`;
  }

  /** Whether the browser holds a cookie of this name. */
  has(cookie: string): boolean {
    return this.cookies.has(cookie);
  }

  private keepCookies(setCookie: readonly string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One request, no redirect followed. */
  send(method: 'GET' | 'POST', path: string, opts: { accept?: string; form?: URLSearchParams; referer?: string } = {}): Promise<WebAnswer> {
    const body = opts.form?.toString();
    const headers: Record<string, string> = { Accept: opts.accept ?? 'text/html' };
    if (this.cookies.size > 0) headers['Cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
      // What a browser sends with a form posted from a page of this origin.
      headers['Origin'] = this.origin;
    }
    if (opts.referer) headers['Referer'] = `${this.origin}${opts.referer}`;
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, path, method, headers, ca: this.ca, timeout: 15_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.keepCookies(res.headers['set-cookie']);
          const location = typeof res.headers.location === 'string' ? res.headers.location : null;
          resolve({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new WebVisitError(`${method} ${path}: no answer within 15 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A GET following redirects as a browser does; answers the final page and its path. */
  async open(path: string): Promise<WebAnswer & { path: string }> {
    let at = path;
    for (let i = 0; i <= MAX_REDIRECTS; i++) {
      const a = await this.send('GET', at);
      if (a.status < 300 || a.status >= 400 || a.location === null) return { ...a, path: at };
      const next = new URL(a.location, this.origin);
      if (next.origin !== this.origin) throw new WebVisitError(`GET ${at} sent the browser to another site`);
      at = next.pathname + next.search;
    }
    throw new WebVisitError(`GET ${path}: more than ${MAX_REDIRECTS} redirects`);
  }

  /**
   * Opens `start` unsigned (the UI sends the browser to its sign-in form), fills the form in
   * and posts it; answers where the UI sent the browser after signing in.
   */
  async signIn(start: string, brand: string, email: string, password: string): Promise<string> {
    const login = await this.open(start);
    if (login.status !== 200 || !login.path.startsWith('/ui/login')) throw new WebVisitError(`GET ${start} unsigned led to ${login.path} (${login.status}), not the sign-in form`);
    const form = new URLSearchParams({ _csrf: hiddenField(login.body, '_csrf'), next: hiddenField(login.body, 'next'), brand, email, password });
    const posted = await this.send('POST', '/ui/login', { form, referer: login.path });
    if (posted.status !== 303 && posted.status !== 302) {
      const alert = posted.body.match(/role="alert">([^<]*)</)?.[1];
      throw new WebVisitError(`sign-in as ${email} (brand ${brand}) refused: ${posted.status}${alert ? ` ${alert}` : ''}`);
    }
    return posted.location ?? '/ui/shared';
  }

  /** GET of a JSON twin with the session; throws unless it answers 200 with JSON. */
  async json<T>(path: string): Promise<T> {
    const a = await this.send('GET', path, { accept: 'application/json' });
    if (a.status !== 200) throw new WebVisitError(`GET ${path} answered ${errorOf(a)}`);
    try {
      return JSON.parse(a.body) as T;
    } catch {
      throw new WebVisitError(`GET ${path} answered 200 but no JSON`);
    }
  }
}
