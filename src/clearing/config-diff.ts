/**
 * What importing a pushed configuration would do to a brand: its objects compared, by kind and
 * programmatic name, with the brand's own current export (scoped and stripped the same way).
 *
 * Values that differ between two SOARs holding the same configuration are left out of the
 * comparison: ids (and a datatable column's `type_id`, the table's id), timestamps, versions
 * and what SOAR computes (a function's `workflows`, the rules shown on a type).
 */
import { isJsonObject } from '../core/json.js';
import type { JsonObject, JsonValue } from '../core/types.js';
import type { ConfigKind } from '../config/config-kinds.js';
import { objectKey } from './config-kinds.js';
import { objectsOf } from './config-export.js';

export interface ConfigDiff {
  /** `kind: name` of objects the brand does not have. */
  readonly added: string[];
  /** `kind: name` of objects the brand has in another form. */
  readonly changed: string[];
  readonly unchanged: number;
}

const VOLATILE = new Set([
  'id', 'workflow_id', 'export_date', 'create_date', 'created_date', 'last_modified_time', 'version', 'content_version',
]);
const COMPUTED: Partial<Record<ConfigKind, readonly string[]>> = {
  functions: ['workflows'],
  datatables: ['actions'],
  workflows: ['actions'],
};

/** A stable text form of an object without its volatile keys (keys sorted at every level). */
export function canonical(kind: ConfigKind, o: JsonObject): string {
  const skipTop = new Set(COMPUTED[kind] ?? []);
  const walk = (v: JsonValue, depth: number, inColumns: boolean): JsonValue => {
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1, false));
    if (v === null || typeof v !== 'object') return v;
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) {
      if (VOLATILE.has(k) || (depth === 0 && skipTop.has(k)) || (inColumns && k === 'type_id')) continue;
      const child = v[k]!;
      // A datatable's columns: fields -> <column> -> {... type_id: <table id> ...}
      const columns = kind === 'datatables' && depth === 0 && k === 'fields';
      out[k] = columns && isJsonObject(child)
        ? Object.fromEntries(Object.keys(child).sort().map((c) => [c, walk(child[c]!, depth + 2, true)]))
        : walk(child, depth + 1, false);
    }
    return out;
  };
  return JSON.stringify(walk(o, 0, false));
}

/** Compares the incoming export with the brand's current one, kind by kind. */
export function diffExports(incoming: JsonObject, current: JsonObject, kinds: readonly ConfigKind[]): ConfigDiff {
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const kind of kinds) {
    const have = new Map(objectsOf(current, kind).map((o) => [objectKey(kind, o), o]));
    for (const o of objectsOf(incoming, kind)) {
      const key = objectKey(kind, o);
      const mine = have.get(key);
      if (!mine) added.push(`${kind}: ${key}`);
      else if (canonical(kind, mine) !== canonical(kind, o)) changed.push(`${kind}: ${key}`);
      else unchanged += 1;
    }
  }
  return { added, changed, unchanged };
}
