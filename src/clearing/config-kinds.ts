/**
 * Where each kind of SOAR configuration a push can carry (src/config/config-kinds.ts) lives in an
 * export.res, and how its objects are named there (the programmatic name SOAR matches an import by).
 *
 * Users, groups and API keys are no kind: they never travel (see config-export.ts).
 */
import { isJsonObject } from '../core/json.js';
import type { JsonObject, JsonValue } from '../core/types.js';
import type { ConfigKind } from '../config/config-kinds.js';

/** Kind -> the export.res section that holds it. */
export const CONFIG_KINDS = {
  message_destinations: 'message_destinations',
  functions: 'functions',
  fields: 'fields',
  datatables: 'types',
  rules: 'actions',
  workflows: 'workflows',
  playbooks: 'playbooks',
  scripts: 'scripts',
  phases: 'phases',
  tasks: 'automatic_tasks',
  incident_types: 'incident_types',
  artifact_types: 'incident_artifact_types',
  layouts: 'layouts',
} as const satisfies Readonly<Record<ConfigKind, string>>;

function str(v: JsonValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The name an object goes by in its kind: what tags' name prefixes are matched against. */
export function objectName(o: JsonObject): string {
  return str(o['programmatic_name']) ?? str(o['type_name']) ?? str(o['name']) ?? str(o['export_key']) ?? str(o['uuid']) ?? '?';
}

/**
 * The identity of an object within its kind, as SOAR matches imports: a field is
 * `<type>/<name>` (an incident field and a function input may share a name), every other
 * object its programmatic name.
 */
export function objectKey(kind: ConfigKind, o: JsonObject): string {
  if (kind === 'fields') return str(o['export_key']) ?? objectName(o);
  return objectName(o);
}

/** The tag names an object carries: export tags are strings or `{tag_handle, value}` objects. */
export function tagsOf(o: JsonObject): string[] {
  const tags = o['tags'];
  if (!Array.isArray(tags)) return [];
  const out: string[] = [];
  for (const t of tags) {
    if (typeof t === 'string') out.push(t);
    else if (isJsonObject(t)) {
      for (const k of ['tag_handle', 'name', 'value']) {
        const v = str(t[k]);
        if (v) out.push(v);
      }
    }
  }
  return out;
}
