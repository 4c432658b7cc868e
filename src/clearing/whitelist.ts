/**
 * Whitelist filtering at the sender. Before anything of an incident leaves a brand (a read-only
 * view for another brand, or a distributed copy), it passes `applyWhitelist`: only what the
 * brand's whitelist lists survives, everything else is dropped and reported as counts (and, for
 * incident fields and custom fields, their names), never as values.
 *
 * Rules, in the order they apply:
 * - Incident: only the top-level fields of `incident_fields` are copied, and under `properties`
 *   only the custom fields of `properties` (`properties` is always present, possibly `{}`).
 * - Typed values: an allowed field (of the incident, a custom field, a child's field) carries
 *   only a value of a SOAR field type: text, a finite number (numbers, dates, ids), a boolean,
 *   null, a select handle (a name or an id), a list of handles (multiselect, members), or rich
 *   text `{format, content}` with string parts and nothing else. Any other value (an object, a
 *   list holding anything but handles, anything not JSON) is dropped whole and counted in
 *   `untypedValues`: nothing nested inside a field ever leaves, whatever its name.
 * - Children (notes, artifacts, attachments, tasks), each kind on its own, in input order:
 *   a kind not included is dropped entirely; an artifact whose type is not in `artifact_types`
 *   (when that list is not empty; compared by name, case-insensitively) is dropped; an
 *   attachment whose `content` (base64, when `content` is an allowed field) decodes to more than
 *   `max_bytes` is dropped (a cut file is worthless); the ones beyond `max_count` are dropped.
 *   Each remaining child keeps only the allowed `fields`.
 * - Strings: any string longer than `max_text_bytes` (UTF-8) is cut to that many bytes, at a
 *   character boundary, and gets the marker " [truncated by clearing whitelist]". A child's
 *   body fields (notes `text`, artifacts `value` and `description`, tasks `instructions`,
 *   attachments `content`) are held to the kind's `max_bytes` instead of `max_text_bytes`.
 *   Rich text (`{format, content}`) is kept as it is; HTML is kept as text (escaping is the
 *   web UI's job, SOAR sanitizes what it stores), only its length is limited.
 * - Total: when the JSON of `{incident, notes, artifacts, attachments, tasks}` exceeds
 *   `max_total_bytes` (UTF-8), children are dropped from the end of their lists, attachments
 *   first, then tasks, notes and artifacts (`TOTAL_BYTES_DROP_ORDER`), until it fits. The
 *   incident itself is never dropped: with every child gone it may still exceed the limit.
 *   Callers should hand children in the order they want kept (most important first).
 * - Keys named `__proto__`, `constructor` or `prototype` are never copied, even when a whitelist
 *   lists them (compileWhitelist refuses to); a rich text holding one is not of a SOAR type.
 *
 * The input is never mutated; the result is fresh JSON, deterministic for a given input.
 */
import type { Artifact, Incident, Note, Task } from '../soar/dto.js';
import type { JsonObject, JsonValue } from '../core/types.js';
import { CHILD_KINDS, type ChildKind, FORBIDDEN_NAMES, type Whitelist } from '../config/whitelist.js';

/**
 * An attachment as SOAR lists it (`GET /incidents/<id>/attachments`), with its file content in
 * base64 when the caller fetched it. Other fields (uuid, creator_id, inc_id...) are kept through
 * the index signature.
 */
export interface BundleAttachment {
  id?: number;
  name?: string;
  content_type?: string;
  size?: number;
  created?: number;
  /** The file, base64-encoded. */
  content?: string;
  [key: string]: JsonValue | undefined;
}

/** An incident and the children the caller read with it. */
export interface IncidentBundle {
  incident: Incident;
  notes?: Note[];
  artifacts?: Artifact[];
  attachments?: BundleAttachment[];
  tasks?: Task[];
}

/** What the filter left out: names of incident and custom fields, counts of the rest. Never values. */
export type DroppedSummary = {
  /** Top-level incident fields present but not allowed, in input order. */
  incidentFields: string[];
  /** Custom fields present but not allowed, in input order. */
  properties: string[];
  notes: number;
  artifacts: number;
  attachments: number;
  tasks: number;
  /** Strings cut to their limit (in what was kept). */
  truncatedValues: number;
  /** Allowed fields dropped because their value is of no SOAR field type (in what was kept). */
  untypedValues: number;
};

/** The filtered incident, ready to leave the brand. Plain JSON. */
export type FilterResult = {
  /** Only allowed top-level fields, and `properties` with only allowed custom fields. */
  incident: JsonObject;
  notes: JsonObject[];
  artifacts: JsonObject[];
  attachments: JsonObject[];
  tasks: JsonObject[];
  dropped: DroppedSummary;
};

// ---------------------------------------------------------------------------------------------
// Constants

/** Appended to every string the filter cut. */
export const TRUNCATION_MARKER = ' [truncated by clearing whitelist]';

/** Per kind, the fields held to the kind's `max_bytes` instead of `max_text_bytes`. */
export const BODY_FIELDS: Readonly<Record<ChildKind, readonly string[]>> = Object.freeze({
  notes: Object.freeze(['text']),
  artifacts: Object.freeze(['value', 'description']),
  attachments: Object.freeze(['content']),
  tasks: Object.freeze(['instructions']),
});

/** Which children go first when the total is over `max_total_bytes`. */
export const TOTAL_BYTES_DROP_ORDER: readonly ChildKind[] = Object.freeze(['attachments', 'tasks', 'notes', 'artifacts']);

const FORBIDDEN = new Set(FORBIDDEN_NAMES);

// ---------------------------------------------------------------------------------------------
// Filtering

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** UTF-8 length, exact. */
function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The keys of rich text (SOAR's TextContentDTO). */
const RICH_TEXT_KEYS = new Set(['format', 'content']);

/** Per call: counts truncations and values of no SOAR type. */
class Copier {
  truncated = 0;
  untyped = 0;

  /** `text` cut to `limit` UTF-8 bytes (at a character boundary) plus the marker, or as is. */
  string(text: string, limit: number): string {
    if (text.length * 3 <= limit || utf8Length(text) <= limit) return text;
    const bytes = Buffer.from(text, 'utf8');
    let cut = Math.max(0, Math.floor(limit));
    while (cut > 0 && ((bytes[cut] as number) & 0xc0) === 0x80) cut -= 1;
    this.truncated += 1;
    return bytes.toString('utf8', 0, cut) + TRUNCATION_MARKER;
  }

  /**
   * A copy of a field's value when it is of a SOAR field type (see the module comment), strings
   * held to `limit`; otherwise undefined, counted in `untyped`.
   */
  typed(value: unknown, limit: number): JsonValue | undefined {
    const copy = this.copyTyped(value, limit);
    if (copy === undefined) this.untyped += 1;
    return copy;
  }

  private copyTyped(value: unknown, limit: number): JsonValue | undefined {
    switch (typeof value) {
      case 'string':
        return this.string(value, limit);
      case 'number':
        return Number.isFinite(value) ? value : undefined;
      case 'boolean':
        return value;
      case 'object':
        break;
      default:
        return undefined;
    }
    if (value === null) return null;
    if (Array.isArray(value)) {
      // A list of handles, checked whole before anything is cut (a dropped value counts no cut);
      // indexes rather than every(), which skips holes.
      for (let i = 0; i < value.length; i++) {
        const h: unknown = value[i];
        if (typeof h !== 'string' && !(typeof h === 'number' && Number.isFinite(h))) return undefined;
      }
      return (value as Array<string | number>).map((h) => (typeof h === 'string' ? this.string(h, limit) : h));
    }
    if (!isPlainObject(value) || !Object.keys(value).every((k) => RICH_TEXT_KEYS.has(k))) return undefined;
    const { format, content } = value;
    if (typeof content !== 'string' || (format !== undefined && typeof format !== 'string')) return undefined;
    return format === undefined ? { content: this.string(content, limit) } : { format: this.string(format, limit), content: this.string(content, limit) };
  }
}

/**
 * Copies the allowed own keys of `source` into a new object, in `source`'s key order; returns it
 * with the names of the keys left out. `limitOf` gives each key's string limit.
 */
function pick(
  copier: Copier,
  source: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  limitOf: (key: string) => number,
  skip: ReadonlySet<string> = new Set(),
): { out: JsonObject; dropped: string[] } {
  const out: JsonObject = {};
  const dropped: string[] = [];
  for (const key of Object.keys(source)) {
    if (skip.has(key)) continue;
    if (!allowed.has(key) || FORBIDDEN.has(key)) {
      dropped.push(key);
      continue;
    }
    const copy = copier.typed(source[key], limitOf(key));
    if (copy !== undefined) out[key] = copy;
  }
  return { out, dropped };
}

function artifactTypeName(type: unknown): string | null {
  if (typeof type === 'string') return type;
  if (typeof type === 'number') return String(type);
  if (isPlainObject(type) && typeof type.name === 'string') return type.name;
  return null;
}

const normalizeType = (name: string): string => name.trim().toLowerCase();

/** The kept items of one kind, each with its JSON size and its truncations. */
interface KeptChild {
  readonly value: JsonObject;
  readonly size: number;
  readonly truncated: number;
  readonly untyped: number;
}

function filterChildren(kind: ChildKind, items: readonly unknown[] | undefined, wl: Whitelist): { kept: KeptChild[]; dropped: number } {
  const list = Array.isArray(items) ? items : [];
  const rule = wl[kind];
  if (!rule.include) return { kept: [], dropped: list.length };
  const allowed = new Set(rule.fields);
  const body = new Set(BODY_FIELDS[kind]);
  const types = kind === 'artifacts' && rule.artifact_types !== undefined && rule.artifact_types.length > 0
    ? new Set(rule.artifact_types.map(normalizeType))
    : null;
  const sendsContent = kind === 'attachments' && allowed.has('content');
  // An attachment's content is never cut (oversized ones are dropped above): a cut file is worthless.
  const limitOf = (key: string): number =>
    sendsContent && key === 'content' ? Infinity : body.has(key) ? rule.max_bytes : wl.max_text_bytes;
  const kept: KeptChild[] = [];
  let dropped = 0;
  for (const item of list) {
    if (!isPlainObject(item)) {
      dropped += 1;
      continue;
    }
    if (types !== null) {
      const name = Object.hasOwn(item, 'type') ? artifactTypeName(item.type) : null;
      if (name === null || !types.has(normalizeType(name))) {
        dropped += 1;
        continue;
      }
    }
    if (sendsContent && Object.hasOwn(item, 'content') && typeof item.content === 'string'
      && Buffer.byteLength(item.content, 'base64') > rule.max_bytes) {
      dropped += 1;
      continue;
    }
    if (kept.length >= rule.max_count) {
      dropped += 1;
      continue;
    }
    const copier = new Copier();
    const { out } = pick(copier, item, allowed, limitOf);
    kept.push({ value: out, size: utf8Length(JSON.stringify(out)), truncated: copier.truncated, untyped: copier.untyped });
  }
  return { kept, dropped };
}

/**
 * The part of `bundle` that `wl` lets leave the brand, and what was left out (see the module
 * comment for the rules). Never mutates `bundle`; deterministic.
 */
export function applyWhitelist(bundle: IncidentBundle, wl: Whitelist): FilterResult {
  const copier = new Copier();
  const source: Record<string, unknown> = isPlainObject(bundle.incident) ? bundle.incident : {};

  const fieldLimit = (): number => wl.max_text_bytes;
  const fields = pick(copier, source, new Set(wl.incident_fields), fieldLimit, new Set(['properties']));
  const rawProps = Object.hasOwn(source, 'properties') && isPlainObject(source.properties) ? source.properties : {};
  const props = pick(copier, rawProps, new Set(wl.properties), fieldLimit);
  const incident: JsonObject = { ...fields.out };
  // `properties` may have been listed under incident_fields by a hand-made whitelist: ours wins.
  incident.properties = props.out;

  const dropped: DroppedSummary = {
    incidentFields: fields.dropped,
    properties: props.dropped,
    notes: 0,
    artifacts: 0,
    attachments: 0,
    tasks: 0,
    truncatedValues: copier.truncated,
    untypedValues: copier.untyped,
  };

  const kept = {} as Record<ChildKind, KeptChild[]>;
  for (const kind of CHILD_KINDS) {
    const result = filterChildren(kind, bundle[kind] as readonly unknown[] | undefined, wl);
    kept[kind] = result.kept;
    dropped[kind] = result.dropped;
  }

  // The JSON size of {incident, notes, artifacts, attachments, tasks}: the frame with empty
  // lists, plus each list's items and the commas between them.
  const frame = utf8Length(JSON.stringify({ incident, notes: [], artifacts: [], attachments: [], tasks: [] }));
  const listSize = (list: readonly KeptChild[]): number =>
    list.length === 0 ? 0 : list.reduce((sum, child) => sum + child.size, list.length - 1);
  let total = frame + CHILD_KINDS.reduce((sum, kind) => sum + listSize(kept[kind]), 0);
  for (const kind of TOTAL_BYTES_DROP_ORDER) {
    const list = kept[kind];
    while (total > wl.max_total_bytes && list.length > 0) {
      const last = list.pop() as KeptChild;
      total -= last.size + (list.length > 0 ? 1 : 0);
      dropped[kind] += 1;
    }
  }
  for (const kind of CHILD_KINDS) {
    dropped.truncatedValues += kept[kind].reduce((sum, child) => sum + child.truncated, 0);
    dropped.untypedValues += kept[kind].reduce((sum, child) => sum + child.untyped, 0);
  }

  return {
    incident,
    notes: kept.notes.map((child) => child.value),
    artifacts: kept.artifacts.map((child) => child.value),
    attachments: kept.attachments.map((child) => child.value),
    tasks: kept.tasks.map((child) => child.value),
    dropped,
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/**
 * A one-line summary of what the sender's whitelist left out, for a note on the receiving side:
 * `filtered out by the sender's whitelist: 12 incident fields, 3 custom fields, 2 notes,
 * 1 attachment, 1 value of no SOAR field type; 1 value truncated`. Counts only: never a value,
 * never a name.
 */
export function describeDropped(dropped: DroppedSummary): string {
  const parts: string[] = [];
  const add = (count: number, one: string, many: string): void => {
    if (count > 0) parts.push(plural(count, one, many));
  };
  add(dropped.incidentFields.length, 'incident field', 'incident fields');
  add(dropped.properties.length, 'custom field', 'custom fields');
  add(dropped.notes, 'note', 'notes');
  add(dropped.artifacts, 'artifact', 'artifacts');
  add(dropped.attachments, 'attachment', 'attachments');
  add(dropped.tasks, 'task', 'tasks');
  add(dropped.untypedValues, 'value of no SOAR field type', 'values of no SOAR field type');
  const truncated = dropped.truncatedValues > 0
    ? `; ${plural(dropped.truncatedValues, 'value', 'values')} truncated`
    : '';
  return parts.length > 0
    ? `filtered out by the sender's whitelist: ${parts.join(', ')}${truncated}`
    : `nothing filtered out by the sender's whitelist${truncated}`;
}
