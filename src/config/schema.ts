/**
 * JSON schema (draft-07, for ajv) of app.config.yaml as written by the admin: snake_case keys,
 * durations in seconds. `load.ts` validates the parsed (and ${ENV}-substituted) YAML against it,
 * translates ajv's errors into `path: message` problems, and compiles the result into the
 * millisecond-based `AppConfig` of `types.ts`.
 *
 * Every object has `additionalProperties: false` so that a misspelt key is reported instead of
 * silently ignored. Rules a schema expresses badly (exactly one of `soar:` / `brands:`, keys that
 * only make sense with the shorthand form, max >= initial, file existence) live in `load.ts`.
 */

import { ALL_CONFIG_KINDS, type ConfigKind } from './config-kinds.js';
import { type RawWhitelist, whitelistJsonSchema } from './whitelist.js';
import { type RawTriage, triageJsonSchema } from './triage.js';

/** Brand ids and node ids: short, lowercase, usable in destinations, URLs and log lines. */
export const ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,31}$';
/** A host name or address: no scheme, path or blanks (`soar.example.com`, `10.0.0.5`, `::1`). */
const HOST_PATTERN = '^[^\\s/]+$';
/** A message destination's programmatic name, as shown in SOAR (`fn_clearing`). */
const DESTINATION_PATTERN = '^[A-Za-z0-9_]+$';

/** A SOAR user's email address (loosely: something@something, no blanks). */
const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+$';

/** Friendly wording of the patterns above, used when a value does not match. */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [ID_PATTERN]: 'must be 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit',
  [HOST_PATTERN]: 'must be a host name or address, without scheme or path (e.g. soar.example.com)',
  [DESTINATION_PATTERN]:
    "must be a message destination's programmatic name (letters, digits and _, e.g. fn_clearing)",
  [EMAIL_PATTERN]: "must be a SOAR user's email address (e.g. analyst@example.com)",
};

/** Longest duration accepted anywhere (one day): keeps every timer far below Node's 2^31 ms limit. */
const MAX_SECONDS = 86_400;

/** Every default, in the YAML's units (seconds). The schema's `default`s and load.ts both use it. */
export const DEFAULTS = {
  brand_id: 'default',
  destinations: ['fn_clearing'],
  soar: {
    port: 443,
    verify: true,
    resource_prefix: '',
    timeout_s: 30,
    retries: 3,
    retry_backoff_s: 1,
    retry_max_backoff_s: 30,
  },
  stomp: {
    port: 65001,
    tls: true,
    heartbeat_s: 15,
    heartbeat_out_s: 0,
    connect_timeout_s: 30,
    reconnect_initial_s: 1,
    reconnect_max_s: 60,
  },
  worker: {
    concurrency: 10,
    shutdown_grace_s: 30,
    dedupe_size: 10_000,
    function_timeout_s: 0,
    exit_after_broker_down_s: 0,
  },
  logging: {
    level: 'info',
    format: 'auto',
    max_size_mb: 100,
    max_files: 5,
  },
  listen: {
    host: '0.0.0.0',
    port: 8443,
  },
  network: {
    allow_redistribution: false,
    timeout_s: 15,
    config_push: { schedule_minutes: 0 },
  },
  admin: {
    host: '127.0.0.1',
    port: 8445,
  },
  web: {
    host: '0.0.0.0',
    port: 8444,
    idle_timeout_minutes: 30,
    session_max_hours: 12,
    login_max_failures: 5,
    login_window_s: 300,
  },
} as const;

// ---- the YAML's shape after validation (null-valued keys removed, scalars coerced) ----

export interface RawSoar {
  host: string;
  port?: number;
  org: string;
  api_key_id?: string;
  api_key_secret?: string;
  email?: string;
  password?: string;
  cafile?: string;
  verify?: boolean;
  resource_prefix?: string;
  timeout_s?: number;
  retries?: number;
  retry_backoff_s?: number;
  retry_max_backoff_s?: number;
  proxy?: string;
}

export interface RawStomp {
  host?: string;
  port?: number;
  tls?: boolean;
  cafile?: string;
  verify?: boolean;
  heartbeat_s?: number;
  heartbeat_out_s?: number;
  connect_timeout_s?: number;
  reconnect_initial_s?: number;
  reconnect_max_s?: number;
}

export interface RawBrand {
  soar: RawSoar;
  stomp?: RawStomp;
  destinations?: string[];
  /** This brand's own whitelist, replacing the top-level one for it. */
  whitelist?: RawWhitelist;
}

export interface RawWorker {
  concurrency?: number;
  shutdown_grace_s?: number;
  dedupe_size?: number;
  function_timeout_s?: number;
  exit_after_broker_down_s?: number;
}

export interface RawLogging {
  level?: 'error' | 'warn' | 'info' | 'debug';
  format?: 'text' | 'json' | 'auto';
  file?: string;
  max_size_mb?: number;
  max_files?: number;
}

export interface RawListen {
  host?: string;
  port?: number;
}

export interface RawNodeTls {
  cert: string;
  key: string;
  ca: string;
}

export interface RawNode {
  id: string;
  listen?: RawListen;
  tls?: RawNodeTls;
}

export interface RawPeer {
  url: string;
  brands: string[];
}

export interface RawNetwork {
  primary: string;
  peers?: Record<string, RawPeer>;
  received?: { owner?: string; group?: string };
  allow_redistribution?: boolean;
  timeout_s?: number;
  config_push?: RawConfigPush;
}

export interface RawConfigPush {
  reference_brand?: string;
  kinds?: ConfigKind[];
  tags?: string[];
  name_prefixes?: string[];
  schedule_minutes?: number;
}

export interface RawWeb {
  listen?: RawListen;
  session_secret?: string;
  idle_timeout_minutes?: number;
  session_max_hours?: number;
  origin?: string;
  allowed_groups?: string[];
  allowed_roles?: (number | string)[];
  login_throttle?: { max_failures?: number; window_s?: number };
}

export interface RawAdmin {
  listen?: RawListen;
}

export interface RawConfig {
  node: RawNode;
  web?: RawWeb;
  admin?: RawAdmin;
  network?: RawNetwork;
  /** What may leave this node's brands (the whitelist module's YAML form). */
  whitelist?: RawWhitelist;
  brand_id?: string;
  soar?: RawSoar;
  stomp?: RawStomp;
  destinations?: string[];
  brands?: Record<string, RawBrand>;
  worker?: RawWorker;
  logging?: RawLogging;
  /** Priority scoring, acknowledgement lifecycle and distribution thresholds (triage.ts). */
  triage?: RawTriage;
}

// ---- schema building blocks ----

const text = { type: 'string', minLength: 1 } as const;
const host = { type: 'string', minLength: 1, pattern: HOST_PATTERN } as const;
const port = (dflt: number) => ({ type: 'integer', minimum: 1, maximum: 65535, default: dflt }) as const;
/** Where a listener binds: the peer API, the web UI, the admin listener. */
const listen = (dflt: { readonly host: string; readonly port: number }) => ({
  type: 'object',
  additionalProperties: false,
  properties: { host: { ...host, default: dflt.host }, port: port(dflt.port) },
}) as const;
const seconds = (dflt: number, positive = false) =>
  positive
    ? ({ type: 'number', exclusiveMinimum: 0, maximum: MAX_SECONDS, default: dflt } as const)
    : ({ type: 'number', minimum: 0, maximum: MAX_SECONDS, default: dflt } as const);
const filePath = { type: 'string', minLength: 1 } as const;

const destinations = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, pattern: DESTINATION_PATTERN },
  default: DEFAULTS.destinations,
} as const;

const soar = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'org'],
  properties: {
    host,
    port: port(DEFAULTS.soar.port),
    org: text,
    api_key_id: text,
    api_key_secret: text,
    email: text,
    password: text,
    cafile: filePath,
    verify: { type: 'boolean', default: DEFAULTS.soar.verify },
    resource_prefix: { type: 'string', pattern: '^[^\\s?#]*$', default: DEFAULTS.soar.resource_prefix },
    timeout_s: seconds(DEFAULTS.soar.timeout_s, true),
    retries: { type: 'integer', minimum: 0, maximum: 100, default: DEFAULTS.soar.retries },
    retry_backoff_s: seconds(DEFAULTS.soar.retry_backoff_s),
    retry_max_backoff_s: seconds(DEFAULTS.soar.retry_max_backoff_s),
    proxy: text,
  },
  // A half pair names its missing half...
  dependencies: {
    api_key_id: ['api_key_secret'],
    api_key_secret: ['api_key_id'],
    email: ['password'],
    password: ['email'],
  },
  // ...and exactly one pair must be (at least partly) there.
  oneOf: [
    { anyOf: [{ required: ['api_key_id'] }, { required: ['api_key_secret'] }] },
    { anyOf: [{ required: ['email'] }, { required: ['password'] }] },
  ],
} as const;

const stomp = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host,
    port: port(DEFAULTS.stomp.port),
    tls: { type: 'boolean', default: DEFAULTS.stomp.tls },
    cafile: filePath,
    verify: { type: 'boolean' },
    heartbeat_s: seconds(DEFAULTS.stomp.heartbeat_s),
    heartbeat_out_s: seconds(DEFAULTS.stomp.heartbeat_out_s),
    connect_timeout_s: seconds(DEFAULTS.stomp.connect_timeout_s, true),
    reconnect_initial_s: seconds(DEFAULTS.stomp.reconnect_initial_s, true),
    reconnect_max_s: seconds(DEFAULTS.stomp.reconnect_max_s, true),
  },
} as const;

const brand = {
  type: 'object',
  additionalProperties: false,
  required: ['soar'],
  properties: {
    soar: { $ref: '#/definitions/soar' },
    stomp: { $ref: '#/definitions/stomp' },
    destinations: { $ref: '#/definitions/destinations' },
    whitelist: { $ref: '#/definitions/whitelist' },
  },
} as const;

/** The schema of app.config.yaml. */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://soar-clearing.local/app.config.schema.json',
  title: 'soar-clearing app.config.yaml',
  type: 'object',
  additionalProperties: false,
  required: ['node'],
  // The whitelist's schema is its section module's own (whitelist.ts).
  definitions: { soar, stomp, destinations, whitelist: whitelistJsonSchema },
  properties: {
    node: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        id: { type: 'string', pattern: ID_PATTERN },
        listen: listen(DEFAULTS.listen),
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key', 'ca'],
          properties: { cert: filePath, key: filePath, ca: filePath },
        },
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      required: ['primary'],
      properties: {
        primary: { type: 'string', pattern: ID_PATTERN },
        peers: {
          type: 'object',
          propertyNames: { pattern: ID_PATTERN },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['url', 'brands'],
            properties: {
              url: text,
              brands: {
                type: 'array',
                minItems: 1,
                uniqueItems: true,
                items: { type: 'string', pattern: ID_PATTERN },
              },
            },
          },
        },
        received: {
          type: 'object',
          additionalProperties: false,
          properties: {
            owner: { type: 'string', minLength: 1, pattern: EMAIL_PATTERN },
            group: text,
          },
        },
        allow_redistribution: { type: 'boolean', default: DEFAULTS.network.allow_redistribution },
        timeout_s: seconds(DEFAULTS.network.timeout_s, true),
        config_push: {
          type: 'object',
          additionalProperties: false,
          properties: {
            reference_brand: { type: 'string', pattern: ID_PATTERN },
            kinds: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ALL_CONFIG_KINDS } },
            tags: { type: 'array', uniqueItems: true, items: text },
            name_prefixes: { type: 'array', uniqueItems: true, items: text },
            schedule_minutes: { type: 'integer', minimum: 0, maximum: 1440, default: DEFAULTS.network.config_push.schedule_minutes },
          },
        },
      },
    },
    web: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: listen(DEFAULTS.web),
        // HMAC key of the session cookies; absent: a random one per process.
        session_secret: { type: 'string', minLength: 32 },
        idle_timeout_minutes: { type: 'number', exclusiveMinimum: 0, maximum: MAX_SECONDS / 60, default: DEFAULTS.web.idle_timeout_minutes },
        // A session ends this long after sign-in, however busy.
        session_max_hours: { type: 'number', exclusiveMinimum: 0, maximum: 168, default: DEFAULTS.web.session_max_hours },
        // The UI's origin as browsers see it (behind a proxy); absent: the names of the node certificate.
        origin: { type: 'string', pattern: '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^https://\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?$' },
        allowed_groups: { type: 'array', uniqueItems: true, items: text },
        // Role ids; names are refused in checkWeb with what to write instead.
        allowed_roles: { type: 'array', uniqueItems: true, items: { anyOf: [{ type: 'integer' }, text] } },
        login_throttle: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_failures: { type: 'integer', minimum: 1, maximum: 1000, default: DEFAULTS.web.login_max_failures },
            window_s: seconds(DEFAULTS.web.login_window_s, true),
          },
        },
      },
    },
    // The admin listener (plain HTTP, no authentication): /healthz, /readyz, /metrics.
    admin: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: listen(DEFAULTS.admin),
      },
    },
    whitelist: { $ref: '#/definitions/whitelist' },
    brand_id: { type: 'string', pattern: ID_PATTERN, default: DEFAULTS.brand_id },
    soar: { $ref: '#/definitions/soar' },
    stomp: { $ref: '#/definitions/stomp' },
    destinations: { $ref: '#/definitions/destinations' },
    brands: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: ID_PATTERN },
      additionalProperties: brand,
    },
    worker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        concurrency: { type: 'integer', minimum: 1, maximum: 1000, default: DEFAULTS.worker.concurrency },
        shutdown_grace_s: seconds(DEFAULTS.worker.shutdown_grace_s),
        dedupe_size: { type: 'integer', minimum: 1, maximum: 10_000_000, default: DEFAULTS.worker.dedupe_size },
        function_timeout_s: seconds(DEFAULTS.worker.function_timeout_s),
        // Exit (code 34) once a brand's broker has been unreachable this long, for a supervisor
        // that restarts the process (resilient-circuits' heartbeat_timeout_threshold); 0: never.
        exit_after_broker_down_s: seconds(DEFAULTS.worker.exit_after_broker_down_s),
      },
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['error', 'warn', 'info', 'debug'], default: DEFAULTS.logging.level },
        // auto: text on a terminal, JSON lines elsewhere (core/logger.ts chooseFormat).
        format: { enum: ['text', 'json', 'auto'], default: DEFAULTS.logging.format },
        file: filePath,
        // Rotation of the file by size (winston's File transport).
        max_size_mb: { type: 'integer', minimum: 1, maximum: 1_048_576, default: DEFAULTS.logging.max_size_mb },
        max_files: { type: 'integer', minimum: 1, maximum: 1000, default: DEFAULTS.logging.max_files },
      },
    },
    triage: triageJsonSchema,
  },
} as const;
