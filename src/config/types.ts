/**
 * The compiled configuration: what `loadConfig` returns after reading app.config.yaml,
 * substituting ${ENV} references, validating and filling every default. Deeply frozen.
 *
 * A node serves one or more brands. The YAML may say so in two ways:
 *   - shorthand: top-level `soar:` and `stomp:` sections describe a single brand
 *     (its id is `brand_id`, default "default");
 *   - full: `brands: { <brand id>: { soar: ..., stomp: ..., destinations: [...] } }`.
 * Both compile to `brands: BrandConfig[]`. Error paths use the YAML's own spelling
 * (`soar.api_key_secret: required`, `brands.eu.soar.host: required`).
 */

export const LogFormat = { Text: 'text', Json: 'json' } as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];

export const LogLevel = {
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** How the REST client and the STOMP connection check the server's certificate. */
export interface TlsTrust {
  /** false only when the admin explicitly said `verify: false` (logged as a warning at start). */
  readonly verify: boolean;
  /** PEM bundle of CAs to trust instead of Node's defaults; absolute path. */
  readonly cafile: string | null;
}

export interface RetryConfig {
  /** Attempts after the first one; 0 disables retries. */
  readonly retries: number;
  /** First backoff delay; doubled on each further attempt, with jitter. */
  readonly backoff_ms: number;
  readonly max_backoff_ms: number;
}

export type SoarAuth =
  | { readonly kind: 'api_key'; readonly api_key_id: string; readonly api_key_secret: string }
  | { readonly kind: 'password'; readonly email: string; readonly password: string };

export interface SoarConfig {
  readonly host: string;
  readonly port: number;
  /** Org name, uuid or cloud_account, matched in that order of preference: cloud_account, uuid, name. */
  readonly org: string;
  readonly auth: SoarAuth;
  readonly tls: TlsTrust;
  /** Path prefix inserted before /rest (e.g. behind a reverse proxy); '' when none. */
  readonly resource_prefix: string;
  readonly timeout_ms: number;
  readonly retry: RetryConfig;
  /** http(s) proxy URL, or null. */
  readonly proxy: string | null;
}

export interface StompConfig {
  readonly host: string;
  readonly port: number;
  /** true: STOMP over TLS (SOAR's default, port 65001). */
  readonly tls: boolean;
  readonly trust: TlsTrust;
  /** Login and passcode: the brand's SOAR credentials (API key or email/password). */
  readonly login: string;
  readonly passcode: string;
  /** Server-to-client heart-beat we ask for, in ms (SOAR: 15000). 0 disables. */
  readonly heartbeat_in_ms: number;
  /** Client-to-server heart-beat we offer, in ms (SOAR apps: 0). */
  readonly heartbeat_out_ms: number;
  readonly connect_timeout_ms: number;
  readonly reconnect: {
    readonly initial_ms: number;
    readonly max_ms: number;
  };
}

export interface WorkerConfig {
  /** Invocations run at once per brand; also the subscription's activemq.prefetchSize. */
  readonly concurrency: number;
  /** On SIGTERM/SIGINT: how long in-flight invocations may take to finish. */
  readonly shutdown_grace_ms: number;
  /** Message ids remembered for redelivery dedupe. */
  readonly dedupe_size: number;
  /** A handler running longer than this is aborted and answered with an error; 0 = no limit. */
  readonly function_timeout_ms: number;
}

export interface BrandConfig {
  readonly id: string;
  readonly soar: SoarConfig;
  readonly stomp: StompConfig;
  /** Message destinations (programmatic names) this brand's worker subscribes to. */
  readonly destinations: readonly string[];
}

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Also log to this file (absolute path), or null for stderr only. */
  readonly file: string | null;
}

export interface NodeConfig {
  /** This clearing node's identity, echoed by clearing_ping and used by peers later. */
  readonly id: string;
}

export interface AppConfig {
  /** Absolute path of the file the config was read from. */
  readonly source: string;
  readonly node: NodeConfig;
  readonly brands: readonly BrandConfig[];
  readonly worker: WorkerConfig;
  readonly logging: LoggingConfig;
}
