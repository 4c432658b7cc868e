/**
 * SOAR sends function inputs typed by their field kind; handlers want plain values:
 * select `{id, name}` -> name, multiselect `[{id, name}]` -> names, rich text or
 * "text with value string" `{format, content}` -> content. A null input is dropped, so
 * "not given" means one thing to the schema (`required`) and to the handler (undefined).
 */
import type { JsonObject, JsonValue } from '../core/types.js';
import { isJsonObject } from '../core/json.js';

function isSelectValue(v: JsonValue): v is { id: number; name: string } {
  return isJsonObject(v) && typeof v['name'] === 'string' && typeof v['id'] === 'number' && Object.keys(v).length === 2;
}

function isRichText(v: JsonValue): v is { format: string; content: string } {
  return isJsonObject(v) && typeof v['format'] === 'string' && 'content' in v && Object.keys(v).length === 2;
}

function normalizeInput(value: JsonValue): JsonValue {
  if (isSelectValue(value)) return value.name;
  if (isRichText(value)) return value.content;
  if (Array.isArray(value) && value.length > 0 && value.every(isSelectValue)) {
    return value.map((v) => (v as { name: string }).name);
  }
  return value;
}

export function normalizeInputs(inputs: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (value === null) continue;
    // Defined, not assigned: an input named `__proto__` stays an input (which the schema can
    // refuse) and never becomes the prototype other inputs are read through.
    Object.defineProperty(out, key, { value: normalizeInput(value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
