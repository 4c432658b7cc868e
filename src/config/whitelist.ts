/**
 * The `whitelist:` section (top-level, or a brand's own): the YAML form an admin writes
 * (snake_case keys), its JSON schema (draft-07, for ajv), its default values, its checks and its
 * compilation into the frozen `Whitelist` that `applyWhitelist` (src/clearing/whitelist.ts) uses.
 *
 * The YAML form, with every default (a key left out, or left empty, takes the value shown; a list
 * given replaces the default list, it is not merged with it):
 *
 * ```yaml
 * whitelist:
 *   incident_fields: [name, description, discovered_date, severity_code, incident_type_ids,
 *                     confirmed, plan_status, create_date]
 *   properties: []                    # custom fields (properties.<name>), by name without prefix
 *   notes:       { include: true,  max_count: 100, max_bytes: 65536,    fields: [text, create_date] }
 *   artifacts:   { include: true,  max_count: 500, max_bytes: 65536,    fields: [type, value, description],
 *                  types: [] }        # artifact type names; empty = every type
 *   attachments: { include: false, max_count: 20,  max_bytes: 10485760, fields: [name, content_type, size, created] }
 *   tasks:       { include: false, max_count: 100, max_bytes: 65536,    fields: [name, status, due_date] }
 *   max_text_bytes: 65536             # longer strings are cut and marked
 *   max_total_bytes: 33554432         # the whole filtered incident, children dropped from the end beyond it
 * ```
 *
 * The schema carries no `$schema`, `$id`, `definitions` or `$ref`, so the config loader can embed
 * it as-is as the schema of a `whitelist:` key (or of a brand's).
 */

import { Ajv } from 'ajv';
import { type ConfigProblem, formatProblem } from './env.js';
import { type PathSegment, formatPath, schemaProblems } from '../core/schema-problems.js';
import { ConfigError } from '../core/errors.js';
import { dropNulls, isRecord } from '../core/json.js';
import { onDemand } from '../core/on-demand.js';

/** One child kind (notes, artifacts, attachments, tasks) in the YAML form. */
export interface RawChildRule {
  include?: boolean;
  max_count?: number;
  max_bytes?: number;
  fields?: string[];
}

/** Artifacts also take `types`: artifact type names allowed to leave (empty or absent = all). */
export interface RawArtifactRule extends RawChildRule {
  types?: string[];
}

/** The whitelist's YAML form after validation (null-valued keys removed). */
export interface RawWhitelist {
  incident_fields?: string[];
  properties?: string[];
  notes?: RawChildRule;
  artifacts?: RawArtifactRule;
  attachments?: RawChildRule;
  tasks?: RawChildRule;
  max_text_bytes?: number;
  max_total_bytes?: number;
}

/** The child kinds a whitelist governs, in the order they are serialized. */
export const CHILD_KINDS = ['notes', 'artifacts', 'attachments', 'tasks'] as const;
export type ChildKind = (typeof CHILD_KINDS)[number];

/** Largest byte limit accepted anywhere (1 GiB). */
const MAX_BYTES_LIMIT = 1_073_741_824;
/**
 * Largest `max_total_bytes` accepted (32 MiB, the default): a whole filtered incident must fit
 * in what a node accepts as a delivery and as a shared incident's answer (WIRE_BUNDLE_MAX_BYTES).
 */
export const MAX_TOTAL_BYTES_LIMIT = 33_554_432;
/** Largest `max_count` accepted. */
const MAX_COUNT_LIMIT = 100_000;

/** The defaults, in the YAML's own spelling. Deep-frozen. */
export const DEFAULT_WHITELIST_YAML = deepFreeze({
  incident_fields: [
    'name',
    'description',
    'discovered_date',
    'severity_code',
    'incident_type_ids',
    'confirmed',
    'plan_status',
    'create_date',
  ],
  properties: [],
  notes: { include: true, max_count: 100, max_bytes: 65_536, fields: ['text', 'create_date'] },
  artifacts: { include: true, max_count: 500, max_bytes: 65_536, fields: ['type', 'value', 'description'], types: [] },
  attachments: { include: false, max_count: 20, max_bytes: 10_485_760, fields: ['name', 'content_type', 'size', 'created'] },
  tasks: { include: false, max_count: 100, max_bytes: 65_536, fields: ['name', 'status', 'due_date'] },
  max_text_bytes: 65_536,
  max_total_bytes: MAX_TOTAL_BYTES_LIMIT,
} satisfies Required<RawWhitelist> & { artifacts: Required<RawArtifactRule>; notes: Required<RawChildRule> });

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** What `max_bytes` holds to, per kind (the kind's "body" fields, see whitelist.ts). */
const MAX_BYTES_WORDS: Readonly<Record<ChildKind, string>> = {
  notes: 'Per note: longer text (UTF-8 bytes) is cut and marked as truncated.',
  artifacts: 'Per artifact: a longer value or description (UTF-8 bytes) is cut and marked as truncated.',
  attachments: 'Per attachment: a file larger than this (decoded bytes) is not sent at all.',
  tasks: 'Per task: longer instructions (UTF-8 bytes) are cut and marked as truncated.',
};

const names = (description: string) =>
  ({ type: 'array', items: { type: 'string', minLength: 1 }, description }) as const;
const bytes = (description: string) =>
  ({ type: 'integer', minimum: 0, maximum: MAX_BYTES_LIMIT, description }) as const;

const childProperties = (kind: ChildKind) =>
  ({
    include: {
      type: 'boolean',
      default: DEFAULT_WHITELIST_YAML[kind].include,
      description: `Whether ${kind} leave the brand at all.`,
    },
    max_count: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_COUNT_LIMIT,
      default: DEFAULT_WHITELIST_YAML[kind].max_count,
      description: `At most this many ${kind} leave; the rest (from the end of the list) are dropped.`,
    },
    max_bytes: {
      ...bytes(MAX_BYTES_WORDS[kind]),
      default: DEFAULT_WHITELIST_YAML[kind].max_bytes,
    },
    fields: { ...names(`The fields of each of the ${kind} that may leave.`), default: DEFAULT_WHITELIST_YAML[kind].fields },
  }) as const;

const childRule = (kind: Exclude<ChildKind, 'artifacts'>) =>
  ({ type: 'object', additionalProperties: false, properties: childProperties(kind) }) as const;

/** JSON schema (draft-07) of the whitelist's YAML form. */
export const whitelistJsonSchema = {
  title: 'soar-clearing whitelist',
  description: 'What of an incident may leave the brand. Anything not listed never leaves.',
  type: 'object',
  additionalProperties: false,
  properties: {
    incident_fields: {
      ...names('Top-level incident fields (API names) that may leave.'),
      default: DEFAULT_WHITELIST_YAML.incident_fields,
    },
    properties: {
      ...names('Custom incident fields (the <name> of properties.<name>) that may leave.'),
      default: DEFAULT_WHITELIST_YAML.properties,
    },
    notes: childRule('notes'),
    artifacts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...childProperties('artifacts'),
        types: { ...names('Artifact type names that may leave; empty = every type.'), default: DEFAULT_WHITELIST_YAML.artifacts.types },
      },
    },
    attachments: childRule('attachments'),
    tasks: childRule('tasks'),
    max_text_bytes: {
      ...bytes('Any longer string value is cut to this many bytes (UTF-8) and marked as truncated.'),
      default: DEFAULT_WHITELIST_YAML.max_text_bytes,
    },
    max_total_bytes: {
      ...bytes('The whole filtered incident as JSON (UTF-8); beyond it, children are dropped from the end. At most 33554432 (32 MiB).'),
      maximum: MAX_TOTAL_BYTES_LIMIT,
      default: DEFAULT_WHITELIST_YAML.max_total_bytes,
    },
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Types

/** What of one child kind (notes, artifacts, attachments, tasks) may leave. */
export interface ChildRule {
  /** False: none of this kind leaves. */
  readonly include: boolean;
  /** At most this many leave; the ones after are dropped. */
  readonly max_count: number;
  /** Per item, byte limit of its body fields (BODY_FIELDS in src/clearing/whitelist.ts); for attachments, of the file. */
  readonly max_bytes: number;
  /** The fields of each item that may leave. */
  readonly fields: readonly string[];
  /** Artifacts only: type names that may leave; empty or absent = every type. */
  readonly artifact_types?: readonly string[];
}

/** A compiled, deep-frozen whitelist (see compileWhitelist). */
export interface Whitelist {
  /** Top-level incident fields that may leave (never `properties`: see `properties`). */
  readonly incident_fields: readonly string[];
  /** Custom fields (`properties.<name>`) that may leave, by name. */
  readonly properties: readonly string[];
  readonly notes: ChildRule;
  readonly artifacts: ChildRule;
  readonly attachments: ChildRule;
  readonly tasks: ChildRule;
  /** Any longer string (UTF-8 bytes) is cut and marked. */
  readonly max_text_bytes: number;
  /** The whole filtered JSON (UTF-8 bytes); beyond it children are dropped. */
  readonly max_total_bytes: number;
}

// ---------------------------------------------------------------------------------------------
// Names

/** Names never copied, at any depth, and never accepted in a whitelist. */
export const FORBIDDEN_NAMES: readonly string[] = Object.freeze(['__proto__', 'constructor', 'prototype']);

/**
 * Incident fields that hold children or custom fields: a whitelist cannot list them under
 * `incident_fields`, they have sections of their own.
 */
const RESERVED_INCIDENT_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  properties: 'list custom fields under properties:, by name',
  comments: 'notes are governed by the notes: section',
  notes: 'notes are governed by the notes: section',
  artifacts: 'artifacts are governed by the artifacts: section',
  attachments: 'attachments are governed by the attachments: section',
  tasks: 'tasks are governed by the tasks: section',
});

const FORBIDDEN = new Set(FORBIDDEN_NAMES);

// ---------------------------------------------------------------------------------------------
// Compiling the YAML form

const rawValidator = onDemand(() => new Ajv({ allErrors: true, coerceTypes: true, strict: true, verbose: true, inlineRefs: false }).compile(whitelistJsonSchema));

function nameProblems(list: unknown, path: PathSegment[], section: 'incident_fields' | 'properties' | 'fields' | 'types'): ConfigProblem[] {
  if (!Array.isArray(list)) return [];
  const problems: ConfigProblem[] = [];
  list.forEach((name: unknown, i) => {
    if (typeof name !== 'string') return;
    const at = formatPath([...path, i]);
    if (FORBIDDEN.has(name)) {
      problems.push({ path: at, message: `${name} is never allowed (a reserved JavaScript name)` });
    } else if (name !== name.trim()) {
      problems.push({ path: at, message: 'must not start or end with blanks' });
    } else if (section === 'incident_fields' && Object.hasOwn(RESERVED_INCIDENT_FIELDS, name)) {
      problems.push({ path: at, message: `cannot be listed here: ${RESERVED_INCIDENT_FIELDS[name] as string}` });
    } else if ((section === 'incident_fields' || section === 'properties') && name.startsWith('properties.')) {
      problems.push({ path: at, message: 'list custom fields under properties:, without the properties. prefix' });
    }
  });
  return problems;
}

/** Validates a copy of `raw` (nulls dropped, scalars coerced); the copy is only used when valid. */
function check(raw: unknown, at: readonly PathSegment[]): { problems: ConfigProblem[]; data: RawWhitelist } {
  const data = raw === null || raw === undefined ? {} : dropNulls(raw);
  const validateRaw = rawValidator();
  const valid = validateRaw(data);
  const problems: ConfigProblem[] = schemaProblems(valid ? [] : validateRaw.errors, data).map((p) => ({ path: formatPath([...at, ...p.path]), message: p.message }));
  if (isRecord(data)) {
    problems.push(
      ...nameProblems(data.incident_fields, [...at, 'incident_fields'], 'incident_fields'),
      ...nameProblems(data.properties, [...at, 'properties'], 'properties'),
    );
    for (const kind of CHILD_KINDS) {
      const rule = data[kind];
      if (!isRecord(rule)) continue;
      problems.push(...nameProblems(rule.fields, [...at, kind, 'fields'], 'fields'));
      if (kind === 'artifacts') problems.push(...nameProblems(rule.types, [...at, kind, 'types'], 'types'));
    }
  }
  return { problems, data: valid ? (data as RawWhitelist) : {} };
}

/**
 * Every problem of a whitelist in its YAML form (snake_case, see RawWhitelist above), each with
 * its path under `at` (default `whitelist`): schema violations (unknown keys, wrong types,
 * negative limits) and names that can never be allowed (`__proto__`, `constructor`, `prototype`
 * anywhere; `properties`, `comments`, `artifacts`... under `incident_fields`; a `properties.`
 * prefix). Null-valued keys count as not given; numbers and booleans written as strings are
 * coerced, as the config loader does. Empty when the whitelist is valid. Pure: `raw` is not touched.
 */
export function whitelistProblems(raw: unknown, at: readonly PathSegment[] = ['whitelist']): ConfigProblem[] {
  return check(raw, at).problems;
}

function unique(list: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(list)]);
}

function compileChild(kind: ChildKind, raw: (RawChildRule & { types?: string[] }) | undefined): ChildRule {
  const d = DEFAULT_WHITELIST_YAML[kind];
  const rule: ChildRule = {
    include: raw?.include ?? d.include,
    max_count: raw?.max_count ?? d.max_count,
    max_bytes: raw?.max_bytes ?? d.max_bytes,
    fields: unique(raw?.fields ?? d.fields),
    ...(kind === 'artifacts' ? { artifact_types: unique(raw?.types ?? DEFAULT_WHITELIST_YAML.artifacts.types) } : {}),
  };
  return Object.freeze(rule);
}

/**
 * The YAML form of a whitelist (as parsed; null or undefined = every default) -> the frozen
 * `Whitelist`. Keys left out (or null) take their default from `DEFAULT_WHITELIST_YAML`; a list
 * given replaces the default list; duplicate names count once. Validates first: throws a
 * `ConfigError` listing every problem (`whitelist.notes.max_count: must be >= 0`), paths under
 * `at`. Pure.
 */
export function compileWhitelist(raw?: unknown, at: readonly PathSegment[] = ['whitelist']): Whitelist {
  const { problems, data } = check(raw, at);
  if (problems.length > 0) throw new ConfigError(formatPath(at) || 'whitelist', problems.map(formatProblem));
  const d = DEFAULT_WHITELIST_YAML;
  return Object.freeze({
    incident_fields: unique(data.incident_fields ?? d.incident_fields),
    properties: unique(data.properties ?? d.properties),
    notes: compileChild('notes', data.notes),
    artifacts: compileChild('artifacts', data.artifacts),
    attachments: compileChild('attachments', data.attachments),
    tasks: compileChild('tasks', data.tasks),
    max_text_bytes: data.max_text_bytes ?? d.max_text_bytes,
    max_total_bytes: data.max_total_bytes ?? d.max_total_bytes,
  });
}

/** The default whitelist, compiled. */
export const DEFAULT_WHITELIST: Whitelist = compileWhitelist({});
