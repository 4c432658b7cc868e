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
 *
 * Compiled keys are snake_case, as in the YAML (here and in the sections of whitelist.ts and
 * triage.ts); a duration is compiled to milliseconds and its key says so (`timeout_s` ->
 * `timeout_ms`, `ack_timeout_hours` -> `ack_timeout_ms`).
 */

import type { ConfigKind } from './config-kinds.js';
import type { Whitelist } from './whitelist.js';
import type { TriageConfig } from './triage.js';
import type { LoggingConfig } from '../core/logger.js';

export type { Whitelist } from './whitelist.js';
export type { TriageConfig } from './triage.js';


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
  /** Invocations run at once per destination: that many subscriptions, each of prefetch 1. */
  readonly concurrency: number;
  /** On SIGTERM/SIGINT: how long in-flight invocations may take to finish. */
  readonly shutdown_grace_ms: number;
  /** Message ids remembered for redelivery dedupe. */
  readonly dedupe_size: number;
  /** A handler running longer than this is aborted and answered with an error; 0 = no limit. */
  readonly function_timeout_ms: number;
  /** Exit once a brand's broker has been unreachable this long (a supervisor restarts the process); 0 = never. */
  readonly exit_after_broker_down_ms: number;
}

export interface BrandConfig {
  readonly id: string;
  readonly soar: SoarConfig;
  readonly stomp: StompConfig;
  /** Message destinations (programmatic names) this brand's worker subscribes to. */
  readonly destinations: readonly string[];
  /**
   * What of this brand's incidents may leave it: its own `brands.<id>.whitelist` when given
   * (replacing the top-level one as a whole), else AppConfig.whitelist (the same object).
   */
  readonly whitelist: Whitelist;
}


/** Where one of the node's HTTPS servers listens (`node.listen`: the peer API; `web.listen`: the web UI). */
export interface ListenConfig {
  /** Address to bind: `0.0.0.0` (default: every IPv4 interface), `::`, `127.0.0.1`, a host name. */
  readonly host: string;
  readonly port: number;
}

/**
 * The node's own certificate and the network CA, as absolute paths of PEM files (checked to
 * exist when the config is loaded). The certificate names the node by a SAN URI
 * `urn:soar-clearing:node:<node id>` (or, failing that, its CN); it serves as server
 * certificate of the peer API and of the web UI, and as client certificate towards peers.
 */
export interface NodeTlsConfig {
  readonly cert: string;
  readonly key: string;
  /** The network CA: the only CA trusted for peers' certificates, both directions. */
  readonly ca: string;
}

export interface NodeConfig {
  /** This clearing node's identity, echoed by clearing_ping and presented to peers in its certificate. */
  readonly id: string;
  /** null: no peer API (a worker-only node). */
  readonly listen: ListenConfig | null;
  /** null: no certificate (a worker-only node). Required with `listen` and with `network`. */
  readonly tls: NodeTlsConfig | null;
}

/** Another clearing node of the network. */
export interface PeerConfig {
  /** Its node id: what its certificate must name. */
  readonly id: string;
  /** Base URL of its peer API: `https://host:port` (a path prefix is kept), no trailing slash. */
  readonly url: string;
  /** The brands it serves (each brand of the network belongs to exactly one node). */
  readonly brands: readonly string[];
}

/** How copies distributed by other brands are created in this node's SOARs. */
export interface ReceivedConfig {
  /** SOAR user (email) to own a received copy, or null to leave SOAR's default. */
  readonly owner: string | null;
  /** SOAR group to own a received copy, or null. */
  readonly group: string | null;
}

/** What the primary pushes of its SOAR configuration, and when (network.config_push). */
export interface ConfigPushConfig {
  /** The brand whose configuration is the reference; null: this node's first brand. */
  readonly reference_brand: string | null;
  /** Kinds of configuration pushed (all by default). */
  readonly kinds: readonly ConfigKind[];
  /** Only objects carrying one of these tags (or matching name_prefixes); empty: no filter. */
  readonly tags: readonly string[];
  /** Only objects whose programmatic name starts with one of these (or tagged); empty: no filter. */
  readonly name_prefixes: readonly string[];
  /** On the primary, push every this many ms; 0: never by schedule. */
  readonly schedule_ms: number;
}

export interface NetworkConfig {
  /** Node id of the primary: the node whose SOAR configuration is distributed to the others. */
  readonly primary: string;
  /** The other nodes, in the order of the file. */
  readonly peers: readonly PeerConfig[];
  readonly received: ReceivedConfig;
  /** Whether a copy received from another brand may be distributed further. */
  readonly allow_redistribution: boolean;
  /** Time a call to a peer may take, connection included. */
  readonly timeout_ms: number;
  readonly config_push: ConfigPushConfig;
}

/** The web UI (src/web/): analysts of this node's brands read what other brands share with them. */
export interface WebConfig {
  /** Its own HTTPS listener (the node's certificate; no client certificate asked). */
  readonly listen: ListenConfig;
  /** HMAC key of the session cookies (a secret); null: a random key per process. */
  readonly session_secret: string | null;
  /** A session unused this long is over. */
  readonly idle_timeout_ms: number;
  /** A session is over this long after sign-in, however busy. */
  readonly session_max_ms: number;
  /** The UI's origin as browsers see it (`https://host[:port]`), for the CSRF check; null: the node certificate's names with the listen port. */
  readonly origin: string | null;
  /** SOAR groups (names) whose members may sign in; a user needs one of these or of allowed_roles. */
  readonly allowed_groups: readonly string[];
  /**
   * SOAR role ids whose holders may sign in: a signed-in session lists the user's roles only as
   * numeric ids (`orgs[].role_handles`), so names could never match (they are refused).
   */
  readonly allowed_roles: readonly number[];
  /** Failed sign-ins allowed per user (4x per client address) within window_ms; beyond, each further failure doubles the wait before the next try (web/throttle.ts). */
  readonly login_throttle: { readonly max_failures: number; readonly window_ms: number };
}

/** The admin listener: /healthz, /readyz and /metrics over plain HTTP, no authentication. */
export interface AdminConfig {
  /** Default 127.0.0.1:8445: loopback, for the `health` command and a local Prometheus agent. */
  readonly listen: ListenConfig;
}

export interface AppConfig {
  /** Absolute path of the file the config was read from. */
  readonly source: string;
  readonly node: NodeConfig;
  /** The clearing network, or null when this node runs its brands' workers only. */
  readonly network: NetworkConfig | null;
  /** The web UI, or null when the config has no `web:` section. */
  readonly web: WebConfig | null;
  /** The admin listener, or null when the config has no `admin:` section. */
  readonly admin: AdminConfig | null;
  /** The top-level `whitelist:`, compiled; the built-in default whitelist when absent. */
  readonly whitelist: Whitelist;
  readonly brands: readonly BrandConfig[];
  readonly worker: WorkerConfig;
  readonly logging: LoggingConfig;
  /** Priority scoring, acknowledgement lifecycle, thresholds; every default filled when absent. */
  readonly triage: TriageConfig;
}
