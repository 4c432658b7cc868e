/**
 * Small pure helpers of the SOAR transport: URLs, cookies, response bodies.
 */
import type { SoarConfig } from '../config/types.js';

/** `/prefix` with one leading slash and no trailing one, or '' for none. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}

/** `https://host:port/prefix` (IPv6 literals bracketed). */
export function baseUrl(cfg: Pick<SoarConfig, 'host' | 'port' | 'resource_prefix'>): string {
  const host = cfg.host.includes(':') && !cfg.host.startsWith('[') ? `[${cfg.host}]` : cfg.host;
  return `https://${host}:${cfg.port}${normalizePrefix(cfg.resource_prefix)}`;
}

/**
 * The absolute REST path for a client path: paths starting with `/rest/` are used as they are,
 * anything else is relative to `/rest/orgs/<orgId>` (`/incidents/5` -> `/rest/orgs/201/incidents/5`).
 */
export function resolveRestPath(path: string, orgId: number): string {
  if (path === '/rest' || path.startsWith('/rest/')) return path;
  const rel = path === '' ? '' : path.startsWith('/') ? path : `/${path}`;
  return `/rest/orgs/${orgId}${rel}`;
}

/** A minimal cookie jar: name -> value, fed with Set-Cookie headers, sent back whole. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Applies Set-Cookie header lines; `Max-Age=0` or a past `Expires` deletes. */
  update(setCookie: readonly string[] | string | undefined): void {
    if (setCookie === undefined) return;
    const lines = typeof setCookie === 'string' ? [setCookie] : setCookie;
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';');
      if (!pair) continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expired = false;
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        const key = (k ?? '').trim().toLowerCase();
        if (key === 'max-age' && Number(v.trim()) <= 0) expired = true;
        if (key === 'expires') {
          const t = Date.parse(v.trim());
          if (!Number.isNaN(t) && t < Date.now()) expired = true;
        }
      }
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  clear(): void {
    this.cookies.clear();
  }

  values(): string[] {
    return [...this.cookies.values()];
  }

  /** The Cookie header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Parsed JSON of a response body (axios gives text); null for an empty body; undefined if not JSON. */
export function parseJsonBody(data: unknown): unknown {
  if (data === undefined || data === null) return null;
  if (typeof data !== 'string') {
    if (Buffer.isBuffer(data)) return parseJsonBody(data.toString('utf8'));
    return data;
  }
  if (data.trim() === '') return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

/** Query string values as strings (booleans as true/false). */
export function queryParams(query: Readonly<Record<string, string | number | boolean>> | undefined): Record<string, string> | undefined {
  if (!query) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) out[k] = String(v);
  return out;
}
