/**
 * Typed shapes of SOAR's REST objects, with the field names SOAR uses (docs/soar-wire.md; examples in
 * test/fixtures/soar/). Response DTOs list the fields the product relies on
 * and keep every other field through an index signature, so they stay plain JSON: any DTO can be
 * returned as a function's result content (JsonValue) without conversion.
 *
 * Fields declared here are present in SOAR's answers (possibly null). Fields a SOAR version may
 * omit are reached through the index signature and must be checked before use.
 */
import type { JsonValue } from '../core/types.js';

/** `{format, content}`, how SOAR carries rich text (notes, descriptions, task instructions). */
export interface TextContent {
  format: 'html' | 'text' | string;
  content: string;
  [key: string]: JsonValue;
}

/** SOAR's error body: `{"success": false, "title": null, "message": "...", "hints": [], "error_code": "generic"}`. */
export interface SoarErrorBody {
  success: false;
  title: string | null;
  message: string;
  hints: string[];
  error_code: string;
  [key: string]: JsonValue;
}

/**
 * One entry of the session's `orgs[]`. Password sessions of older SOAR versions carry no
 * `uuid`/`cloud_account`; read those through the index signature.
 */
export interface SessionOrg {
  id: number;
  name: string;
  enabled: boolean;
  [key: string]: JsonValue;
}

/** `GET /rest/session` (API key) or `POST /rest/session` (email/password). */
export interface SessionInfo {
  orgs: SessionOrg[];
  /** Password sessions: csrf_token (sent back as X-sess-id), user_id, user_email, user_fname,
   *  user_lname, session_ip... API key sessions: api_key_handle (may be null), client_id,
   *  display_name; SOAR 51.x gives them no user_id and no csrf_token. */
  [key: string]: JsonValue;
}

/**
 * The org as the client knows it: `GET /rest/orgs/<id>` (the full org object: definitions such
 * as `users`, `groups`, `incident_types` as maps keyed by name, `actions_framework_enabled`),
 * with `name`, `uuid` and `cloud_account` lifted from its `org_info` (where SOAR 51.x puts them)
 * or the session's entry, and `enabled` from the session (see orgOf in org.ts).
 */
export interface SoarOrg {
  id: number;
  name: string;
  enabled: boolean;
  uuid: string | null;
  cloud_account: string | null;
  [key: string]: JsonValue;
}

/** SOAR's `server_version` from `GET /rest/const`. */
export interface ServerVersion {
  major: number;
  minor: number;
  build_number: number;
  version: string;
  [key: string]: JsonValue;
}

/** `GET /rest/const` (large: statuses, states, regulators, input types...). */
export interface ConstInfo {
  server_version: ServerVersion;
  [key: string]: JsonValue;
}

/** An incident as `GET /incidents/<id>` returns it. */
export interface Incident {
  id: number;
  name: string;
  description: string | null;
  discovered_date: number | null;
  create_date: number;
  severity_code: number | string | null;
  owner_id: number | string | null;
  /** 'A' active, 'C' closed. */
  plan_status: 'A' | 'C' | string;
  phase_id: number | string | null;
  /** Incremented by SOAR on every change; a PUT with a stale value answers 409. */
  vers: number;
  org_id: number;
  creator_id: number | null;
  incident_type_ids: (number | string)[];
  /** Custom fields. */
  properties: Record<string, JsonValue>;
  [key: string]: JsonValue;
}

/** Body of `POST /incidents`: `name` and `discovered_date` (epoch ms) are required. */
export interface IncidentCreate {
  name: string;
  discovered_date: number;
  description?: string | TextContent | null;
  severity_code?: number | string | null;
  owner_id?: number | string | null;
  plan_status?: 'A' | 'C';
  phase_id?: number | string | null;
  incident_type_ids?: (number | string)[];
  properties?: Record<string, JsonValue>;
  [key: string]: JsonValue | undefined;
}

/** A task (`GET /tasks/<id>`, `GET /incidents/<id>/tasks`). */
export interface Task {
  id: number;
  name: string;
  inc_id: number;
  /** 'O' open, 'C' closed. */
  status: 'O' | 'C';
  instructions: string | TextContent | null;
  required: boolean;
  due_date: number | null;
  owner_id: number | string | null;
  phase_id: number | string | null;
  [key: string]: JsonValue;
}

/** Body of `POST /incidents/<id>/tasks`. */
export interface TaskCreate {
  name: string;
  instructions?: string | TextContent | null;
  phase_id?: number | string | null;
  due_date?: number | null;
  owner_id?: number | string | null;
  required?: boolean;
  [key: string]: JsonValue | undefined;
}

/** One datatable cell: `{row_id, id, value}` (id: the column's id or api name). */
export interface TableCell {
  id: JsonValue;
  row_id: number;
  value: JsonValue;
  [key: string]: JsonValue;
}

/** One datatable row. `version` grows on each change. */
export interface TableRow {
  id: number;
  cells: Record<string, TableCell>;
  version: number;
  [key: string]: JsonValue;
}

/** `GET /incidents/<id>/table_data/<table>`. */
export interface TableData {
  id: number | string | null;
  rows: TableRow[];
  [key: string]: JsonValue;
}

/** A note (`/incidents/<id>/comments`). SOAR answers `text` as HTML text. */
export interface Note {
  id: number;
  text: string | TextContent;
  create_date: number;
  user_id: number | null;
  parent_id: number | null;
  [key: string]: JsonValue;
}

/** An artifact (`/incidents/<id>/artifacts`). `type` is an id, or a name with handle_format=names. */
export interface Artifact {
  id: number;
  type: number | string;
  value: string;
  description: string | TextContent | null;
  inc_id: number;
  created: number;
  [key: string]: JsonValue;
}

/** An attachment's description (`/incidents/<id>/attachments`); its bytes are at `.../contents`. */
export interface Attachment {
  id: number;
  name: string;
  content_type: string;
  size: number;
  created: number;
  inc_id: number;
  [key: string]: JsonValue;
}

/** What `addAttachment` uploads. */
export interface AttachmentUpload {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** Body of `POST /incidents/<id>/artifacts` (as the client's addArtifact takes it). */
export interface ArtifactCreate {
  /** Artifact type id or name ("IP Address", "DNS Name", ...). */
  type: number | string;
  value: string;
  description?: string | null;
}

/** A function definition (`GET /functions` entities, `GET /functions/<name>`). */
export interface FunctionDef {
  id: number;
  name: string;
  display_name: string;
  uuid: string;
  description: string | TextContent | null;
  /** The message destination's programmatic name. */
  destination_handle: string;
  /** The input fields (by uuid) shown on the function. */
  view_items: JsonValue[];
  version: number;
  [key: string]: JsonValue;
}

/** A message destination (`GET /message_destinations` entities). */
export interface MessageDestination {
  id: number;
  programmatic_name: string;
  name: string;
  uuid: string;
  expect_ack: boolean;
  /** 0 queue, 1 topic. */
  destination_type: number;
  users: number[];
  /** API key handles bound to it; not always returned. Read via the index signature when absent. */
  [key: string]: JsonValue;
}

/** `{"entities": [...]}`, how SOAR wraps lists of definitions. */
export interface EntityList<T> {
  entities: T[];
}

export type QueryMethod =
  | 'equals'
  | 'not_equals'
  | 'in'
  | 'not_in'
  | 'contains'
  | 'not_contains'
  | 'has_a_value'
  | 'not_has_a_value'
  | 'does_not_have_a_value'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | string;

export interface QueryCondition {
  /** A field name; custom fields as `properties.<name>`. */
  field_name: string;
  method: QueryMethod;
  value?: JsonValue;
}

export interface QuerySort {
  field_name: string;
  /** Lower case: SOAR (and every IBM client) uses `asc` / `desc`. */
  type: 'asc' | 'desc';
}

/** Body of `POST /incidents/query_paged`: conditions within a filter are ANDed, filters ORed. */
export interface QueryPagedRequest {
  filters: { conditions: QueryCondition[] }[];
  sorts?: QuerySort[];
  start?: number;
  length?: number;
}

export interface QueryPagedResponse<T = Incident> {
  recordsTotal: number;
  recordsFiltered: number;
  data: T[];
}

export type ReturnLevel = 'partial' | 'normal' | 'full';
