/**
 * SOAR rule conditions, evaluated against the old and new state of the object that changed.
 *
 * A condition is `{field_name, method, value, evaluation_id}`; `field_name` is
 * `incident.<field>`, `incident.properties.<custom field>` or `<datatable>.<column>`.
 * On object creation the "old" object is empty (every old value is null), so `changed` holds
 * for every field created with a value and `changed_to X` for every field created equal to X.
 * Incident fields seen from a datatable rule never count as changed.
 *
 * Methods: object_added, equals, not_equals, in, not_in, contains, not_contains, has_a_value,
 * not_has_a_value, gt, gte, lt, lte, changed, changed_to, not_changed_to, value_added,
 * due_within, overdue_by (days from now). `logic_type` all (every condition), any (at least
 * one; no conditions = fires), advanced (`custom_condition` over evaluation ids with AND, OR,
 * NOT and parentheses; AND binds tighter than OR).
 */
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';

export interface FieldValues {
  readonly old: JsonValue | undefined;
  readonly new: JsonValue | undefined;
  /** The field definition (for select values: label <-> id), when known. */
  readonly def: JsonObject | null;
}

export interface ConditionContext {
  /** Whether the object was just created. */
  readonly added: boolean;
  /** The old/new values of a condition's field_name; null when the field is unknown here. */
  field(fieldName: string): FieldValues | null;
  readonly now?: number;
}

export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

function hasValue(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isJsonObject(v) && 'content' in v) return hasValue(v['content']); // rich text {format, content}
  return true;
}

function plain(v: JsonValue | undefined): JsonValue | undefined {
  if (isJsonObject(v) && 'content' in v && 'format' in v) return v['content'];
  return v;
}

/** The select/multiselect values of a field definition, as [id, label] pairs. */
function choices(def: JsonObject | null): Array<[JsonValue, string]> {
  const vals = def && Array.isArray(def['values']) ? def['values'] : [];
  return vals.filter(isJsonObject).map((x) => [x['value'] ?? null, String(x['label'] ?? '')]);
}

/** One stored value equals one condition value (ids, labels, {id, name} handles). */
function scalarEq(def: JsonObject | null, actual: JsonValue | undefined, expected: JsonValue | undefined): boolean {
  actual = plain(actual);
  if (!hasValue(actual) || !hasValue(expected)) return !hasValue(actual) && !hasValue(expected);
  if (actual === expected) return true;
  if (isJsonObject(actual)) {
    return scalarEq(def, actual['id'] ?? undefined, expected) || scalarEq(def, actual['name'] ?? undefined, expected);
  }
  if (isJsonObject(expected)) {
    return scalarEq(def, actual, expected['id'] ?? undefined) || scalarEq(def, actual, expected['name'] ?? undefined);
  }
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    const b = (x: JsonValue | undefined): string => String(x).toLowerCase();
    return b(actual) === b(expected);
  }
  if (String(actual) === String(expected)) return true;
  for (const [id, label] of choices(def)) {
    const idMatches = (x: JsonValue | undefined): boolean => String(x) === String(id);
    if (idMatches(actual) && label === String(expected)) return true;
    if (idMatches(expected) && label === String(actual)) return true;
  }
  return false;
}

function eq(def: JsonObject | null, actual: JsonValue | undefined, expected: JsonValue | undefined): boolean {
  if (Array.isArray(actual)) {
    if (Array.isArray(expected)) {
      return actual.length === expected.length && expected.every((e) => actual.some((a) => scalarEq(def, a, e)));
    }
    return actual.some((a) => scalarEq(def, a, expected));
  }
  return scalarEq(def, actual, expected);
}

function same(def: JsonObject | null, a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (!hasValue(a) || !hasValue(b)) return !hasValue(a) && !hasValue(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? a : [a!];
    const y = Array.isArray(b) ? b : [b!];
    return x.length === y.length && x.every((e) => y.some((f) => scalarEq(def, e, f)));
  }
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b)) || scalarEq(def, a, b);
}

function num(v: JsonValue | undefined): number | null {
  v = plain(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

function list(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

const DAY_MS = 86_400_000;

/** Evaluates one condition; throws ConditionError for unknown methods or fields. */
function evaluateCondition(cond: JsonObject, ctx: ConditionContext): boolean {
  const method = String(cond['method'] ?? '');
  if (method === 'object_added') return ctx.added;
  const fieldName = cond['field_name'];
  if (typeof fieldName !== 'string' || fieldName === '') throw new ConditionError(`condition '${method}' has no field_name`);
  const f = ctx.field(fieldName);
  if (!f) throw new ConditionError(`condition on unknown field '${fieldName}'`);
  const want = cond['value'] ?? null;
  const v = f.new;
  switch (method) {
    case 'equals':
      return eq(f.def, v, want);
    case 'not_equals':
      return !eq(f.def, v, want);
    case 'in':
      return list(want).some((w) => eq(f.def, v, w));
    case 'not_in':
      return !list(want).some((w) => eq(f.def, v, w));
    case 'contains':
    case 'not_contains': {
      const wants = list(want);
      let hit: boolean;
      const pv = plain(v);
      if (Array.isArray(pv)) hit = wants.some((w) => pv.some((x) => scalarEq(f.def, x, w)));
      else if (typeof pv === 'string') hit = wants.some((w) => pv.toLowerCase().includes(String(w).toLowerCase()));
      else hit = false;
      return method === 'contains' ? hit : !hit;
    }
    case 'has_a_value':
      return hasValue(v);
    case 'not_has_a_value':
      return !hasValue(v);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = num(v);
      const b = num(want);
      if (a === null || b === null) return false;
      return method === 'gt' ? a > b : method === 'gte' ? a >= b : method === 'lt' ? a < b : a <= b;
    }
    case 'changed':
      return !same(f.def, f.old, v);
    case 'changed_to':
      return !same(f.def, f.old, v) && eq(f.def, v, want);
    case 'not_changed_to':
      return !same(f.def, f.old, v) && !eq(f.def, v, want);
    case 'value_added': {
      const oldList = list(f.old);
      return list(v).some((x) => !oldList.some((o) => scalarEq(f.def, o, x)));
    }
    case 'due_within':
    case 'overdue_by': {
      const when = num(v);
      const days = num(want);
      if (when === null || days === null) return false;
      const now = ctx.now ?? Date.now();
      return method === 'due_within' ? when >= now && when - now <= days * DAY_MS : now - when >= days * DAY_MS;
    }
    default:
      throw new ConditionError(`condition method '${method}' is not supported by the emulator`);
  }
}

/** Evaluates `custom_condition` ("1 AND (2 OR 3)") given each evaluation id's result. */
function evaluateAdvanced(expr: string, results: ReadonlyMap<number, boolean>): boolean {
  const tokens = expr.match(/\(|\)|\d+|[A-Za-z]+|\S/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const orExpr = (): boolean => {
    let v = andExpr();
    while (peek()?.toUpperCase() === 'OR') {
      i++;
      const r = andExpr();
      v = v || r;
    }
    return v;
  };
  const andExpr = (): boolean => {
    let v = unary();
    while (peek()?.toUpperCase() === 'AND') {
      i++;
      const r = unary();
      v = v && r;
    }
    return v;
  };
  const unary = (): boolean => {
    const t = peek();
    if (t === undefined) throw new ConditionError(`custom_condition '${expr}' ends too early`);
    if (t.toUpperCase() === 'NOT') {
      i++;
      return !unary();
    }
    if (t === '(') {
      i++;
      const v = orExpr();
      if (peek() !== ')') throw new ConditionError(`custom_condition '${expr}': missing ')'`);
      i++;
      return v;
    }
    if (/^\d+$/.test(t)) {
      i++;
      const r = results.get(Number(t));
      if (r === undefined) throw new ConditionError(`custom_condition '${expr}' names evaluation id ${t}, which no condition has`);
      return r;
    }
    throw new ConditionError(`custom_condition '${expr}': unexpected '${t}'`);
  };
  const v = orExpr();
  if (i !== tokens.length) throw new ConditionError(`custom_condition '${expr}': unexpected '${tokens[i]}'`);
  return v;
}

/** Whether a rule's conditions hold. Throws ConditionError when they cannot be evaluated. */
export function ruleConditionsHold(rule: JsonObject, ctx: ConditionContext): boolean {
  const conds = Array.isArray(rule['conditions']) ? rule['conditions'].filter(isJsonObject) : [];
  const logic = String(rule['logic_type'] ?? 'all');
  if (logic === 'advanced' && typeof rule['custom_condition'] === 'string' && rule['custom_condition'].trim() !== '') {
    const results = new Map<number, boolean>();
    conds.forEach((c, idx) => {
      const id = typeof c['evaluation_id'] === 'number' ? c['evaluation_id'] : idx + 1;
      results.set(id, evaluateCondition(c, ctx));
    });
    return evaluateAdvanced(rule['custom_condition'], results);
  }
  if (logic !== 'any' && logic !== 'all' && logic !== 'advanced') throw new ConditionError(`logic_type '${logic}' is not supported`);
  if (conds.length === 0) return true;
  // Every condition is evaluated (no short cut), so an unsupported one is always reported.
  const results = conds.map((c) => evaluateCondition(c, ctx));
  return logic === 'any' ? results.some(Boolean) : results.every(Boolean);
}
