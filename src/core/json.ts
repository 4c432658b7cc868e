/** Small helpers over parsed JSON/YAML trees. */
import type { JsonObject } from './types.js';

/** An object node (neither null nor an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The same test, for a value parsed from JSON. */
export const isJsonObject = isRecord as (v: unknown) => v is JsonObject;

/**
 * A copy without null-valued keys, recursively: in the config, `key:` and `key: null` mean "not
 * given". Keys are defined as own properties, so a `__proto__` key can never reach a prototype.
 */
export function dropNulls(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropNulls);
  if (node !== null && typeof node === 'object' && !Buffer.isBuffer(node)) {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (value === null || value === undefined) continue;
      Object.defineProperty(copy, key, { value: dropNulls(value), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return node;
}

/**
 * Whether a parsed JSON value nests deeper than `limit` objects/arrays (the root is level 1).
 * Iterative, so a hostile nesting cannot exhaust the stack while being measured.
 */
export function depthExceeds(root: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
