/**
 * The SOAR emulator's in-memory world: orgs, API keys, users and sessions, incidents (with
 * `vers` incremented on every change), tasks, datatable rows, notes, artifacts, function and
 * message destination definitions, incident fields. Objects are stored in SOAR's own JSON
 * shapes, built from the emulator's templates (see samples.ts).
 *
 * Tests may read and change it directly (e.g. bump an incident behind the client's back).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { clone, type Samples } from './samples.js';

export interface EmulatorOrgSpec {
  readonly id: number;
  readonly name: string;
  readonly uuid?: string | null;
  readonly cloud_account?: string | null;
  readonly enabled?: boolean;
}

export interface EmulatorApiKeySpec {
  readonly id: string;
  readonly secret: string;
  /** display_name of the key; default "Local Integration Server". */
  readonly name?: string;
  /** Org ids this key may use; default all orgs. */
  readonly orgs?: readonly number[];
  /** false: the session's `api_key_handle` is null, as QRadar SOAR 51.0.9 answered. Default true. */
  readonly handleInSession?: boolean;
  /** false: a key without the administrator permissions (configuration export and import answer 403). Default true. */
  readonly admin?: boolean;
}

export interface EmulatorUserSpec {
  readonly email: string;
  readonly password: string;
  readonly fname?: string;
  readonly lname?: string;
  /** Org ids this user may use; default all orgs. */
  readonly orgs?: readonly number[];
  /** Names of the SOAR groups the user is a member of (GET /groups lists them with their members); default none. */
  readonly groups?: readonly string[];
  /** Names of the user's roles in its orgs; the session lists them as numeric ids (orgs[].role_handles). Default none. */
  readonly roles?: readonly string[];
}

/** A function definition to add (the rest of the object comes from the functions sample). */
export interface EmulatorFunctionSpec {
  readonly name: string;
  readonly destination_handle: string;
  readonly display_name?: string;
  readonly description?: string;
  readonly uuid?: string;
  readonly view_items?: JsonValue[];
}

export interface EmulatorDestinationSpec {
  readonly programmatic_name: string;
  readonly name?: string;
  readonly expect_ack?: boolean;
  readonly destination_type?: number;
}

export interface EmulatorTableSpec {
  readonly name: string;
  /** Column api names; null accepts any column. */
  readonly columns: readonly string[] | null;
  readonly id?: number;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly secret: string;
  readonly handle: number;
  readonly name: string;
  readonly clientId: string;
  readonly orgs: readonly number[] | null;
  readonly handleInSession: boolean;
  readonly admin: boolean;
}

export interface UserRecord {
  readonly id: number;
  readonly email: string;
  password: string;
  readonly fname: string;
  readonly lname: string;
  readonly orgs: readonly number[] | null;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

export interface SessionRecord {
  readonly sid: string;
  readonly csrf: string;
  readonly userId: number;
  expiresAt: number;
}

export type Principal =
  | { readonly kind: 'apikey'; readonly key: ApiKeyRecord }
  | { readonly kind: 'user'; readonly user: UserRecord; readonly session: SessionRecord };

/** A datatable column: its numeric field id, API name and definition. */
export interface ColumnDef {
  readonly id: number;
  readonly name: string;
  readonly def: JsonObject;
}

export interface TableDef {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly string[] | null;
  /** The datatable's type in SOAR's REST shape (`GET /types/<name>`), when an import defined it. */
  readonly type?: JsonObject;
}

/** A configuration import (`/configurations/imports`), as SOAR keeps it between POST and PUT. */
export interface ImportRecord {
  readonly id: number;
  readonly orgId: number;
  status: 'PENDING' | 'ACCEPTED' | 'REJECTED';
  /** The export as posted. */
  readonly data: JsonObject;
  readonly messages: JsonObject[];
  readonly createDate: number;
}

/** An incident or datatable row that was created or changed through the REST API. */
export interface ObjectChange {
  readonly orgId: number;
  readonly incidentId: number;
  /** null when the incident itself changed. */
  readonly table: TableDef | null;
  readonly rowId: number | null;
  /** The object before the change; null on creation. */
  readonly old: JsonObject | null;
  readonly current: JsonObject;
  /** Who made the change (principal JSON). */
  readonly principal: JsonObject;
  /** The request's X-Co3ContextToken: the rule that sent that invocation does not fire again. */
  readonly contextToken?: string | null;
}

/** `POST .../action_invocations`: an analyst runs a menu-item rule on an incident or a row. */
export interface ActionInvocationRequest {
  readonly orgId: number;
  readonly incidentId: number;
  readonly table: TableDef | null;
  readonly rowId: number | null;
  readonly body: JsonValue | undefined;
  readonly principal: JsonObject;
}

export type ActionInvocationResult =
  | { readonly ok: true; readonly body: JsonObject }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** What the routes tell the rule engine (workflows.ts); set by SoarEmulator. */
export interface RuleHooks {
  objectChanged(change: ObjectChange): void;
  invokeAction(req: ActionInvocationRequest): ActionInvocationResult;
  incidentDeleted(orgId: number, incidentId: number): void;
  /** Workflow instances of an org for `GET /workflow_instances`. */
  instancesJson(orgId: number): JsonObject[];
}

/** An artifact type: system ones are referred to by name, custom ones by programmatic name. */
export interface ArtifactTypeDef {
  readonly id: number;
  readonly name: string;
  readonly programmaticName: string;
  readonly system: boolean;
}

/** Built-in artifact types the emulator knows (ids are the emulator's own). */
const ARTIFACT_TYPES: ReadonlyArray<readonly [number, string]> = [
  [1, 'IP Address'],
  [2, 'DNS Name'],
  [3, 'URL'],
  [4, 'Email Sender'],
  [5, 'Email Recipient'],
  [6, 'Email Subject'],
  [7, 'Malware MD5 Hash'],
  [8, 'Malware SHA-256 Hash'],
  [9, 'System Name'],
  [10, 'User Account'],
  [11, 'String'],
  [12, 'File Name'],
];

export interface EmulatorStateOptions {
  readonly orgs?: readonly EmulatorOrgSpec[];
  readonly apiKeys?: readonly EmulatorApiKeySpec[];
  readonly users?: readonly EmulatorUserSpec[];
  readonly functions?: readonly EmulatorFunctionSpec[];
  readonly messageDestinations?: readonly EmulatorDestinationSpec[];
  /** Extra incident custom fields (text), besides the sample's custom1/custom2. */
  readonly incidentFields?: readonly string[];
  /** Custom artifact types (programmatic name and display name). */
  readonly artifactTypes?: ReadonlyArray<{ readonly programmatic_name: string; readonly name?: string }>;
  readonly tables?: readonly EmulatorTableSpec[];
  /** Refuse unknown tables and columns with 404/400 (SOAR does). Default false. Unknown custom fields are always refused. */
  readonly strictFields?: boolean;
  /** Idle time after which a password session expires; default 20 minutes. */
  readonly sessionTimeoutMs?: number;
}

export const DEFAULT_API_KEY: EmulatorApiKeySpec = { id: 'test-key', secret: 'test-secret' };
export const DEFAULT_USER: EmulatorUserSpec = { email: 'admin@example.com', password: 'Passw0rd!', fname: 'Ada', lname: 'Admin' };

/** `{format, content}` or a string -> the stored string. */
export function textOf(v: JsonValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (isJsonObject(v) && typeof v['content'] === 'string') return v['content'];
  return JSON.stringify(v);
}

export class EmulatorState {
  readonly samples: Samples;
  readonly orgs = new Map<number, JsonObject>();
  readonly apiKeys: ApiKeyRecord[] = [];
  readonly users: UserRecord[] = [];
  readonly sessions = new Map<string, SessionRecord>();
  /** Group name -> group id (groups exist as users name them). */
  readonly groups = new Map<string, number>();
  /** Role name -> role id (roles exist as users name them). */
  readonly roles = new Map<string, number>();
  /** Custom artifact types, besides ARTIFACT_TYPES. */
  readonly customArtifactTypes: ArtifactTypeDef[] = [];
  readonly incidents = new Map<number, JsonObject>();
  readonly tasks = new Map<number, JsonObject>();
  /** `${incidentId}/${tableId}` -> rows by id. */
  readonly rows = new Map<string, Map<number, JsonObject>>();
  readonly tables = new Map<string, TableDef>();
  /** Columns of tables that accept any column (no definition), numbered as first written. */
  private readonly openColumns = new Map<number, ColumnDef[]>();
  readonly notes = new Map<number, JsonObject[]>();
  readonly artifacts = new Map<number, JsonObject[]>();
  readonly attachments = new Map<number, Array<{ meta: JsonObject; data: Buffer }>>();
  readonly functions: JsonObject[] = [];
  readonly messageDestinations: JsonObject[] = [];
  readonly incidentFields: JsonObject[] = [];
  // ---- customization (configuration imports; see customization.ts) ----
  /** Function input fields (`__function/<name>`), REST shape. */
  readonly functionFields: JsonObject[] = [];
  /** Rule prompt fields (`actioninvocation/<name>`), REST shape. */
  readonly actionFields: JsonObject[] = [];
  /** Rules in export shape (object_type, workflows, message_destinations by name) plus the emulator's `id`. */
  readonly rules: JsonObject[] = [];
  /** Workflows in export shape (content.xml kept) with the emulator's `workflow_id`. */
  readonly workflows: JsonObject[] = [];
  readonly automaticTasks: JsonObject[] = [];
  readonly phases: JsonObject[] = [];
  readonly scripts: JsonObject[] = [];
  /** Other export sections kept as imported (incident_artifact_types, playbooks, ...), for exports. */
  readonly otherSections = new Map<string, JsonObject[]>();
  readonly imports = new Map<number, ImportRecord>();
  /** Set once an import defined a datatable: unknown table names then answer 404, as SOAR does. */
  tablesFromImport = false;
  /** The rule engine; set by SoarEmulator. */
  hooks: RuleHooks | null = null;
  readonly strictFields: boolean;
  sessionTimeoutMs: number;
  private seq = {
    // Groups and users share SOAR's principal handles (owner_id, members): their ids never overlap.
    incident: 2095, task: 100, row: 1, note: 1, artifact: 1, table: 1000, field: 5000, fn: 100, dest: 100, user: 1, group: 500,
    rule: 200, workflow: 10, import: 1, misc: 1, attachment: 1, role: 1001, option: 3000, artifactType: 1000,
  };

  constructor(samples: Samples, opts: EmulatorStateOptions = {}) {
    this.samples = samples;
    this.strictFields = opts.strictFields ?? false;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 20 * 60_000;

    const orgTemplates = (samples.apiKeySession['orgs'] as JsonValue[]).filter(isJsonObject);
    const specs: EmulatorOrgSpec[] = opts.orgs
      ? [...opts.orgs]
      : orgTemplates.map((o) => ({
          id: o['id'] as number,
          name: o['name'] as string,
          uuid: (o['uuid'] as string | null) ?? null,
          cloud_account: (o['cloud_account'] as string | null) ?? null,
          enabled: o['enabled'] !== false,
        }));
    const base = orgTemplates[0] ?? {};
    for (const s of specs) {
      const org = clone(base);
      org['id'] = s.id;
      org['name'] = s.name;
      org['uuid'] = s.uuid === undefined ? randomUUID() : s.uuid;
      org['cloud_account'] = s.cloud_account ?? null;
      org['enabled'] = s.enabled ?? true;
      this.orgs.set(s.id, org);
    }

    let handle = typeof samples.apiKeySession['api_key_handle'] === 'number' ? samples.apiKeySession['api_key_handle'] : 4;
    for (const k of opts.apiKeys ?? [DEFAULT_API_KEY]) {
      this.apiKeys.push({
        id: k.id,
        secret: k.secret,
        handle: handle++,
        name: k.name ?? String(samples.apiKeySession['display_name'] ?? 'Integration Server'),
        clientId: randomUUID(),
        orgs: k.orgs ? [...k.orgs] : null,
        handleInSession: k.handleInSession ?? true,
        admin: k.admin ?? true,
      });
    }
    for (const u of opts.users ?? [DEFAULT_USER]) this.addUser(u);

    for (const f of samples.functions) this.functions.push(clone(f));
    for (const d of samples.messageDestinations) this.messageDestinations.push(clone(d));
    for (const d of opts.messageDestinations ?? []) this.addMessageDestination(d);
    for (const f of opts.functions ?? []) this.addFunction(f);

    for (const f of samples.incidentFields) this.incidentFields.push(clone(f));
    for (const name of opts.incidentFields ?? []) this.addIncidentField(name);
    for (const t of opts.artifactTypes ?? []) this.addArtifactType(t.programmatic_name, t.name);
    for (const t of opts.tables ?? []) this.addTable(t);
  }

  // ---- principals and sessions ----

  addUser(u: EmulatorUserSpec): UserRecord {
    const rec: UserRecord = {
      id: this.seq.user++,
      email: u.email,
      password: u.password,
      fname: u.fname ?? 'Test',
      lname: u.lname ?? 'User',
      orgs: u.orgs ? [...u.orgs] : null,
      groups: [...(u.groups ?? [])],
      roles: [...(u.roles ?? [])],
    };
    for (const g of rec.groups) if (!this.groups.has(g)) this.groups.set(g, this.seq.group++);
    for (const r of rec.roles) if (!this.roles.has(r)) this.roles.set(r, this.seq.role++);
    this.users.push(rec);
    return rec;
  }

  newSession(user: UserRecord): SessionRecord {
    const s: SessionRecord = {
      sid: randomBytes(16).toString('hex').toUpperCase(),
      csrf: randomBytes(16).toString('hex'),
      userId: user.id,
      expiresAt: Date.now() + this.sessionTimeoutMs,
    };
    this.sessions.set(s.sid, s);
    return s;
  }

  /** Ends every password session now (the next call with the old cookie gets 401). */
  expireSessions(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  orgsVisibleTo(p: Principal): JsonObject[] {
    const allowed = p.kind === 'apikey' ? p.key.orgs : p.user.orgs;
    return [...this.orgs.values()].filter((o) => allowed === null || allowed.includes(o['id'] as number));
  }

  principalJson(p: Principal): JsonObject {
    return p.kind === 'apikey'
      ? { id: p.key.handle, type: 'apikey', name: p.key.id, display_name: p.key.name }
      : { id: p.user.id, type: 'user', name: p.user.email, display_name: `${p.user.fname} ${p.user.lname}` };
  }

  // ---- definitions ----

  addFunction(spec: EmulatorFunctionSpec): JsonObject {
    const f = clone(this.samples.functions[0] ?? {});
    f['id'] = this.seq.fn++;
    f['name'] = spec.name;
    f['display_name'] = spec.display_name ?? spec.name;
    f['description'] = spec.description ?? '';
    f['destination_handle'] = spec.destination_handle;
    f['uuid'] = spec.uuid ?? randomUUID();
    f['view_items'] = spec.view_items ? clone(spec.view_items) : [];
    f['workflows'] = [];
    f['version'] = 0;
    f['last_modified_time'] = Date.now();
    this.functions.push(f);
    if (!this.findDestination(spec.destination_handle)) this.addMessageDestination({ programmatic_name: spec.destination_handle });
    return f;
  }

  addMessageDestination(spec: EmulatorDestinationSpec): JsonObject {
    const existing = this.findDestination(spec.programmatic_name);
    if (existing) return existing;
    const d = clone(this.samples.messageDestinations[0] ?? {});
    d['id'] = this.seq.dest++;
    d['programmatic_name'] = spec.programmatic_name;
    d['name'] = spec.name ?? spec.programmatic_name;
    d['export_key'] = spec.programmatic_name;
    d['uuid'] = randomUUID();
    d['expect_ack'] = spec.expect_ack ?? true;
    d['destination_type'] = spec.destination_type ?? 0;
    d['users'] = [];
    d['api_keys'] = this.apiKeys.map((k) => k.handle);
    this.messageDestinations.push(d);
    return d;
  }

  findDestination(idOrName: string | number): JsonObject | undefined {
    return this.messageDestinations.find(
      (d) => String(d['id']) === String(idOrName) || d['programmatic_name'] === idOrName,
    );
  }

  findFunction(idOrName: string): JsonObject | undefined {
    return this.functions.find((f) => f['name'] === idOrName || String(f['id']) === idOrName);
  }

  /** A custom incident field; a select or multiselect one gets `values` (labels) as its options. */
  addIncidentField(name: string, inputType = 'text', values: readonly string[] = []): JsonObject {
    const existing = this.incidentFields.find((f) => f['name'] === name && f['prefix'] === 'properties');
    if (existing) return existing;
    const template = this.incidentFields.find((f) => f['prefix'] === 'properties') ?? {};
    const f = clone(template);
    f['id'] = this.seq.field++;
    f['name'] = name;
    f['text'] = name;
    f['prefix'] = 'properties';
    f['input_type'] = inputType;
    f['uuid'] = randomUUID();
    f['internal'] = false;
    f['values'] = [];
    this.incidentFields.push(f);
    for (const label of values) this.addFieldValue(name, label, true);
    return f;
  }

  /** Adds an option to a select field (a built-in one such as severity_code, or a custom one); answers its id. */
  addFieldValue(fieldName: string, label: string, custom = false): number {
    const f = this.incidentFields.find((x) => x['name'] === fieldName && (x['prefix'] === 'properties') === custom);
    if (!f) throw new Error(`soar emulator: no incident field '${fieldName}'`);
    const values = Array.isArray(f['values']) ? f['values'] : (f['values'] = []);
    const id = this.seq.option++;
    values.push({ value: id, label, enabled: true, default: false, hidden: false, properties: null, uuid: randomUUID() });
    return id;
  }

  addArtifactType(programmaticName: string, name = programmaticName): ArtifactTypeDef {
    const t: ArtifactTypeDef = { id: this.seq.artifactType++, name, programmaticName, system: false };
    this.customArtifactTypes.push(t);
    return t;
  }

  /** Every artifact type: the built-in ones, then the custom ones (added, or defined by an import). */
  artifactTypeList(): ArtifactTypeDef[] {
    const imported = (this.otherSections.get('incident_artifact_types') ?? []).flatMap((t): ArtifactTypeDef[] =>
      typeof t['id'] === 'number' && typeof t['programmatic_name'] === 'string'
        ? [{ id: t['id'], name: String(t['name'] ?? t['programmatic_name']), programmaticName: t['programmatic_name'], system: false }]
        : []);
    return [...ARTIFACT_TYPES.map(([id, name]) => ({ id, name, programmaticName: name, system: true })), ...this.customArtifactTypes, ...imported];
  }

  customFieldNames(): string[] {
    return this.incidentFields.filter((f) => f['prefix'] === 'properties').map((f) => String(f['name']));
  }

  addTable(spec: EmulatorTableSpec): TableDef {
    const def: TableDef = { id: spec.id ?? this.seq.table++, name: spec.name, columns: spec.columns ? [...spec.columns] : null };
    this.tables.set(spec.name, def);
    return def;
  }

  /**
   * The table by api name or id; undeclared names are created unless strictFields, or once an
   * import defined datatables (then, as in SOAR, only defined tables exist).
   */
  findTable(nameOrId: string): TableDef | undefined {
    const byName = this.tables.get(nameOrId);
    if (byName) return byName;
    for (const t of this.tables.values()) if (String(t.id) === nameOrId) return t;
    if (this.strictFields || this.tablesFromImport || /^\d+$/.test(nameOrId)) return undefined;
    return this.addTable({ name: nameOrId, columns: null });
  }

  /**
   * A table's columns with their field ids: an imported table's type fields; for a table declared
   * by the options, synthesized ids; a table accepting any column numbers each as first written.
   */
  columnsOf(table: TableDef): ColumnDef[] {
    const fields = table.type && isJsonObject(table.type['fields']) ? table.type['fields'] : null;
    if (fields) {
      return Object.entries(fields).filter(([, f]) => isJsonObject(f)).map(([name, f]) => ({ id: Number((f as JsonObject)['id']), name, def: f as JsonObject }));
    }
    if (table.columns) {
      return table.columns.map((name, i) => ({
        id: 9000 + table.id * 10 + i, name, def: { id: 9000 + table.id * 10 + i, name, text: name, type_id: table.id, input_type: 'text', values: [] },
      }));
    }
    return this.openColumns.get(table.id) ?? [];
  }

  /** A column by API name or field id; a table accepting any column gets a new one for a new name. */
  column(table: TableDef, key: string): ColumnDef | undefined {
    const cols = this.columnsOf(table);
    const hit = cols.find((c) => c.name === key) ?? cols.find((c) => String(c.id) === key);
    if (hit || table.columns !== null || table.type || /^\d+$/.test(key)) return hit;
    const id = this.seq.field++;
    const col: ColumnDef = { id, name: key, def: { id, name: key, text: key, type_id: table.id, input_type: 'text', values: [] } };
    this.openColumns.set(table.id, [...cols, col]);
    return col;
  }

  /** Replaces (same id) or adds a table defined by an import. */
  putTable(def: TableDef): void {
    this.tables.set(def.name, def);
  }

  /** Next id for customization objects. */
  nextId(kind: 'table' | 'field' | 'fn' | 'dest' | 'rule' | 'workflow' | 'import' | 'misc'): number {
    return this.seq[kind]++;
  }

  // ---- incidents ----

  /** Creates an incident in SOAR's shape (no validation: the route validates). */
  createIncident(orgId: number, body: JsonObject, creator: JsonObject | null): JsonObject {
    const inc = clone(this.samples.incident);
    const now = Date.now();
    const id = this.seq.incident++;
    const properties: JsonObject = {};
    for (const n of this.customFieldNames()) properties[n] = null;
    Object.assign(inc, {
      id,
      org_id: orgId,
      vers: 1,
      create_date: now,
      inc_start: null,
      start_date: null,
      end_date: null,
      due_date: null,
      description: null,
      severity_code: null,
      plan_status: 'A',
      phase_id: this.defaultPhaseId(),
      owner_id: creator && creator['type'] === 'user' ? creator['id'] ?? null : null,
      creator_id: creator && creator['type'] === 'user' ? creator['id'] ?? null : null,
      incident_type_ids: [],
      properties,
      tasks: null,
      artifacts: null,
      comments: null,
      members: [],
    } satisfies JsonObject);
    if (creator) {
      const c = isJsonObject(inc['creator']) ? inc['creator'] : {};
      inc['creator'] = { ...c, id: creator['id'] ?? null, email: creator['name'] ?? null, fname: creator['display_name'] ?? null, lname: '' };
      inc['creator_principal'] = creator;
    }
    this.applyIncidentChanges(inc, body);
    inc['vers'] = 1;
    this.incidents.set(id, inc);
    return inc;
  }

  /** A new incident's phase: the first option of the phase field (SOAR starts an incident in its org's first phase). */
  private defaultPhaseId(): JsonValue {
    const f = this.incidentFields.find((x) => x['name'] === 'phase_id' && x['prefix'] !== 'properties');
    const first = Array.isArray(f?.['values']) ? f['values'].find(isJsonObject) : undefined;
    return first?.['value'] ?? null;
  }

  /** Copies the writable fields of `body` into `inc` (properties merged by key). */
  applyIncidentChanges(inc: JsonObject, body: JsonObject): void {
    const protectedKeys = new Set(['id', 'org_id', 'vers', 'create_date', 'creator_id', 'creator', 'creator_principal', 'perms']);
    for (const [k, v] of Object.entries(body)) {
      if (protectedKeys.has(k)) continue;
      if (k === 'properties' && isJsonObject(v)) {
        const props = isJsonObject(inc['properties']) ? inc['properties'] : {};
        for (const [pk, pv] of Object.entries(v)) props[pk] = pv;
        inc['properties'] = props;
        continue;
      }
      if (k === 'description') {
        inc[k] = textOf(v);
        continue;
      }
      inc[k] = v;
    }
    if (inc['plan_status'] === 'C' && inc['end_date'] === null) inc['end_date'] = Date.now();
  }

  /** Marks a change: vers + 1. */
  touch(inc: JsonObject): void {
    inc['vers'] = (typeof inc['vers'] === 'number' ? inc['vers'] : 0) + 1;
  }

  incidentsOf(orgId: number): JsonObject[] {
    return [...this.incidents.values()].filter((i) => i['org_id'] === orgId);
  }

  // ---- tasks ----

  createTask(inc: JsonObject, body: JsonObject, creator: JsonObject | null): JsonObject {
    const t = clone(this.samples.task);
    const id = this.seq.task++;
    const instructions = textOf(body['instructions']);
    Object.assign(t, {
      id,
      name: body['name'] ?? null,
      inc_id: inc['id'] ?? null,
      inc_name: inc['name'] ?? null,
      inc_owner_id: inc['owner_id'] ?? null,
      due_date: body['due_date'] ?? null,
      required: body['required'] === undefined ? true : Boolean(body['required']),
      owner_id: body['owner_id'] ?? null,
      status: 'O',
      init_date: Date.now(),
      closed_date: null,
      active: true,
      instructions,
      instr_text: instructions,
      phase_id: body['phase_id'] ?? inc['phase_id'] ?? null,
      custom: true,
      notes: [],
      actions: [],
      notes_count: 0,
      attachments_count: 0,
      members: null,
      at_id: null,
      regs: {},
      cat_name: 'Custom',
      description: '',
      form: '',
      user_notes: null,
    } satisfies JsonObject);
    if (creator) t['creator_principal'] = creator;
    this.tasks.set(id, t);
    return t;
  }

  tasksOf(incidentId: number): JsonObject[] {
    return [...this.tasks.values()].filter((t) => t['inc_id'] === incidentId);
  }

  // ---- datatables ----

  rowsOf(incidentId: number, table: TableDef): Map<number, JsonObject> {
    const key = `${incidentId}/${table.id}`;
    let m = this.rows.get(key);
    if (!m) {
      m = new Map();
      this.rows.set(key, m);
    }
    return m;
  }

  newRow(cells: Record<string, JsonValue>): JsonObject {
    const row = clone(this.samples.tableRow);
    const id = this.seq.row++;
    const out: JsonObject = {};
    for (const [col, value] of Object.entries(cells)) out[col] = { id: col, row_id: id, value };
    row['id'] = id;
    row['cells'] = out;
    row['actions'] = [];
    row['playbooks'] = [];
    row['version'] = 1;
    return row;
  }

  // ---- notes and artifacts ----

  addNote(incidentId: number, text: string, author: Principal | null, parentId: number | null): JsonObject {
    const now = Date.now();
    const inc = this.incidents.get(incidentId);
    const user = author?.kind === 'user' ? author.user : null;
    const note: JsonObject = {
      id: this.seq.note++,
      parent_id: parentId,
      user_id: user ? user.id : null,
      user_fname: user ? user.fname : author?.kind === 'apikey' ? author.key.name : null,
      user_lname: user ? user.lname : null,
      text,
      create_date: now,
      modify_date: now,
      children: [],
      mentioned_users: [],
      comment_perms: { update: true, delete: true },
      is_deleted: false,
      actions: [],
      inc_id: incidentId,
      inc_name: inc ? inc['name'] ?? null : null,
      inc_owner: inc ? inc['owner_id'] ?? null : null,
      task_id: null,
      task_name: null,
      type: 'incident',
      principal: author ? this.principalJson(author) : null,
    };
    const list = this.notes.get(incidentId) ?? [];
    list.push(note);
    this.notes.set(incidentId, list);
    return note;
  }

  attachmentsOf(incidentId: number): Array<{ meta: JsonObject; data: Buffer }> {
    return this.attachments.get(incidentId) ?? [];
  }

  /** An uploaded file, described as the POST /attachments sample describes one. */
  addAttachment(inc: JsonObject, file: { name: string; contentType: string; data: Buffer }, creator: JsonObject | null): { meta: JsonObject; data: Buffer } {
    const incidentId = inc['id'] as number;
    const list = this.attachments.get(incidentId) ?? [];
    const meta: JsonObject = {
      ...clone(this.samples.attachment),
      id: this.seq.attachment++,
      uuid: randomUUID(),
      name: file.name,
      content_type: file.contentType,
      size: file.data.length,
      created: Date.now(),
      creator_id: typeof creator?.['id'] === 'number' ? creator['id'] : null,
      vers: 1,
      inc_id: incidentId,
      inc_name: inc['name'] ?? null,
      inc_owner: inc['owner_id'] ?? null,
    };
    const entry = { meta, data: Buffer.from(file.data) };
    list.push(entry);
    this.attachments.set(incidentId, list);
    return entry;
  }

  /**
   * An artifact type given as id, name, `{id}` or `{name}` -> [id, handle name], or null when
   * unknown. A custom type is named by its programmatic name (its display name does not resolve).
   */
  artifactType(t: JsonValue | undefined): [number, string] | null {
    if (isJsonObject(t)) {
      if (typeof t['id'] === 'number') return this.artifactType(t['id']);
      if (typeof t['name'] === 'string') return this.artifactType(t['name']);
      return null;
    }
    if (typeof t === 'string' && /^\d+$/.test(t)) return this.artifactType(Number(t));
    const all = this.artifactTypeList();
    const hit =
      typeof t === 'number'
        ? all.find((x) => x.id === t)
        : typeof t === 'string'
          ? all.find((x) => (x.system ? x.name.toLowerCase() === t.toLowerCase() : x.programmaticName === t))
          : undefined;
    return hit ? [hit.id, hit.programmaticName] : null;
  }

  addArtifact(inc: JsonObject, type: [number, string], value: string, description: string | null, creator: JsonObject | null): JsonObject {
    const now = Date.now();
    const a: JsonObject = {
      id: this.seq.artifact++,
      type: type[0],
      value,
      description,
      attachment: null,
      parent_id: null,
      creator: null,
      creator_principal: creator,
      inc_id: inc['id'] ?? null,
      inc_name: inc['name'] ?? null,
      inc_owner: inc['owner_id'] ?? null,
      created: now,
      last_modified_time: now,
      last_modified_by: creator,
      hits: [],
      properties: null,
      relating: null,
      perms: { read: true, write: true, delete: true },
      pending_sources: [],
      hash: null,
      location: null,
      whois: null,
      ip: { source: null, destination: null },
      actions: [],
    };
    const id = inc['id'] as number;
    const list = this.artifacts.get(id) ?? [];
    list.push(a);
    this.artifacts.set(id, list);
    return a;
  }

  /** Removes an incident and everything hanging off it. */
  deleteIncident(id: number): void {
    this.incidents.delete(id);
    for (const [tid, t] of this.tasks) if (t['inc_id'] === id) this.tasks.delete(tid);
    for (const key of [...this.rows.keys()]) if (key.startsWith(`${id}/`)) this.rows.delete(key);
    this.notes.delete(id);
    this.artifacts.delete(id);
    this.attachments.delete(id);
  }
}
