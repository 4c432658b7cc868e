/**
 * The `triage:` section of app.config.yaml: asset classification, consequence severities, the
 * residual-impact rule, the acknowledgement timeout, the sweep interval and the distribution
 * thresholds. Its YAML form (every key optional; the values shown are the defaults):
 *
 * ```yaml
 * triage:
 *   assets:                        # asset name -> match rules and classification
 *     asset-1:
 *       hostnames: [srv-fin-01, "*.plant.example"]   # artifact values, case-insensitive, * = any text
 *       ips: [10.1.0.0/16, 192.0.2.10]              # artifact values inside these addresses/CIDRs
 *       fields: { properties.site: [Plant A] }      # incident field (path) -> list of values that match
 *       operations: 3              # operations classification 1 (no immediate impact) .. 4 (immediate impact)
 *       security: 3                # security classification 1 (unclassified) .. 4 (top secret)
 *       business_impact: /All Asset/Business Impact/Analysis/Business Role/Revenue
 *       group: false               # true: a class of assets (e.g. desktops): each distinct matching
 *                                  # artifact value counts as one asset (for the residual rule)
 *   default_asset: { operations: 1, security: 1 }   # stands for the incident when no asset matches
 *   consequence:
 *     default: 2                   # consequence severity 1..4 or marginal (2), critical (3), catastrophic (4)
 *     incident_types: { Malware: critical }         # incident type name (or id) -> severity
 *     rules: { Brute Force Success: catastrophic }  # detection rule name -> severity
 *     rule_field: null             # incident field holding the rule name, e.g. properties.siem_rule
 *   residual: null                 # e.g. { count: 3, adds: 1, max_adds: 1 }
 *   ack_timeout_hours: 24          # a Pending row older than this becomes Not Acknowledged
 *   sweep_interval_s: 60           # 0: no periodic sweep
 *   thresholds:                    # distribution triggers, see thresholds.ts
 *     - name: high-priority
 *       score_at_least: 6          # either a score threshold ...
 *       # shared_artifact: { incidents: 3, within_minutes: 30, types: [IP Address] }   # ... or this
 *       mode: first                # first | subsequent | every
 *       distribute_to: [soar3]
 * ```
 */
import { isIP } from 'node:net';
import type { ConfigProblem } from './env.js';
import { type PathSegment, formatPath } from '../core/schema-problems.js';
import { isRecord } from '../core/json.js';

const SEVERITY_NAMES = { marginal: 2, critical: 3, catastrophic: 4 } as const;
export type Severity = 1 | 2 | 3 | 4;
export type TriggerMode = 'first' | 'subsequent' | 'every';

export interface RawAsset {
  hostnames?: string[];
  ips?: string[];
  fields?: Record<string, string[]>;
  operations: number;
  security: number;
  business_impact?: string;
  group?: boolean;
}

export interface RawThreshold {
  name: string;
  score_at_least?: number;
  shared_artifact?: { incidents: number; within_minutes: number; types?: string[] };
  mode?: TriggerMode;
  distribute_to: string[];
}

export interface RawTriage {
  assets?: Record<string, RawAsset>;
  default_asset?: { operations: number; security: number };
  consequence?: {
    default?: number | string;
    incident_types?: Record<string, number | string>;
    rules?: Record<string, number | string>;
    rule_field?: string;
  };
  residual?: { count: number; adds?: number; max_adds?: number };
  ack_timeout_hours?: number;
  sweep_interval_s?: number;
  thresholds?: RawThreshold[];
}

/** One classified asset and what identifies it in an incident. */
export interface AssetRule {
  readonly name: string;
  /** Lower-case patterns; `*` matches any text. */
  readonly hostnames: readonly string[];
  /** Addresses or CIDRs (`10.0.0.0/8`, `2001:db8::/32`). */
  readonly ips: readonly string[];
  readonly fields: readonly { readonly path: string; readonly values: readonly string[] }[];
  readonly operations: Severity;
  readonly security: Severity;
  readonly business_impact: string | null;
  /** A class of assets: every distinct matching artifact value is one asset. */
  readonly group: boolean;
}

export interface ResidualRule {
  /** Every `count` further assets ... */
  readonly count: number;
  /** ... add `adds` to the incident score ... */
  readonly adds: number;
  /** ... up to `max_adds` in all. */
  readonly max_adds: number;
}

export type ThresholdCondition =
  | { readonly kind: 'score'; readonly at_least: number }
  | { readonly kind: 'shared_artifact'; readonly incidents: number; readonly within_ms: number; readonly types: readonly string[] };

export interface ThresholdRule {
  readonly name: string;
  readonly when: ThresholdCondition;
  readonly mode: TriggerMode;
  readonly distribute_to: readonly string[];
}

export interface TriageConfig {
  readonly assets: readonly AssetRule[];
  readonly default_asset: { readonly operations: Severity; readonly security: Severity };
  readonly consequence: {
    readonly default: Severity;
    /** Lower-case incident type name or id -> severity. */
    readonly incident_types: readonly { readonly name: string; readonly severity: Severity }[];
    /** Lower-case rule name -> severity. */
    readonly rules: readonly { readonly name: string; readonly severity: Severity }[];
    readonly rule_field: string | null;
  };
  readonly residual: ResidualRule | null;
  readonly ack_timeout_ms: number;
  /** 0: no periodic sweep. */
  readonly sweep_interval_ms: number;
  readonly thresholds: readonly ThresholdRule[];
}

const TRIAGE_DEFAULTS = {
  default_asset: { operations: 1, security: 1 },
  consequence_default: 2,
  ack_timeout_hours: 24,
  sweep_interval_s: 60,
  mode: 'first',
  residual_adds: 1,
} as const;

// ---- schema ----

const classification = { type: 'integer', minimum: 1, maximum: 4 } as const;
const severity = { enum: [1, 2, 3, 4, ...Object.keys(SEVERITY_NAMES)] } as const;
const names = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

/** JSON schema of the section (no $ref: the config schema embeds it as the `triage` key's schema). */
export const triageJsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    assets: {
      type: 'object',
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['operations', 'security'],
        properties: {
          hostnames: names,
          ips: names,
          fields: { type: 'object', additionalProperties: names },
          operations: classification,
          security: classification,
          business_impact: { type: 'string', minLength: 1 },
          group: { type: 'boolean' },
        },
      },
    },
    default_asset: {
      type: 'object',
      additionalProperties: false,
      required: ['operations', 'security'],
      properties: { operations: classification, security: classification },
    },
    consequence: {
      type: 'object',
      additionalProperties: false,
      properties: {
        default: severity,
        incident_types: { type: 'object', additionalProperties: severity },
        rules: { type: 'object', additionalProperties: severity },
        rule_field: { type: 'string', minLength: 1 },
      },
    },
    residual: {
      type: 'object',
      additionalProperties: false,
      required: ['count'],
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 10_000 },
        adds: { type: 'integer', minimum: 1, maximum: 8 },
        max_adds: { type: 'integer', minimum: 1, maximum: 8 },
      },
    },
    ack_timeout_hours: { type: 'number', exclusiveMinimum: 0, maximum: 8760 },
    sweep_interval_s: { type: 'number', minimum: 0, maximum: 86_400 },
    thresholds: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'distribute_to'],
        properties: {
          name: { type: 'string', pattern: NAME_PATTERN },
          score_at_least: { type: 'number', minimum: 0, maximum: 100 },
          shared_artifact: {
            type: 'object',
            additionalProperties: false,
            required: ['incidents', 'within_minutes'],
            properties: {
              incidents: { type: 'integer', minimum: 2, maximum: 1000 },
              within_minutes: { type: 'number', exclusiveMinimum: 0, maximum: 10_080 },
              types: names,
            },
          },
          mode: { enum: ['first', 'subsequent', 'every'] },
          distribute_to: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
} as const;

// ---- checks the schema cannot express ----

/** `10.0.0.0/8`, `192.0.2.1`, `2001:db8::/32`: valid? */
function isAddressOrCidr(text: string): boolean {
  const [address, prefix, more] = text.split('/');
  if (more !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Every brand the YAML names: this node's (brand_id or brands) and the peers'. */
function brandsOf(data: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  if (isRecord(data['brands'])) for (const id of Object.keys(data['brands'])) out.add(id);
  else out.add(typeof data['brand_id'] === 'string' ? data['brand_id'] : 'default');
  const network = data['network'];
  if (isRecord(network) && isRecord(network['peers'])) {
    for (const peer of Object.values(network['peers'])) {
      if (isRecord(peer) && Array.isArray(peer['brands'])) for (const b of peer['brands']) if (typeof b === 'string') out.add(b);
    }
  }
  return out;
}

/** Problems of a schema-valid `triage:` section that only a look across keys finds. */
export function triageProblems(data: Record<string, unknown>): ConfigProblem[] {
  const raw = data['triage'];
  if (!isRecord(raw)) return [];
  const problems: ConfigProblem[] = [];
  const at = (...path: PathSegment[]): string => formatPath(['triage', ...path]);
  if (isRecord(raw['assets'])) {
    for (const [name, asset] of Object.entries(raw['assets'])) {
      if (!isRecord(asset)) continue;
      const ips = Array.isArray(asset['ips']) ? asset['ips'] : [];
      ips.forEach((ip, i) => {
        if (typeof ip === 'string' && !isAddressOrCidr(ip)) problems.push({ path: at('assets', name, 'ips', i), message: `not an IP address or CIDR: ${ip}` });
      });
      const hasMatch = ['hostnames', 'ips'].some((k) => Array.isArray(asset[k]) && asset[k].length > 0) || (isRecord(asset['fields']) && Object.keys(asset['fields']).length > 0);
      if (!hasMatch) problems.push({ path: at('assets', name), message: 'needs at least one of hostnames, ips or fields (else it never matches)' });
    }
  }
  if (isRecord(raw['residual'])) {
    const adds = typeof raw['residual']['adds'] === 'number' ? raw['residual']['adds'] : TRIAGE_DEFAULTS.residual_adds;
    const max = raw['residual']['max_adds'];
    if (typeof max === 'number' && max < adds) problems.push({ path: at('residual', 'max_adds'), message: `must be at least adds (${adds})` });
  }
  if (Array.isArray(raw['thresholds'])) {
    const known = brandsOf(data);
    const seen = new Set<string>();
    raw['thresholds'].forEach((t, i) => {
      if (!isRecord(t)) return;
      const kinds = ['score_at_least', 'shared_artifact'].filter((k) => t[k] !== undefined);
      if (kinds.length !== 1) problems.push({ path: at('thresholds', i), message: 'needs exactly one of score_at_least or shared_artifact' });
      if (typeof t['name'] === 'string') {
        if (seen.has(t['name'])) problems.push({ path: at('thresholds', i, 'name'), message: `${t['name']} is also the name of an earlier threshold` });
        seen.add(t['name']);
      }
      if (Array.isArray(t['distribute_to'])) {
        t['distribute_to'].forEach((b, j) => {
          if (typeof b === 'string' && !known.has(b)) problems.push({ path: at('thresholds', i, 'distribute_to', j), message: `${b} is not a brand of the network (known: ${[...known].sort().join(', ')})` });
        });
      }
    });
  }
  return problems;
}

// ---- compile ----

function severityOf(value: number | string | undefined, fallback: Severity): Severity {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value as Severity;
  return SEVERITY_NAMES[value as keyof typeof SEVERITY_NAMES] ?? fallback;
}

/** The validated YAML form (or nothing) -> the compiled section with every default filled. */
export function compileTriage(raw: RawTriage | undefined): TriageConfig {
  const r = raw ?? {};
  const consequenceDefault = severityOf(r.consequence?.default, TRIAGE_DEFAULTS.consequence_default);
  const table = (m: Record<string, number | string> | undefined) =>
    Object.entries(m ?? {}).map(([name, s]) => ({ name: name.toLowerCase(), severity: severityOf(s, consequenceDefault) }));
  return {
    assets: Object.entries(r.assets ?? {}).map(([name, a]) => ({
      name,
      hostnames: (a.hostnames ?? []).map((h) => h.toLowerCase()),
      ips: [...(a.ips ?? [])],
      fields: Object.entries(a.fields ?? {}).map(([path, values]) => ({ path, values: [...values] })),
      operations: a.operations as Severity,
      security: a.security as Severity,
      business_impact: a.business_impact ?? null,
      group: a.group ?? false,
    })),
    default_asset: {
      operations: (r.default_asset?.operations ?? TRIAGE_DEFAULTS.default_asset.operations) as Severity,
      security: (r.default_asset?.security ?? TRIAGE_DEFAULTS.default_asset.security) as Severity,
    },
    consequence: {
      default: consequenceDefault,
      incident_types: table(r.consequence?.incident_types),
      rules: table(r.consequence?.rules),
      rule_field: r.consequence?.rule_field ?? null,
    },
    residual: r.residual === undefined ? null : {
      count: r.residual.count,
      adds: r.residual.adds ?? TRIAGE_DEFAULTS.residual_adds,
      max_adds: r.residual.max_adds ?? r.residual.adds ?? TRIAGE_DEFAULTS.residual_adds,
    },
    ack_timeout_ms: Math.round((r.ack_timeout_hours ?? TRIAGE_DEFAULTS.ack_timeout_hours) * 3_600_000),
    sweep_interval_ms: Math.round((r.sweep_interval_s ?? TRIAGE_DEFAULTS.sweep_interval_s) * 1000),
    thresholds: (r.thresholds ?? []).map((t) => ({
      name: t.name,
      when: t.score_at_least !== undefined
        ? { kind: 'score', at_least: t.score_at_least }
        : {
            kind: 'shared_artifact',
            incidents: t.shared_artifact!.incidents,
            within_ms: Math.round(t.shared_artifact!.within_minutes * 60_000),
            types: (t.shared_artifact!.types ?? []).map((x) => x.toLowerCase()),
          },
      mode: t.mode ?? TRIAGE_DEFAULTS.mode,
      distribute_to: [...t.distribute_to],
    })),
  };
}

/** The section's compiled defaults (no `triage:` in the file). */
export const DEFAULT_TRIAGE: TriageConfig = compileTriage(undefined);
