/**
 * SOAR's configuration import (an export.res, in two steps: POST pending, PUT accepted), what an
 * export carries, and what a key refused an export or import lacks. Used by the customization
 * install (src/app/customize.ts) and by the configuration push (src/clearing/config-apply.ts,
 * config-export.ts).
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';
import type { JsonObject, JsonValue, Logger } from '../core/types.js';
import type { SoarClient } from './client.js';
import { SoarPermissionError, SoarRequestError } from './errors.js';

export interface ImportResult {
  readonly id: number;
  readonly status: string;
  /** What SOAR said about the import (warnings, skipped objects), as text lines. */
  readonly messages: readonly string[];
}

type ImportDto = { id?: JsonValue; status?: JsonValue; messages?: JsonValue; [key: string]: JsonValue | undefined };

function messagesOf(dto: ImportDto): string[] {
  const raw = dto.messages;
  if (!Array.isArray(raw)) return [];
  return raw.map((m) => {
    if (typeof m === 'string') return m;
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      const text = m['text'] ?? m['message'] ?? m['description'];
      const kind = m['type'] ?? m['level'] ?? m['severity'];
      if (typeof text === 'string') return typeof kind === 'string' ? `${kind}: ${text}` : text;
    }
    return JSON.stringify(m);
  });
}

/**
 * What SOAR wants of a key that exports or imports the configuration: in apikey_permissions.txt,
 * the section "Customization and configuration distribution".
 */
const CUSTOMIZATION_PERMISSIONS = 'the administrator permissions listed under "Customization and configuration distribution"'
  + ' in apikey_permissions.txt (edit_data, create_function, edit_function, create_workflow, edit_workflow, create_script,'
  + ' read_script, edit_script, read_layouts, edit_layouts), or an administrator role';

/** A 403 of a configuration export or import, said as the permission that is missing; other errors as they are. */
export function customizationRefusal(err: unknown, soar: SoarClient, operation: string): unknown {
  if (!(err instanceof SoarRequestError) || err.status !== 403) return err;
  const principal = `${soar.identity.kind === 'api_key' ? 'API key' : 'user'} ${soar.identity.principal}`;
  return new SoarPermissionError({ operation, permissions: CUSTOMIZATION_PERMISSIONS, principal, err });
}

/**
 * A copy with every object's `tags` emptied, as IBM's tools do before an import (resilient's
 * helpers.remove_tag): tag handles differ between orgs. Column names of a datatable (`fields`
 * of a type) are data, not keys.
 */
export function emptyTags(value: JsonValue, keysAreNames = false): JsonValue {
  if (Array.isArray(value)) return value.map((v) => emptyTags(v));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const copy = !keysAreNames && k === 'tags' ? [] : emptyTags(v, !keysAreNames && k === 'fields' && isJsonObject(v));
    Object.defineProperty(out, k, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** POST the export (tags emptied) as a pending import, then PUT it back ACCEPTED (SOAR's two-step import). */
export async function importConfiguration(soar: SoarClient, exportRes: unknown, log: Logger): Promise<ImportResult> {
  let pending: ImportDto;
  try {
    pending = await soar.post<ImportDto>('/configurations/imports', emptyTags(exportRes as JsonValue));
  } catch (err) {
    throw customizationRefusal(err, soar, 'import the configuration');
  }
  const id = pending.id;
  if (pending.status !== 'PENDING' || typeof id !== 'number') {
    throw new ClearingError(ErrorCode.SoarRequest,
      `SOAR did not accept the import for review (status ${JSON.stringify(pending.status)}): ${messagesOf(pending).join('; ') || 'no message'}`);
  }
  log.info(`import ${id} pending; accepting it`, { messages: messagesOf(pending).length });
  const accepted = await soar.put<ImportDto>(`/configurations/imports/${id}`, { ...pending, status: 'ACCEPTED' });
  const status = typeof accepted?.status === 'string' ? accepted.status : 'ACCEPTED';
  return { id, status, messages: [...messagesOf(pending), ...messagesOf(accepted ?? {})] };
}

/** The programmatic names of the message destinations an export carries. */
export function destinationsIn(exportRes: unknown): string[] {
  const list = isJsonObject(exportRes as JsonValue) ? (exportRes as JsonObject)['message_destinations'] : undefined;
  return Array.isArray(list) ? list.flatMap((d) => (isJsonObject(d) && typeof d['programmatic_name'] === 'string' ? [d['programmatic_name']] : [])) : [];
}
