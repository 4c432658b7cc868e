/**
 * SoarClient: the REST client for one brand (one SOAR org).
 *
 *   const soar = await SoarClient.connect(brand.soar, { logger });
 *   const inc = await soar.getIncident(2314);
 *   await soar.withContextToken(token).addNote(inc.id, '<p>done</p>');
 *
 * `connect` logs in (API key: GET /rest/session with Basic auth; password: POST /rest/session,
 * then cookie JSESSIONID + header X-sess-id), picks the configured org out of the session's orgs
 * (cloud_account, then uuid, then name; it must be enabled) and reads it with GET /rest/orgs/<id>.
 *
 * Paths given to get/post/put/delete are relative to /rest/orgs/<orgId> (`/incidents/5`), or
 * absolute when they start with `/rest/` (`/rest/const`). Retries, timeouts and errors: see
 * transport.ts and retry.ts. Every error thrown is a ClearingError (SOAR's answers and faults as
 * the classes of ./errors.js).
 */
import { randomUUID } from 'node:crypto';
import type { SoarConfig } from '../config/types.js';
import { isJsonObject } from '../core/json.js';
import type { JsonObject, JsonValue, Logger } from '../core/types.js';
import type { BrandMetrics } from '../core/metrics.js';
import type {
  Artifact,
  ArtifactCreate,
  Attachment,
  AttachmentUpload,
  ConstInfo,
  EntityList,
  FunctionDef,
  Incident,
  IncidentCreate,
  MessageDestination,
  Note,
  QueryPagedRequest,
  QueryPagedResponse,
  ReturnLevel,
  ServerVersion,
  SessionInfo,
  SessionOrg,
  SoarOrg,
  TableData,
  TableRow,
  Task,
  TaskCreate,
} from './dto.js';
import { SoarConflictError, SoarRequestError } from './errors.js';
import { resolveRestPath } from './http.js';
import { orgOf, resolveOrg } from './org.js';
import { SoarTransport, type TransportOptions } from './transport.js';
import type { AxiosAdapter } from 'axios';

export interface RequestOptions {
  readonly signal?: AbortSignal;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  /** Send once, whatever happens (a password session's re-login on 401 still applies). */
  readonly skipRetry?: boolean;
  /**
   * POST only: the request is safe to repeat (it reads, or repeating it is harmless), so it is
   * retried on timeouts, resets and 5xx like a GET. Default: a POST is retried only when it
   * never left this host (connection refused, DNS lookup failed).
   */
  readonly idempotent?: boolean;
}

export interface ConnectOptions {
  readonly logger?: Logger;
  /** Replaces axios's HTTP adapter (tests without a network). */
  readonly adapter?: AxiosAdapter;
  readonly signal?: AbortSignal;
  /** The brand's metrics: failed requests are counted there (and distribution-table.ts counts its writes). */
  readonly metrics?: BrandMetrics;
}

export interface GetPutOptions<T = unknown> {
  /** GET-apply-PUT rounds before giving up with SoarConflictError; default 10. */
  readonly attempts?: number;
  readonly signal?: AbortSignal;
  /** Query parameters of both the GET and the PUT (e.g. handle_format=names). */
  readonly query?: RequestOptions['query'];
  /**
   * The object as the caller already read it: the first round applies to it instead of a GET.
   * A stale copy costs a 409 and a fresh round; `apply` answering null on it ends there, so
   * pass it only where deciding on that copy is acceptable.
   */
  readonly current?: T;
}

/** Who the client is logged in as. */
export interface SoarIdentity {
  readonly kind: 'api_key' | 'password';
  /** API key id or email. */
  readonly principal: string;
  /** SOAR's user_id from a password session (API key sessions of SOAR 51.x have none). */
  readonly userId: number | null;
  /** display_name (API key) or "first last" (user), when SOAR gives one. */
  readonly displayName: string | null;
  /** The API key's client_id: its name in message destinations' `api_keys` with handle_format=names. */
  readonly apiKeyClientId: string | null;
  /** The API key's handle (`api_key_handle`): its id in `api_keys` by default. SOAR 51.0.9 may give null. */
  readonly apiKeyHandle: number | null;
  /** The principal's role ids in the org, as a password session lists them (`orgs[].role_handles`; empty for API keys). */
  readonly roles: readonly number[];
}

/**
 * Objects getPut can update: SOAR's optimistic-locking field is `vers` (incidents) or `version`
 * (datatable rows...). The second member admits the DTOs (JSON index signature) that have neither.
 */
export type Versioned = { vers?: number; version?: number } | { [key: string]: unknown };

export type Apply<T> = (current: T) => T | null | Promise<T | null>;

function identityOf(transport: SoarTransport, session: SessionInfo, org: SessionOrg): SoarIdentity {
  const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
  const roles = org['role_handles'];
  const names = [str(session['user_fname']), str(session['user_lname'])].filter((x): x is string => x !== null);
  return {
    kind: transport.auth.kind,
    principal: transport.auth.principal,
    userId: typeof session['user_id'] === 'number' ? session['user_id'] : null,
    displayName: str(session['display_name']) ?? (names.length ? names.join(' ') : null),
    apiKeyClientId: transport.auth.kind === 'api_key' ? str(session['client_id']) : null,
    apiKeyHandle: transport.auth.kind === 'api_key' && typeof session['api_key_handle'] === 'number' ? session['api_key_handle'] : null,
    roles: Array.isArray(roles) ? roles.filter((r): r is number => typeof r === 'number') : [],
  };
}

function seg(v: string | number): string {
  return encodeURIComponent(String(v));
}

export class SoarClient {
  readonly orgId: number;
  readonly org: SoarOrg;
  readonly identity: SoarIdentity;
  /** The X-Co3ContextToken this view sends, or null. */
  readonly contextToken: string | null;
  private readonly transport: SoarTransport;

  private constructor(transport: SoarTransport, org: SoarOrg, identity: SoarIdentity, contextToken: string | null) {
    this.transport = transport;
    this.org = org;
    this.orgId = org.id;
    this.identity = identity;
    this.contextToken = contextToken;
  }

  /** Logs in, resolves the org and reads it. Throws SoarAuthError, SoarOrgError, SoarTlsError, SoarUnreachableError... */
  static async connect(cfg: SoarConfig, opts: ConnectOptions = {}): Promise<SoarClient> {
    const topts: TransportOptions = {
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.adapter ? { adapter: opts.adapter } : {}),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
    };
    const transport = new SoarTransport(cfg, topts);
    try {
      const session = await transport.login(opts.signal);
      const sessionOrg = resolveOrg(session.orgs, cfg.org);
      const raw = await transport.send<JsonValue>('GET', `/rest/orgs/${sessionOrg.id}`, undefined, {
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return new SoarClient(transport, orgOf(raw, sessionOrg), identityOf(transport, session, sessionOrg), null);
    } catch (err) {
      await transport.close().catch(() => undefined);
      throw err;
    }
  }

  /** The brand's metrics given to connect(), or null. */
  get metrics(): BrandMetrics | null {
    return this.transport.metrics;
  }

  /** SOAR's version, once getServerVersion() has read it. */
  get serverVersion(): ServerVersion | undefined {
    return this.transport.serverVersion;
  }

  /** SOAR's version from GET /rest/const (read once, then cached). */
  async getServerVersion(opts: RequestOptions = {}): Promise<ServerVersion> {
    if (!this.transport.serverVersion) {
      const c = await this.getConst(opts);
      this.transport.serverVersion = c.server_version;
    }
    return this.transport.serverVersion;
  }

  /**
   * A view of this client (same login, session and connections) that sends
   * `X-Co3ContextToken: <token>` on every call, so SOAR attributes the calls to the workflow
   * of the invocation that carried the token. null: a view without a token.
   */
  withContextToken(token: string | null): SoarClient {
    return new SoarClient(this.transport, this.org, this.identity, token === '' ? null : token);
  }

  restPath(path: string): string {
    return resolveRestPath(path, this.orgId);
  }

  /** Logs a password session out and closes the connections (all views share them). */
  async close(): Promise<void> {
    await this.transport.close();
  }

  private send<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.transport.send<T>(method, this.restPath(path), body, { ...opts, contextToken: this.contextToken });
  }

  get<T = JsonValue>(path: string, opts?: RequestOptions): Promise<T> {
    return this.send<T>('GET', path, undefined, opts);
  }

  post<T = JsonValue>(path: string, body: unknown, opts?: RequestOptions): Promise<T> {
    return this.send<T>('POST', path, body, opts);
  }

  put<T = JsonValue>(path: string, body: unknown, opts?: RequestOptions): Promise<T> {
    return this.send<T>('PUT', path, body, opts);
  }

  delete<T = JsonValue>(path: string, opts?: RequestOptions): Promise<T> {
    return this.send<T>('DELETE', path, undefined, opts);
  }

  /**
   * Optimistic update: GET the object, `apply` a change to it, PUT it back. SOAR answers 409 when
   * the object changed in between (its `vers`/`version` moved on): then GET again and re-apply,
   * up to `attempts` rounds (SoarConflictError after that). `apply` gets a private copy and
   * returns the object to PUT, or null for "nothing to change" (getPut then answers null).
   * `apply` may run several times, so it must derive the change from `current` alone.
   * The lock field is copied from the GET when `apply` leaves it out. Answers the PUT's response.
   */
  async getPut<T extends Versioned>(path: string, apply: Apply<T>, opts: GetPutOptions<T> = {}): Promise<T | null> {
    const attempts = Math.max(1, Math.floor(opts.attempts ?? 10));
    const ro: RequestOptions = { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.query ? { query: opts.query } : {}) };
    for (let i = 1; i <= attempts; i++) {
      const current = i === 1 && opts.current !== undefined ? opts.current : await this.get<T>(path, ro);
      const next = await apply(structuredClone(current));
      if (next === null) return null;
      const lock = current as { vers?: unknown; version?: unknown };
      const body: { vers?: unknown; version?: unknown } = { ...next };
      if (body.vers === undefined && typeof lock.vers === 'number') body.vers = lock.vers;
      if (body.version === undefined && typeof lock.version === 'number') body.version = lock.version;
      try {
        const updated = await this.put<T | StatusAnswer | null>(path, body, ro);
        // Some updates (PUT /tasks/<id>) answer a StatusDTO instead of the object.
        if (isStatusAnswer(updated)) {
          if (updated.success === false) {
            throw new SoarRequestError({ status: 200, method: 'PUT', path: this.restPath(path), soarMessage: updated.message ?? 'the update was refused' });
          }
          return body as T;
        }
        return (updated as T | null) ?? (body as T);
      } catch (err) {
        if (err instanceof SoarRequestError && err.status === 409) {
          this.transport.log.debug(`SOAR PUT ${this.restPath(path)} conflict (409); re-reading (${i}/${attempts})`, {
            method: 'PUT',
            path: this.restPath(path),
            status: 409,
            attempt: i,
          });
          continue;
        }
        throw err;
      }
    }
    throw new SoarConflictError(this.restPath(path), attempts);
  }

  // ---- incidents ----

  getIncident(id: number, opts?: RequestOptions): Promise<Incident> {
    return this.get<Incident>(`/incidents/${seg(id)}`, opts);
  }

  /** POST /incidents (`name` and `discovered_date` required). Not retried once sent: see retry.ts. */
  createIncident(dto: IncidentCreate, opts?: RequestOptions): Promise<Incident> {
    return this.post<Incident>('/incidents', dto, opts);
  }

  /** getPut on the incident (handles 409 with a fresh `vers`). */
  updateIncident(id: number, apply: Apply<Incident>, opts?: GetPutOptions<Incident>): Promise<Incident | null> {
    return this.getPut<Incident>(`/incidents/${seg(id)}`, apply, opts);
  }

  async deleteIncident(id: number, opts?: RequestOptions): Promise<void> {
    await this.delete(`/incidents/${seg(id)}`, opts);
  }

  /**
   * POST /incidents/query_paged (read-only, so retried like a GET). SOAR refuses a `length` above
   * its `max_page_size` (`GET /rest/const`): a longer window is read in pages of at most that
   * size (with `start`) and answered as one. No `length`: one page of `max_page_size`.
   */
  async queryIncidentsPaged(
    body: QueryPagedRequest,
    opts: { returnLevel?: ReturnLevel; handleFormat?: 'names' | 'ids'; signal?: AbortSignal } = {},
  ): Promise<QueryPagedResponse<Incident>> {
    const query: Record<string, string> = { return_level: opts.returnLevel ?? 'normal' };
    if (opts.handleFormat) query['handle_format'] = opts.handleFormat;
    const ro: RequestOptions = { query, idempotent: true, ...(opts.signal ? { signal: opts.signal } : {}) };
    const max = await this.getMaxPageSize(opts.signal ? { signal: opts.signal } : {});
    const want = body.length ?? max;
    const first = body.start ?? 0;
    if (want <= max) return this.post<QueryPagedResponse<Incident>>('/incidents/query_paged', { ...body, start: first, length: want }, ro);
    const data: Incident[] = [];
    let answer: QueryPagedResponse<Incident> | null = null;
    while (data.length < want) {
      const length = Math.min(max, want - data.length);
      answer = await this.post<QueryPagedResponse<Incident>>('/incidents/query_paged', { ...body, start: first + data.length, length }, ro);
      data.push(...answer.data);
      if (answer.data.length < length) break;
    }
    return { ...answer!, data };
  }

  /** `max_page_size` of GET /rest/const (read once, then cached; 100 when SOAR gives none). */
  async getMaxPageSize(opts: RequestOptions = {}): Promise<number> {
    if (this.transport.maxPageSize === undefined) {
      const c = await this.getConst(opts);
      this.transport.serverVersion ??= c.server_version;
      const v = c['max_page_size'];
      this.transport.maxPageSize = typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_PAGE_SIZE;
    }
    return this.transport.maxPageSize;
  }

  // ---- tasks ----

  listIncidentTasks(incidentId: number, opts?: RequestOptions): Promise<Task[]> {
    return this.get<Task[]>(`/incidents/${seg(incidentId)}/tasks`, opts);
  }

  createTask(incidentId: number, dto: TaskCreate, opts?: RequestOptions): Promise<Task> {
    return this.post<Task>(`/incidents/${seg(incidentId)}/tasks`, dto, opts);
  }

  getTask(id: number, opts?: RequestOptions): Promise<Task> {
    return this.get<Task>(`/tasks/${seg(id)}`, opts);
  }

  /** Sets the task's status to 'C' (no PUT when it is closed already); answers the task. */
  async closeTask(id: number, opts?: GetPutOptions<Task>): Promise<Task> {
    const seen: { task?: Task } = {};
    const updated = await this.getPut<Task>(
      `/tasks/${seg(id)}`,
      (t) => {
        seen.task = t;
        return t.status === 'C' ? null : { ...t, status: 'C' };
      },
      opts,
    );
    const task = updated ?? seen.task;
    if (!task) throw new SoarRequestError({ status: 200, method: 'GET', path: this.restPath(`/tasks/${seg(id)}`), soarMessage: 'no task' });
    return task;
  }

  // ---- datatables ----

  /**
   * The rows of a datatable on an incident, cells keyed by column API name with select labels
   * (`handle_format=names`: without it SOAR keys cells by numeric field id and gives option ids).
   * An incident without rows answers `{rows: []}` on current SOAR and 404 on older versions: both
   * are no rows here, so a caller that must tell a missing incident apart reads the incident.
   */
  async getTableData(incidentId: number, table: string | number, opts: RequestOptions = {}): Promise<TableData> {
    try {
      return await this.get<TableData>(`/incidents/${seg(incidentId)}/table_data/${seg(table)}`, named(opts));
    } catch (err) {
      if (err instanceof SoarRequestError && err.status === 404) return { id: null, rows: [] };
      throw err;
    }
  }

  /** Adds a row; `cells` maps column api names to plain values (wrapped as `{value}` for SOAR). */
  addTableRow(incidentId: number, table: string | number, cells: Record<string, JsonValue>, opts: RequestOptions = {}): Promise<TableRow> {
    return this.post<TableRow>(`/incidents/${seg(incidentId)}/table_data/${seg(table)}/row_data`, { cells: wrapCells(cells) }, named(opts));
  }

  /**
   * Sets the given cells of a row, keeping the others: SOAR's row PUT replaces the whole row (a
   * cell left out may be cleared), so the row is written whole, its current cells with `cells`
   * over them, with its `version`. A 409 (the row changed meanwhile) re-reads it and tries again,
   * up to `attempts` rounds (SoarConflictError after that). `current`: the row as the caller
   * read it (names format), saving the first read. Answers the row as SOAR stored it.
   */
  async updateTableRow(
    incidentId: number,
    table: string | number,
    rowId: number,
    cells: Record<string, JsonValue>,
    opts: RequestOptions & { current?: TableRow; attempts?: number } = {},
  ): Promise<TableRow> {
    return (await this.updateTableRowIf(incidentId, table, rowId, () => cells, opts))!;
  }

  /**
   * A row update decided on the row as it stands: `decide` gets the row (the `current` one first,
   * then each fresh read after a 409: another writer changed the row, its `version` moved on) and
   * answers the cells to change, or null to leave the row alone (then null is answered). Two
   * writers deciding on the same row make one write: the second one's PUT meets a 409 and
   * decides again on what the first wrote. The whole row is PUT with the version it was read at.
   */
  async updateTableRowIf(
    incidentId: number,
    table: string | number,
    rowId: number,
    decide: (row: TableRow) => Record<string, JsonValue> | null,
    opts: RequestOptions & { current?: TableRow; attempts?: number } = {},
  ): Promise<TableRow | null> {
    const { current: known, attempts: n, ...ro } = opts;
    const path = `/incidents/${seg(incidentId)}/table_data/${seg(table)}/row_data/${seg(rowId)}`;
    const attempts = Math.max(1, Math.floor(n ?? 10));
    for (let i = 1; i <= attempts; i++) {
      const row = i === 1 && known ? known : (await this.getTableData(incidentId, table, ro)).rows.find((r) => r.id === rowId);
      if (!row) throw new SoarRequestError({ status: 404, method: 'GET', path: this.restPath(path), soarMessage: `row ${rowId} not found` });
      const cells = decide(row);
      if (cells === null) return null;
      const whole: Record<string, JsonValue> = {};
      for (const [k, c] of Object.entries(row.cells)) whole[k] = c?.value ?? null;
      try {
        return await this.put<TableRow>(path, { id: rowId, version: row.version, cells: wrapCells({ ...whole, ...cells }) }, named(ro));
      } catch (err) {
        if (err instanceof SoarRequestError && err.status === 409) continue;
        throw err;
      }
    }
    throw new SoarConflictError(this.restPath(path), attempts);
  }

  async deleteTableRow(incidentId: number, table: string | number, rowId: number, opts?: RequestOptions): Promise<void> {
    await this.delete(`/incidents/${seg(incidentId)}/table_data/${seg(table)}/row_data/${seg(rowId)}`, opts);
  }

  // ---- notes and artifacts ----

  /** Adds a note whose text is `html`. */
  addNote(incidentId: number, html: string, opts?: RequestOptions): Promise<Note> {
    return this.post<Note>(`/incidents/${seg(incidentId)}/comments`, { text: { format: 'html', content: html } }, opts);
  }

  listNotes(incidentId: number, opts?: RequestOptions): Promise<Note[]> {
    return this.get<Note[]>(`/incidents/${seg(incidentId)}/comments`, opts);
  }

  /** Adds an artifact. SOAR answers a list (the artifacts created). */
  addArtifact(incidentId: number, artifact: ArtifactCreate, opts?: RequestOptions): Promise<Artifact[]> {
    const body: Record<string, JsonValue> = { type: artifact.type, value: artifact.value };
    if (artifact.description !== undefined && artifact.description !== null) {
      body['description'] = { format: 'text', content: artifact.description };
    }
    return this.post<Artifact[]>(`/incidents/${seg(incidentId)}/artifacts`, body, opts);
  }

  listAttachments(incidentId: number, opts?: RequestOptions): Promise<Attachment[]> {
    return this.get<Attachment[]>(`/incidents/${seg(incidentId)}/attachments`, opts);
  }

  getAttachmentContent(incidentId: number, attachmentId: number, opts: RequestOptions = {}): Promise<Buffer> {
    return this.transport.send<Buffer>('GET', this.restPath(`/incidents/${seg(incidentId)}/attachments/${seg(attachmentId)}/contents`), undefined, {
      ...opts, contextToken: this.contextToken, binary: true,
    });
  }

  /** Uploads a file as SOAR wants it: multipart/form-data with one `file` part. */
  addAttachment(incidentId: number, file: AttachmentUpload, opts: RequestOptions = {}): Promise<Attachment> {
    const boundary = `----soar-clearing-${randomUUID()}`;
    const safeName = file.name.replace(/["\r\n\\]/g, '_');
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\n` +
      `Content-Type: ${file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`,
    );
    const data = Buffer.concat([head, file.content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    return this.transport.send<Attachment>('POST', this.restPath(`/incidents/${seg(incidentId)}/attachments`), undefined, {
      ...opts, contextToken: this.contextToken, rawBody: { data, contentType: `multipart/form-data; boundary=${boundary}` },
    });
  }

  listArtifacts(incidentId: number, opts?: RequestOptions): Promise<Artifact[]> {
    return this.get<Artifact[]>(`/incidents/${seg(incidentId)}/artifacts`, opts);
  }

  // ---- definitions ----

  async listFunctions(opts?: RequestOptions): Promise<FunctionDef[]> {
    return (await this.get<EntityList<FunctionDef>>('/functions', opts)).entities;
  }

  /** GET /functions/<name>?handle_format=names. */
  getFunction(name: string, opts: RequestOptions = {}): Promise<FunctionDef> {
    return this.get<FunctionDef>(`/functions/${seg(name)}`, { ...opts, query: { handle_format: 'names', ...opts.query } });
  }

  /** GET /types/incident/fields: the incident field definitions (a list, or `{entities}`), objects only. */
  async listIncidentFields(opts?: RequestOptions): Promise<JsonObject[]> {
    const raw = await this.get<JsonValue>('/types/incident/fields', opts);
    const list = Array.isArray(raw) ? raw : isJsonObject(raw) && Array.isArray(raw['entities']) ? raw['entities'] : [];
    return list.filter(isJsonObject);
  }

  async listMessageDestinations(opts?: RequestOptions): Promise<MessageDestination[]> {
    return (await this.get<EntityList<MessageDestination>>('/message_destinations', opts)).entities;
  }

  /** GET /rest/const (large; prefer getServerVersion() for the version). */
  getConst(opts?: RequestOptions): Promise<ConstInfo> {
    return this.get<ConstInfo>('/rest/const', opts);
  }
}

/** SOAR's answer to some updates instead of the object (StatusDTO). */
interface StatusAnswer {
  success: boolean;
  message?: string | null;
}

function isStatusAnswer(v: unknown): v is StatusAnswer {
  return typeof v === 'object' && v !== null && typeof (v as { success?: unknown }).success === 'boolean' && !('id' in v);
}

/** `max_page_size` when GET /rest/const gives none (the value of every SOAR sample seen). */
const DEFAULT_MAX_PAGE_SIZE = 100;

/** Options asking for handles as names (`?handle_format=names`). */
function named(opts: RequestOptions): RequestOptions {
  return { ...opts, query: { ...opts.query, handle_format: 'names' } };
}

function wrapCells(cells: Record<string, JsonValue>): Record<string, { value: JsonValue }> {
  const out: Record<string, { value: JsonValue }> = {};
  for (const [k, v] of Object.entries(cells)) out[k] = { value: v };
  return out;
}
