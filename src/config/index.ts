/**
 * Configuration: load app.config.yaml into a frozen AppConfig, print it without secrets, list
 * the secrets the logger must scrub, and tell which node serves a brand.
 */
import type { AppConfig, BrandConfig, PeerConfig, SoarConfig } from './types.js';
import { redactUrlPassword } from '../core/text.js';
import { describeWeb } from './web.js';

export * from './types.js';
export { loadConfig, parseConfig, resolveConfigPath } from './load.js';
export { expandEnv } from './env.js';
export { configSchema } from './schema.js';

const REDACTED = '***';

/** A plain, unfrozen copy of JSON-like data. */
function plainCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function proxyPassword(url: string | null): string[] {
  if (url === null) return [];
  try {
    const raw = new URL(url).password;
    if (raw === '') return [];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // keep the raw form only
    }
    return [raw, decoded];
  } catch {
    return [];
  }
}

function describeSoar(soar: SoarConfig): Record<string, unknown> {
  return {
    host: soar.host,
    port: soar.port,
    org: soar.org,
    auth:
      soar.auth.kind === 'api_key'
        ? { kind: 'api_key', api_key_id: soar.auth.api_key_id, api_key_secret: REDACTED }
        : { kind: 'password', email: soar.auth.email, password: REDACTED },
    tls: { ...soar.tls },
    resource_prefix: soar.resource_prefix,
    timeout_ms: soar.timeout_ms,
    retry: { ...soar.retry },
    proxy: soar.proxy === null ? null : redactUrlPassword(soar.proxy),
  };
}

function describeBrand(brand: BrandConfig): Record<string, unknown> {
  const { stomp } = brand;
  return {
    id: brand.id,
    soar: describeSoar(brand.soar),
    stomp: {
      host: stomp.host,
      port: stomp.port,
      tls: stomp.tls,
      trust: { ...stomp.trust },
      login: stomp.login,
      passcode: REDACTED,
      heartbeat_in_ms: stomp.heartbeat_in_ms,
      heartbeat_out_ms: stomp.heartbeat_out_ms,
      connect_timeout_ms: stomp.connect_timeout_ms,
      reconnect: { ...stomp.reconnect },
    },
    destinations: [...brand.destinations],
  };
}

/**
 * A printable copy of the configuration (plain, JSON-serialisable, not frozen) with every
 * secret (API key secrets, passwords, STOMP passcodes, proxy passwords) replaced by "***".
 * API key ids and emails stay visible: they say which account is used.
 */
export function describeConfig(cfg: AppConfig): Record<string, unknown> {
  return {
    source: cfg.source,
    node: {
      id: cfg.node.id,
      listen: cfg.node.listen === null ? null : { ...cfg.node.listen },
      tls: cfg.node.tls === null ? null : { ...cfg.node.tls },
    },
    network:
      cfg.network === null
        ? null
        : {
            ...cfg.network,
            peers: cfg.network.peers.map((p) => ({ ...p, brands: [...p.brands] })),
            received: { ...cfg.network.received },
          },
    web: describeWeb(cfg.web, REDACTED),
    admin: cfg.admin === null ? null : { listen: { ...cfg.admin.listen } },
    whitelist: plainCopy(cfg.whitelist),
    brands: cfg.brands.map((brand) => ({
      ...describeBrand(brand),
      // A brand's own whitelist in full; otherwise a pointer to the top-level one.
      whitelist: brand.whitelist === cfg.whitelist ? 'the top-level whitelist' : plainCopy(brand.whitelist),
    })),
    worker: { ...cfg.worker },
    logging: { ...cfg.logging },
    triage: plainCopy(cfg.triage),
  };
}

/**
 * Every secret string in the configuration, and the passwords of the environment's proxies,
 * distinct, longest first (so that a scrubber replacing them in turn never leaves the tail of a
 * longer one behind).
 */
export function secretsOf(cfg: AppConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const secrets = new Set<string>();
  for (const brand of cfg.brands) {
    const { auth } = brand.soar;
    secrets.add(auth.kind === 'api_key' ? auth.api_key_secret : auth.password);
    secrets.add(brand.stomp.passcode);
    for (const p of proxyPassword(brand.soar.proxy)) secrets.add(p);
  }
  if (cfg.web?.session_secret) secrets.add(cfg.web.session_secret);
  // The proxies of the environment (src/http/proxy.ts) may carry a password too.
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) for (const p of proxyPassword(env[name] ?? null)) secrets.add(p);
  return [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length);
}

/**
 * Every brand of the clearing network: this node's own brands and every peer's, sorted.
 * Without a network section, this node's brands alone.
 */
export function networkBrands(cfg: AppConfig): string[] {
  const ids = new Set(cfg.brands.map((b) => b.id));
  for (const peer of cfg.network?.peers ?? []) for (const brand of peer.brands) ids.add(brand);
  return [...ids].sort();
}

/** Which node serves a brand: this one, a peer (with its entry), or none known (null). */
export type BrandOwner = { readonly kind: 'local' } | { readonly kind: 'peer'; readonly peer: PeerConfig };

export function brandOwner(cfg: AppConfig, brand: string): BrandOwner | null {
  if (cfg.brands.some((b) => b.id === brand)) return { kind: 'local' };
  const peer = cfg.network?.peers.find((p) => p.brands.includes(brand));
  return peer === undefined ? null : { kind: 'peer', peer };
}
