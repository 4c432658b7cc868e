/**
 * Property test of the whitelist filter: thousands of random incidents (tricky custom field
 * names, nested values, HTML/script payloads, unicode) under random whitelists.
 *
 * Every place the whitelist does not allow (fields and custom fields not listed, children of a
 * kind not included, children beyond max_count, artifacts of other types, oversized attachments,
 * child fields not listed, values under __proto__/constructor/prototype keys) carries a unique
 * secret marker `⟦S<n>⟧`, and so does anything nested inside an allowed field whose value is
 * of no SOAR field type (an object handle with extra keys, a list holding objects, rich text
 * with extra keys...); allowed places holding a SOAR-typed value (text, number, boolean, null,
 * a list of handles, rich text) never do. Properties checked per case:
 * - no marker (and no secret attachment content) reaches the output;
 * - the output's incident fields and custom fields are exactly the allowed ones present with a
 *   typed value, and the dropped names exactly the ones not allowed, in input order;
 * - every allowed typed value survives unchanged, except strings over their limit, which are a
 *   UTF-8 prefix of at most the limit plus the marker; truncations, values of no SOAR type and
 *   dropped counts match;
 * - under max_total_bytes: each list is a prefix of the unlimited result, lists are emptied in
 *   TOTAL_BYTES_DROP_ORDER, the JSON fits (or no child is left), and one more child would not fit;
 * - the input is not mutated (frozen input in a quarter of the cases, JSON compared before and
 *   after in another quarter), Object.prototype stays clean, and the result is the same twice
 *   (in a fifth of the cases);
 * - every rule is reached by at least 2% of the cases (the counts are printed).
 *
 * The PRNG is mulberry32, seeded from WHITELIST_SEED or at random; the seed is printed, and a
 * failure names the seed and the case: `WHITELIST_SEED=<seed> node --test dist/test/unit/whitelist-property.test.js`.
 * WHITELIST_CASES changes the number of cases (default 3000).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  BODY_FIELDS,
  type FilterResult,
  type IncidentBundle,
  TOTAL_BYTES_DROP_ORDER,
  TRUNCATION_MARKER,
  applyWhitelist,
} from '../../src/clearing/whitelist.js';
import {
  CHILD_KINDS,
  type ChildKind,
  type ChildRule,
  FORBIDDEN_NAMES,
  type RawWhitelist,
  type Whitelist,
  compileWhitelist,
} from '../../src/config/whitelist.js';
import type { Incident } from '../../src/soar/dto.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { prng } from '../support/faults.js';

// ---------------------------------------------------------------------------------------------
// Seeded randomness


class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  /** 0 <= n < max */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
  subset<T>(list: readonly T[], p = 0.5): T[] {
    return list.filter(() => this.chance(p));
  }
  shuffle<T>(list: readonly T[]): T[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

const MARK_OPEN = '⟦';
const FORBIDDEN = new Set(FORBIDDEN_NAMES);

/** Pieces of clean strings: never the marker's bracket. */
const PIECES = [
  'a', 'b', 'Z', 'q', '0', '7', ' ', '-', '_', '.', ':', '/', 'é', 'ß', '€', '漢', '字', '😀', '🏳️‍🌈',
  '\u0000', '\n', '\t', '"', '\\', '<', '>', '&', "'", '\u202e', '\ud800', '\udfff', '\u2028',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '</div>', '<p>', 'javascript:', '${x}', '{{7*7}}',
  '<a href="x">', '&lt;', 'properties.', '__proto__',
];

const SOAR_FIELDS = [
  'name', 'description', 'discovered_date', 'severity_code', 'incident_type_ids', 'confirmed', 'plan_status',
  'create_date', 'start_date', 'city', 'country', 'id', 'org_id', 'vers', 'creator', 'members', 'perms', 'owner_id',
  'creator_id', 'phase_id', 'pii', 'hipaa', 'exposure', 'addr', 'zip', 'reporter', 'resolution_summary', 'regulators',
];
/** Names a whitelist can never list under incident_fields. */
const RESERVED = ['comments', 'artifacts', 'tasks', 'attachments', 'notes'];
const TRICKY_NAMES = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '',
  'a.b', 'x.y.z', 'ünïcødé', '名前', '😀', 'x'.repeat(300), '1', '0', '42', 'null', 'undefined', 'a\nb', '"quoted"',
  '\\', 'with space', 'properties.inner', '$ref', 'length',
];
const CHILD_FIELDS: Readonly<Record<ChildKind, readonly string[]>> = {
  notes: ['text', 'create_date', 'id', 'user_id', 'parent_id', 'user_fname', 'modify_user', 'inc_id', 'children'],
  artifacts: ['type', 'value', 'description', 'created', 'id', 'inc_id', 'creator_principal', 'hits', 'properties'],
  attachments: ['name', 'content_type', 'size', 'created', 'content', 'id', 'uuid', 'creator_id', 'inc_name'],
  tasks: ['name', 'status', 'due_date', 'instructions', 'id', 'owner_id', 'notes', 'perms'],
};
const ARTIFACT_TYPES = ['IP Address', 'DNS Name', 'URL', 'Email Sender', 'Malware MD5 Hash', 'File Name', 'String'];

/** Can a compiled whitelist list this name? (blanks around, reserved JS names, prefixes: no.) */
function listable(name: string, where: 'incident' | 'properties' | 'child'): boolean {
  if (name === '' || FORBIDDEN.has(name) || name !== name.trim()) return false;
  if (where !== 'child' && name.startsWith('properties.')) return false;
  if (where === 'incident' && (name === 'properties' || RESERVED.includes(name))) return false;
  return true;
}

/** Nested keys (a fixed pool keeps V8's object shapes few, hence the run fast). */
const KEY_POOL = [...TRICKY_NAMES.filter((n) => !FORBIDDEN.has(n)), 'k', 'id', 'value', 'list', 'data', 'x-y', 'Ünï', '<b>', 'a b', '"'];

class Gen {
  private markers = 0;
  /** Secret strings that cannot carry the marker (base64 contents). */
  readonly secrets: string[] = [];

  constructor(readonly r: Rand) {}

  /** The untyped values planted in allowed places (they must be dropped and counted). */
  readonly untyped = new WeakSet<object>();

  marker(): string {
    this.markers += 1;
    return `${MARK_OPEN}S${this.markers}⟧`;
  }

  /** A value of a SOAR field type: text, number, boolean, null, a list of handles, rich text. */
  typed(): JsonValue {
    const r = this.r;
    switch (r.int(7)) {
      case 0: return null;
      case 1: return r.chance(0.5);
      case 2: return this.number();
      case 3: return Array.from({ length: r.int(4) }, () => (r.chance(0.5) ? this.cleanString() : r.int(2000)));
      case 4: {
        const rich = this.object() as JsonObject;
        if (r.chance(0.8)) rich['format'] = r.pick(['html', 'text', this.cleanString()]);
        rich['content'] = this.cleanString();
        return rich;
      }
      default: return this.cleanString();
    }
  }

  /** A value of no SOAR field type with a marker nested inside it; remembered in `untyped`. */
  untypedSecret(): JsonValue {
    const r = this.r;
    const out = r.pick<() => JsonObject | JsonValue[]>([
      () => ({ id: r.int(100), name: this.cleanString(), extra: this.secretString() }),
      () => [this.cleanString(), { extra: this.secretString() }],
      () => [r.int(9), [this.secretString()]],
      () => ({ format: 'html', content: this.cleanString(), [r.chance(0.5) ? 'extra' : this.cleanKey()]: this.secretString() }),
      () => ({ content: [this.secretString()] }),
      () => ({ format: { x: this.secretString() }, content: 'c' }),
      () => [this.secretString(), null],
    ])();
    this.untyped.add(out);
    return out;
  }

  /** An allowed place's value: mostly typed, sometimes untyped (and secret inside). */
  allowedValue(): JsonValue {
    return this.r.chance(0.15) ? this.untypedSecret() : this.typed();
  }

  isUntyped(v: unknown): boolean {
    return typeof v === 'object' && v !== null && this.untyped.has(v);
  }

  cleanString(): string {
    const r = this.r;
    const count = r.chance(0.04) ? r.between(30, r.chance(0.2) ? 300 : 80) : r.between(0, 10);
    let out = '';
    for (let i = 0; i < count; i++) out += r.pick(PIECES);
    return out;
  }

  secretString(): string {
    return this.cleanString() + this.marker() + (this.r.chance(0.3) ? this.cleanString() : '');
  }

  number(): number {
    const r = this.r;
    return r.pick([() => r.int(1000), () => -r.int(1e9), () => r.float() * 1e6, () => 1_700_000_000_000 + r.int(1e9), () => -0, () => Number.MAX_SAFE_INTEGER])();
  }

  /** A name for a nested key (clean): mostly from a fixed pool, sometimes random. */
  cleanKey(): string {
    return this.r.chance(0.05) ? this.cleanString() : this.r.pick(KEY_POOL);
  }

  /** A JSON value with a marker in every string, and at least one string. */
  secret(depth = 0): JsonValue {
    const r = this.r;
    const roll = r.int(depth >= 2 ? 2 : 5);
    if (roll <= 1) return this.secretString();
    if (roll === 2) return [this.number(), this.secretString(), ...Array.from({ length: r.int(3) }, () => this.secret(depth + 1))];
    const out = this.object() as JsonObject;
    define(out, r.chance(0.5) ? this.marker() : this.cleanKey(), this.secret(depth + 1));
    for (let i = r.int(2); i > 0; i--) define(out, r.chance(0.3) ? r.pick(FORBIDDEN_NAMES) : this.cleanKey() + this.marker(), r.chance(0.5) ? this.number() : this.secret(depth + 1));
    return out;
  }

  /**
   * A new object for generated data: mostly prototype-less, which V8 keeps as a dictionary;
   * ordinary objects would grow a hidden class per new combination of random keys and slow the
   * run down several times. The filter treats both alike (some ordinary ones keep that checked).
   */
  object(): Record<string, unknown> {
    return this.r.chance(0.1) ? {} : (Object.create(null) as Record<string, unknown>);
  }

  base64(size: number): string {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = this.r.int(256);
    return bytes.toString('base64');
  }
}

/** Sets an own key, `__proto__` included, without touching any prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Random whitelists

function randomWhitelist(g: Gen): Whitelist {
  const r = g.r;
  const names = [...SOAR_FIELDS, ...TRICKY_NAMES, ...RESERVED];
  const raw: RawWhitelist = {};
  if (r.chance(0.9)) raw.incident_fields = r.shuffle(r.subset(names.filter((n) => listable(n, 'incident')), r.float()));
  if (r.chance(0.9)) raw.properties = r.subset([...TRICKY_NAMES, 'custom1', 'custom2', 'score', 'origin'].filter((n) => listable(n, 'properties')), r.float());
  for (const kind of CHILD_KINDS) {
    if (r.chance(0.1)) continue;
    const rule: Record<string, unknown> = { include: r.chance(0.75) };
    if (r.chance(0.8)) rule.max_count = r.pick([0, 1, 2, 3, 5, 100]);
    if (r.chance(0.8)) rule.max_bytes = r.pick([0, 1, 3, 8, 20, 64, 200, 65_536]);
    if (r.chance(0.9)) rule.fields = r.subset([...CHILD_FIELDS[kind], ...TRICKY_NAMES].filter((n) => listable(n, 'child')), r.chance(0.5) ? 0.7 : 0.2);
    if (kind === 'artifacts' && r.chance(0.6)) rule.types = r.subset(ARTIFACT_TYPES, 0.4);
    (raw as Record<string, unknown>)[kind] = rule;
  }
  if (r.chance(0.8)) raw.max_text_bytes = r.pick([0, 1, 2, 5, 16, 40, 100, 65_536]);
  if (r.chance(0.4)) raw.max_total_bytes = r.pick([0, 100, 400, 1000, 3000, 10_000]);
  const wl = compileWhitelist(raw);
  if (!r.chance(0.15)) return wl;
  // A hand-made whitelist listing names compileWhitelist refuses: the filter must still never copy them.
  return {
    ...wl,
    incident_fields: [...wl.incident_fields, ...FORBIDDEN_NAMES, 'properties'],
    properties: [...wl.properties, ...FORBIDDEN_NAMES],
    notes: { ...wl.notes, fields: [...wl.notes.fields, '__proto__'] },
  };
}

// ---------------------------------------------------------------------------------------------
// Random incidents, planted to match the whitelist

/** Per kind, the clean (eligible) children in order, and how many were planted to be dropped. */
interface Plan {
  clean: Record<ChildKind, Record<string, unknown>[]>;
  planted: Record<ChildKind, number>;
}

const allowedName = (list: readonly string[], name: string): boolean => list.includes(name) && !FORBIDDEN.has(name);

function randomIncident(g: Gen, wl: Whitelist): Incident {
  const r = g.r;
  const incident = g.object();
  const candidates = r.shuffle([...SOAR_FIELDS, ...TRICKY_NAMES, ...RESERVED, ...wl.incident_fields]).slice(0, r.between(0, 16));
  for (const name of candidates) {
    if (name === 'properties' || Object.hasOwn(incident, name)) continue;
    define(incident, name, allowedName(wl.incident_fields, name) ? g.allowedValue() : g.secret());
  }
  if (r.chance(0.9)) {
    const props = g.object();
    const names = r.shuffle([...TRICKY_NAMES, 'custom1', 'custom2', 'score', 'origin', ...wl.properties]).slice(0, r.between(0, 6));
    for (const name of names) {
      if (Object.hasOwn(props, name)) continue;
      define(props, name, allowedName(wl.properties, name) ? g.allowedValue() : g.secret());
    }
    // `properties` may sit anywhere in the key order.
    define(incident, 'properties', props);
  }
  return incident as unknown as Incident;
}

/** A child whose every value is secret: it must be dropped whole. */
function secretChild(g: Gen, kind: ChildKind): Record<string, unknown> {
  const child = g.object();
  for (const name of g.r.subset([...CHILD_FIELDS[kind], ...TRICKY_NAMES], 0.12)) define(child, name, g.secret());
  define(child, g.cleanKey() + g.marker(), g.secret());
  return child;
}

function bodyLimit(kind: ChildKind, key: string, rule: ChildRule, wl: Whitelist): number {
  if (kind === 'attachments' && key === 'content') return Infinity;
  return BODY_FIELDS[kind].includes(key) ? rule.max_bytes : wl.max_text_bytes;
}

function cleanChild(g: Gen, kind: ChildKind, rule: ChildRule): Record<string, unknown> {
  const r = g.r;
  const child = g.object();
  const markNames = r.chance(0.5);
  const names = r.shuffle([...CHILD_FIELDS[kind], ...r.subset(TRICKY_NAMES, 0.1), ...rule.fields]);
  for (const name of names) {
    if (Object.hasOwn(child, name) || r.chance(0.2)) continue;
    if (!allowedName(rule.fields, name)) {
      define(child, markNames && r.chance(0.3) && !FORBIDDEN.has(name) ? name + g.marker() : name, g.secret());
      continue;
    }
    let value: JsonValue;
    if (kind === 'attachments' && name === 'content') value = g.base64(r.int(Math.min(rule.max_bytes, 64) + 1));
    else if (kind === 'notes' && name === 'text') value = r.chance(0.3) ? { format: 'html', content: g.cleanString() } : g.cleanString();
    else if (kind === 'artifacts' && name === 'type') continue; // set below
    else value = r.chance(0.5) && BODY_FIELDS[kind].includes(name) ? g.cleanString() : g.allowedValue();
    define(child, name, value);
  }
  return child;
}

function randomChildren(g: Gen, wl: Whitelist): { bundle: Omit<IncidentBundle, 'incident'>; plan: Plan } {
  const r = g.r;
  const plan: Plan = {
    clean: { notes: [], artifacts: [], attachments: [], tasks: [] },
    planted: { notes: 0, artifacts: 0, attachments: 0, tasks: 0 },
  };
  const bundle: Record<string, unknown[]> = {};
  for (const kind of CHILD_KINDS) {
    if (r.chance(0.15)) continue; // the kind is absent from the bundle
    const rule = wl[kind];
    const types = rule.artifact_types ?? [];
    const list: Record<string, unknown>[] = [];
    for (let n = r.int(5); n > 0; n--) {
      let child: Record<string, unknown>;
      let eligible = rule.include && plan.clean[kind].length < rule.max_count;
      // Artifacts: the type decides first.
      let type: JsonValue | undefined;
      if (kind === 'artifacts') {
        if (types.length === 0) type = r.chance(0.8) ? r.pick(ARTIFACT_TYPES) : r.int(20);
        else if (r.chance(0.6)) {
          const name = r.pick(types);
          type = r.pick([name, name.toLowerCase(), name.toUpperCase()]);
        } else {
          type = r.pick([() => g.marker() + 'Evil Type', () => r.int(20), () => undefined])();
          eligible = false;
        }
      }
      // Attachments: an oversized file (when its content may leave) is dropped.
      let content: string | undefined;
      if (kind === 'attachments' && rule.fields.includes('content') && rule.max_bytes <= 256 && r.chance(0.3)) {
        content = g.base64(Math.max(rule.max_bytes + 1, 12) + r.int(8));
        g.secrets.push(content);
        eligible = false;
      }
      if (eligible) {
        child = cleanChild(g, kind, rule);
        plan.clean[kind].push(child);
      } else {
        child = secretChild(g, kind);
        plan.planted[kind] += 1;
      }
      if (kind === 'artifacts' && type !== undefined) define(child, 'type', type);
      if (content !== undefined) define(child, 'content', content);
      list.push(child);
    }
    bundle[kind] = list;
  }
  return { bundle: bundle as Omit<IncidentBundle, 'incident'>, plan };
}

// ---------------------------------------------------------------------------------------------
// The oracle

/**
 * Checks that `out` is `input` copied: forbidden keys gone, strings over `limit` cut to a UTF-8
 * prefix of at most `limit` bytes plus the marker, everything else equal. Returns the cuts.
 */
function checkCopy(input: unknown, out: unknown, limit: number, where: string): number {
  if (typeof input === 'string') {
    assert.equal(typeof out, 'string', where);
    const bytes = Buffer.from(input, 'utf8');
    if (bytes.length <= limit) {
      assert.equal(out, input, where);
      return 0;
    }
    const text = out as string;
    assert.ok(text.endsWith(TRUNCATION_MARKER), `${where}: a cut string ends with the marker`);
    const kept = Buffer.from(text.slice(0, text.length - TRUNCATION_MARKER.length), 'utf8');
    assert.ok(kept.length <= limit && kept.length > limit - 4, `${where}: cut to ${kept.length} bytes for a limit of ${limit}`);
    assert.ok(bytes.subarray(0, kept.length).equals(kept), `${where}: the cut string is a prefix`);
    return 1;
  }
  if (Array.isArray(input)) {
    assert.ok(Array.isArray(out), where);
    assert.equal(out.length, input.length, where);
    return input.reduce((sum: number, item, i) => sum + checkCopy(item, out[i], limit, `${where}[${i}]`), 0);
  }
  if (input !== null && typeof input === 'object') {
    assert.ok(out !== null && typeof out === 'object' && !Array.isArray(out), where);
    const source = input as Record<string, unknown>;
    const copy = out as Record<string, unknown>;
    assert.deepEqual(Object.keys(copy), Object.keys(source).filter((k) => !FORBIDDEN.has(k)), `${where}: keys`);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype, `${where}: a plain object`);
    let cuts = 0;
    for (const key of Object.keys(copy)) cuts += checkCopy(source[key], copy[key], limit, `${where}.${key}`);
    return cuts;
  }
  assert.ok(Object.is(out, input), `${where}: ${String(out)} is ${String(input)}`);
  return 0;
}

/** Checks one kept child against its input; returns its cuts and its untyped values. */
function checkChild(g: Gen, kind: ChildKind, input: Record<string, unknown>, out: JsonObject, wl: Whitelist, where: string): { cuts: number; untyped: number } {
  const rule = wl[kind];
  const allowedKeys = Object.keys(input).filter((k) => allowedName(rule.fields, k));
  const expectedKeys = allowedKeys.filter((k) => !g.isUntyped(input[k]));
  assert.deepEqual(Object.keys(out), expectedKeys, `${where}: fields`);
  let cuts = 0;
  for (const key of expectedKeys) cuts += checkCopy(input[key], out[key], bodyLimit(kind, key, rule, wl), `${where}.${key}`);
  return { cuts, untyped: allowedKeys.length - expectedKeys.length };
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');
const filtered = (r: FilterResult) => ({ incident: r.incident, notes: r.notes, artifacts: r.artifacts, attachments: r.attachments, tasks: r.tasks });

function assertNoSecrets(result: FilterResult, g: Gen, where: string): void {
  // Dropped names are reported by design (and checked exactly); everything else must be clean.
  const text = JSON.stringify({ ...result, dropped: { ...result.dropped, incidentFields: [], properties: [] } });
  const at = text.indexOf(MARK_OPEN);
  assert.equal(at, -1, `${where}: a secret marker leaked: ...${text.slice(Math.max(0, at - 60), at + 20)}...`);
  for (const secret of g.secrets) assert.ok(!text.includes(secret), `${where}: secret attachment content leaked`);
}

/** What a case exercised, to show (and check) that the generators reach every rule. */
interface Reached {
  droppedField: boolean;
  droppedProperty: boolean;
  keptChild: boolean;
  droppedChild: boolean;
  droppedForSize: boolean;
  truncated: boolean;
  untyped: boolean;
}

function runCase(seed: number, index: number): Reached {
  const r = new Rand((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const g = new Gen(r);
  const where = `seed ${seed} case ${index}`;
  const wl = randomWhitelist(g);
  const incident = randomIncident(g, wl);
  const { bundle: children, plan } = randomChildren(g, wl);
  const bundle: IncidentBundle = { incident, ...children };
  // Immutability, on a share of the cases (freezing is slow): frozen, any write by the filter
  // (strict-mode code) throws; otherwise the JSON before and after must match.
  if (index % 4 === 0) deepFreeze(bundle);
  const before = index % 4 === 1 ? JSON.stringify(bundle) : null;

  // 1. Without the total limit: every rule but the size one.
  // (A whitelist whose limit no generated bundle reaches is already unlimited.)
  const roomy = wl.max_total_bytes >= 1_000_000;
  const full = applyWhitelist(bundle, roomy ? wl : { ...wl, max_total_bytes: Number.MAX_SAFE_INTEGER });
  assertNoSecrets(full, g, where);

  const source = incident as unknown as Record<string, unknown>;
  const fieldNames = Object.keys(source).filter((k) => k !== 'properties');
  const allowedFields = fieldNames.filter((k) => allowedName(wl.incident_fields, k) && !g.isUntyped(source[k]));
  let untyped = fieldNames.filter((k) => allowedName(wl.incident_fields, k)).length - allowedFields.length;
  assert.deepEqual(Object.keys(full.incident), [...allowedFields, 'properties'], `${where}: incident fields`);
  assert.deepEqual(full.dropped.incidentFields, fieldNames.filter((k) => !allowedName(wl.incident_fields, k)), `${where}: dropped fields`);
  let cuts = 0;
  for (const key of allowedFields) cuts += checkCopy(source[key], full.incident[key], wl.max_text_bytes, `${where}: incident.${key}`);

  const props = (Object.hasOwn(source, 'properties') ? source.properties : {}) as Record<string, unknown>;
  const propNames = Object.keys(props);
  const allowedProps = propNames.filter((k) => allowedName(wl.properties, k) && !g.isUntyped(props[k]));
  untyped += propNames.filter((k) => allowedName(wl.properties, k)).length - allowedProps.length;
  const outProps = full.incident.properties as JsonObject;
  assert.deepEqual(Object.keys(outProps), allowedProps, `${where}: custom fields`);
  assert.deepEqual(full.dropped.properties, propNames.filter((k) => !allowedName(wl.properties, k)), `${where}: dropped custom fields`);
  for (const key of allowedProps) cuts += checkCopy(props[key], outProps[key], wl.max_text_bytes, `${where}: properties.${key}`);
  const incidentCuts = cuts;

  const childCuts = {} as Record<ChildKind, number[]>;
  const childUntyped = {} as Record<ChildKind, number[]>;
  for (const kind of CHILD_KINDS) {
    const out = full[kind];
    assert.equal(out.length, plan.clean[kind].length, `${where}: ${kind} kept`);
    assert.equal(full.dropped[kind], plan.planted[kind], `${where}: ${kind} dropped`);
    const checked = plan.clean[kind].map((child, i) => checkChild(g, kind, child, out[i] as JsonObject, wl, `${where}: ${kind}[${i}]`));
    childCuts[kind] = checked.map((c) => c.cuts);
    childUntyped[kind] = checked.map((c) => c.untyped);
    cuts += childCuts[kind].reduce((a, b) => a + b, 0);
    untyped += childUntyped[kind].reduce((a, b) => a + b, 0);
  }
  assert.equal(full.dropped.truncatedValues, cuts, `${where}: truncated values`);
  assert.equal(full.dropped.untypedValues, untyped, `${where}: values of no SOAR type`);

  // 2. With the total limit: a prefix of each list, emptied in order, fitting, minimal.
  const limited = roomy ? full : applyWhitelist(bundle, wl);
  assertNoSecrets(limited, g, where);
  assert.deepEqual(limited.incident, full.incident, `${where}: the incident is never cut for size`);
  assert.deepEqual(limited.dropped.incidentFields, full.dropped.incidentFields);
  assert.deepEqual(limited.dropped.properties, full.dropped.properties);
  let lostCuts = 0;
  let lostUntyped = 0;
  let lastLoss = null as ChildKind | null;
  for (const kind of TOTAL_BYTES_DROP_ORDER) {
    const kept = limited[kind].length;
    assert.deepEqual(limited[kind], full[kind].slice(0, kept), `${where}: ${kind} is a prefix`);
    const lost = full[kind].length - kept;
    assert.equal(limited.dropped[kind], full.dropped[kind] + lost, `${where}: ${kind} dropped for size`);
    lostCuts += (childCuts[kind] ?? []).slice(kept).reduce((a, b) => a + b, 0);
    lostUntyped += (childUntyped[kind] ?? []).slice(kept).reduce((a, b) => a + b, 0);
    if (lost > 0) {
      if (lastLoss !== null) assert.equal(limited[lastLoss].length, 0, `${where}: ${lastLoss} emptied before ${kind} loses any`);
      lastLoss = kind;
    }
  }
  assert.equal(limited.dropped.truncatedValues, full.dropped.truncatedValues - lostCuts, `${where}: truncations of kept values only`);
  assert.equal(limited.dropped.untypedValues, full.dropped.untypedValues - lostUntyped, `${where}: untyped values of kept children only`);
  const size = jsonBytes(filtered(limited));
  const anyChild = CHILD_KINDS.some((kind) => limited[kind].length > 0);
  if (lastLoss === null) assert.equal(size, jsonBytes(filtered(full)));
  else {
    assert.ok(size <= wl.max_total_bytes || !anyChild, `${where}: ${size} bytes for a limit of ${wl.max_total_bytes}`);
    const next = full[lastLoss][limited[lastLoss].length] as JsonObject;
    const grown = { ...filtered(limited), [lastLoss]: [...limited[lastLoss], next] };
    assert.ok(jsonBytes(grown) > wl.max_total_bytes, `${where}: ${lastLoss} dropped although it fitted`);
  }
  assert.ok(incidentCuts <= limited.dropped.truncatedValues);

  // 3. Purity.
  if (before !== null) assert.equal(JSON.stringify(bundle), before, `${where}: input changed`);
  if (index % 5 === 0) assert.deepEqual(applyWhitelist(bundle, wl), limited, `${where}: not deterministic`);
  assert.deepEqual(Object.keys(Object.prototype), [], `${where}: Object.prototype polluted`);

  return {
    droppedField: full.dropped.incidentFields.length > 0,
    droppedProperty: full.dropped.properties.length > 0,
    keptChild: CHILD_KINDS.some((kind) => limited[kind].length > 0),
    droppedChild: CHILD_KINDS.some((kind) => plan.planted[kind] > 0),
    droppedForSize: lastLoss !== null,
    truncated: full.dropped.truncatedValues > 0,
    untyped: full.dropped.untypedValues > 0,
  };
}

it('no non-whitelisted field or value ever leaves, over thousands of random incidents', (t) => {
  const seed = process.env['WHITELIST_SEED'] !== undefined ? Number(process.env['WHITELIST_SEED']) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const cases = Number(process.env['WHITELIST_CASES'] ?? 3000);
  t.diagnostic(`WHITELIST_SEED=${seed} (${cases} cases)`);
  const started = Date.now();
  const reached: Record<keyof Reached, number> = { droppedField: 0, droppedProperty: 0, keptChild: 0, droppedChild: 0, droppedForSize: 0, truncated: 0, untyped: 0 };
  for (let i = 0; i < cases; i++) {
    const one = runCase(seed, i);
    for (const key of Object.keys(reached) as (keyof Reached)[]) if (one[key]) reached[key] += 1;
  }
  t.diagnostic(`${cases} cases in ${Date.now() - started} ms; cases reaching each rule: ${JSON.stringify(reached)}`);
  // Each rule is exercised by a fair share of the cases (guards the generators against drift).
  for (const [key, count] of Object.entries(reached)) assert.ok(count >= cases / 50, `only ${count} of ${cases} cases reached ${key}`);
});

it('the generators plant what they should (a sanity check of the test itself)', () => {
  const g = new Gen(new Rand(7));
  // Allowed places are clean when they hold a typed value; an untyped one hides a marker inside...
  const everything = compileWhitelist({ incident_fields: SOAR_FIELDS, properties: ['custom1', 'custom2', 'score', 'origin'] });
  let clean = 0;
  let untyped = 0;
  for (let i = 0; i < 50; i++) {
    const incident = randomIncident(g, everything) as unknown as Record<string, unknown>;
    for (const key of Object.keys(incident).filter((k) => allowedName(everything.incident_fields, k))) {
      const marked = JSON.stringify(incident[key]).includes(MARK_OPEN);
      assert.equal(marked, g.isUntyped(incident[key]), key);
      if (marked) untyped += 1;
      else clean += 1;
    }
  }
  assert.ok(untyped > 10);
  assert.ok(clean > 100);
  // ...and every other place carries a marker.
  const nothing = compileWhitelist({ incident_fields: [], properties: [] });
  let secret = 0;
  for (let i = 0; i < 50; i++) {
    const incident = randomIncident(g, nothing) as unknown as Record<string, unknown>;
    const props = (incident.properties ?? {}) as Record<string, unknown>;
    for (const [key, value] of [...Object.entries(incident).filter(([k]) => k !== 'properties'), ...Object.entries(props)]) {
      assert.ok(JSON.stringify(value).includes(MARK_OPEN), `${key} carries a marker`);
      secret += 1;
    }
  }
  assert.ok(secret > 100);
});
