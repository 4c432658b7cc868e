/**
 * The whitelist as an admin writes it in YAML (snake_case keys), its JSON schema (draft-07, for
 * ajv) and its default values. `whitelist.ts` compiles the validated YAML form into the frozen
 * `Whitelist` that `applyWhitelist` uses.
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
export const MAX_BYTES_LIMIT = 1_073_741_824;
/**
 * Largest `max_total_bytes` accepted (32 MiB, the default): a whole filtered incident must fit
 * in what a node accepts as a delivery and as a shared incident's answer (WIRE_BUNDLE_MAX_BYTES).
 */
export const MAX_TOTAL_BYTES_LIMIT = 33_554_432;
/** Largest `max_count` accepted. */
export const MAX_COUNT_LIMIT = 100_000;

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
