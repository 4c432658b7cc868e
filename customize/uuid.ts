/**
 * Stable uuids for the customization: a name-based UUID (RFC 9562 version 5, SHA-1) of
 * `<kind>:<name>` in the soar-clearing namespace. The same definition gets the same uuid in every
 * build and on every machine, so re-importing updates objects in place, and the workflows under
 * `workflows/` can name function and field uuids that never change.
 *
 * Changing NAMESPACE, a kind or a name changes the uuid: SOAR would then see a new object.
 */
import { createHash } from 'node:crypto';

/** The soar-clearing namespace (a random v4 uuid, fixed forever). */
export const NAMESPACE = '064244a0-c33e-4a53-94e2-9148ff4877db';

/** Kinds of object that get a uuid; the kind keeps equal names of different kinds apart. */
export type UuidKind =
  | 'message_destination'
  | 'function'
  | 'field'
  | 'field_value'
  | 'datatable'
  | 'rule'
  | 'workflow'
  | 'task'
  | 'phase';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

function bytesOf(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new Error(`not a lower-case uuid: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function format(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 9562 UUID version 5 of `name` in `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(bytesOf(namespace)).update(Buffer.from(name, 'utf8')).digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10xx
  return format(b);
}

/** The uuid of one customization object, e.g. `stableUuid('function', 'clearing_ping')`. */
export function stableUuid(kind: UuidKind, name: string): string {
  return uuidV5(NAMESPACE, `${kind}:${name}`);
}
