/**
 * The REST endpoints of the SOAR emulator. Each handler gets the authenticated principal and
 * answers in SOAR's shapes; every error uses SOAR's error body
 * (`{"success":false,"title":null,"message":..,"hints":[],"error_code":..}`).
 */
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import {
  allTypes, findWorkflow, getImport, postExport, postImport, putImport, ruleRest, typeFieldsRest, typeRest, workflowRest,
} from './customization.js';
import { checkHandles, checkIncidentWrite, orgObject } from './org.js';
import { accessListsIn, destinationOut } from './destinations.js';
import { PATCH_OK, planIncidentPatch } from './incident-patch.js';
import { clone } from './samples.js';
import { cellsToStored, rowOut, wantsNames, withHandles } from './handles.js';
import { textOf, type EmulatorState, type Principal } from './state.js';
import { type Reply, soarError } from './reply.js';

export interface RouteRequest {
  readonly method: string;
  /** Path without query and without the resource prefix. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: JsonValue | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The file part of a multipart/form-data upload (attachments). */
  readonly file?: UploadedFile;
}

export interface UploadedFile {
  readonly name: string;
  readonly contentType: string;
  readonly data: Buffer;
}

const OK_RESULT: JsonObject = { success: true, title: null, message: null, hints: [] };

function header(req: RouteRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function cookies(req: RouteRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export type AuthResult = { principal: Principal } | { reply: Reply };

/** API key Basic auth on every call, or a password session (JSESSIONID cookie + X-sess-id). */
function authenticate(state: EmulatorState, req: RouteRequest): AuthResult {
  const authz = header(req, 'authorization');
  if (authz && /^basic /i.test(authz)) {
    const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const secret = colon >= 0 ? decoded.slice(colon + 1) : '';
    const key = state.apiKeys.find((k) => k.id === id && k.secret === secret);
    if (!key) return { reply: soarError(401, 'Authentication failed: unknown API key or wrong secret') };
    return { principal: { kind: 'apikey', key } };
  }
  const sid = cookies(req).get('JSESSIONID');
  if (sid) {
    const session = state.sessions.get(sid);
    if (!session || session.expiresAt < Date.now()) {
      if (session) state.sessions.delete(sid);
      return { reply: soarError(401, 'Your session has expired; log in again') };
    }
    if (header(req, 'x-sess-id') !== session.csrf) {
      return { reply: soarError(403, 'Missing or wrong X-sess-id header for this session') };
    }
    const user = state.users.find((u) => u.id === session.userId);
    if (!user) return { reply: soarError(401, 'Unknown session user') };
    session.expiresAt = Date.now() + state.sessionTimeoutMs;
    return { principal: { kind: 'user', user, session } };
  }
  return { reply: soarError(401, 'Authentication required') };
}

// ---- sessions ----

function passwordSessionJson(state: EmulatorState, p: Extract<Principal, { kind: 'user' }>): JsonObject {
  const s = clone(state.samples.passwordSession);
  const orgTemplate = Array.isArray(s['orgs']) && isJsonObject(s['orgs'][0]) ? s['orgs'][0] : {};
  s['orgs'] = state.orgsVisibleTo(p).map((o) => ({
    ...clone(orgTemplate),
    id: o['id'] ?? null,
    name: o['name'] ?? null,
    enabled: o['enabled'] ?? true,
    uuid: o['uuid'] ?? null,
    cloud_account: o['cloud_account'] ?? null,
  }));
  s['csrf_token'] = p.session.csrf;
  s['user_id'] = p.user.id;
  s['user_email'] = p.user.email;
  s['user_fname'] = p.user.fname;
  s['user_lname'] = p.user.lname;
  s['session_ip'] = '127.0.0.1';
  // SessionOrgInfoDTO.role_handles (deprecated in v30 for instance_roles, still sent): the user's
  // roles as numeric ids, e.g. [1001] (Custom Action Developer Guide, the session example).
  const roleIds = p.user.roles.map((r) => state.roles.get(r)).filter((id): id is number => id !== undefined);
  for (const o of s['orgs'] as JsonObject[]) o['role_handles'] = roleIds;
  return s;
}

function apiKeySessionJson(state: EmulatorState, p: Extract<Principal, { kind: 'apikey' }>): JsonObject {
  // QRadar SOAR 51.0.9 (live probe): no user_id and no csrf_token (an older sample has both),
  // orgs[].perms null, role_handles and effective_permissions empty, api_key_handle maybe null.
  const s = clone(state.samples.apiKeySession);
  delete s['user_id'];
  delete s['csrf_token'];
  s['orgs'] = state.orgsVisibleTo(p).map((o) => ({ ...clone(o), perms: null, role_handles: [], effective_permissions: [] }));
  s['api_key_handle'] = p.key.handleInSession ? p.key.handle : null;
  s['client_id'] = p.key.clientId;
  s['display_name'] = p.key.name;
  return s;
}

function login(state: EmulatorState, req: RouteRequest): Reply {
  const b = req.body;
  if (!isJsonObject(b) || typeof b['email'] !== 'string' || typeof b['password'] !== 'string') {
    return soarError(400, 'Login needs a JSON body with email and password');
  }
  const email = b['email'].toLowerCase();
  const user = state.users.find((u) => u.email.toLowerCase() === email && u.password === b['password']);
  if (!user) return soarError(401, 'Login failed: unknown email or wrong password');
  const session = state.newSession(user);
  return {
    status: 200,
    body: passwordSessionJson(state, { kind: 'user', user, session }),
    headers: { 'Set-Cookie': [`JSESSIONID=${session.sid}; Path=/; Secure; HttpOnly`] },
  };
}

// ---- query_paged ----

function fieldValue(inc: JsonObject, name: string): JsonValue | undefined {
  let cur: JsonValue | undefined = inc;
  for (const part of name.replace(/^incident\./, '').split('.')) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function scalarEq(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (isJsonObject(a) && isJsonObject(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (isJsonObject(a) && typeof a['name'] === 'string') return a['name'] === b || a['id'] === b;
  return String(a) === String(b);
}

function eq(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (Array.isArray(a) && !Array.isArray(b)) return a.some((x) => scalarEq(x, b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => scalarEq(x, b[i]));
  return scalarEq(a, b);
}

function hasValue(v: JsonValue | undefined): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

function num(v: JsonValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

const METHODS = new Set([
  'equals', 'not_equals', 'in', 'not_in', 'contains', 'not_contains', 'has_a_value', 'not_has_a_value', 'does_not_have_a_value', 'gt', 'gte', 'lt', 'lte',
]);

function matches(inc: JsonObject, cond: JsonObject): boolean {
  const v = fieldValue(inc, String(cond['field_name']));
  const want = cond['value'];
  switch (cond['method']) {
    case 'equals':
      return eq(v, want);
    case 'not_equals':
      return !eq(v, want);
    case 'in':
      return Array.isArray(want) && want.some((w) => eq(v, w));
    case 'not_in':
      return !(Array.isArray(want) && want.some((w) => eq(v, w)));
    case 'contains':
    case 'not_contains': {
      let hit: boolean;
      if (Array.isArray(v)) hit = (Array.isArray(want) ? want : [want]).some((w) => v.some((x) => scalarEq(x, w)));
      else if (typeof v === 'string') hit = (Array.isArray(want) ? want : [want]).some((w) => v.toLowerCase().includes(String(w).toLowerCase()));
      else hit = false;
      return cond['method'] === 'contains' ? hit : !hit;
    }
    case 'has_a_value':
      return hasValue(v);
    case 'not_has_a_value':
    case 'does_not_have_a_value':
      return !hasValue(v);
    default: {
      const a = num(v);
      const b = num(want);
      if (a === null || b === null) return false;
      if (cond['method'] === 'gt') return a > b;
      if (cond['method'] === 'gte') return a >= b;
      if (cond['method'] === 'lt') return a < b;
      return a <= b;
    }
  }
}

function compare(a: JsonValue | undefined, b: JsonValue | undefined): number {
  const an = a === undefined || a === null;
  const bn = b === undefined || b === null;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1; // null is the largest value (PostgreSQL's default)
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

const PARTIAL_FIELDS = ['id', 'name', 'vers', 'org_id', 'discovered_date', 'create_date', 'plan_status', 'severity_code', 'owner_id', 'phase_id', 'properties', 'incident_type_ids'];

/**
 * Sorts and page size as SOAR takes them: a sort's `type` is `asc` or `desc` (every IBM client
 * sends lower case; anything else is refused, the strict reading), and `length` stays within
 * `max_page_size` of `GET /rest/const` (refused beyond it, the strict reading: page with `start`).
 */
function checkPaging(state: EmulatorState, b: JsonObject): Reply | null {
  const sorts = b['sorts'] ?? [];
  if (!Array.isArray(sorts)) return soarError(400, "'sorts' must be a list");
  for (const s of sorts) {
    if (!isJsonObject(s) || typeof s['field_name'] !== 'string') return soarError(400, "each sort needs a 'field_name'");
    if (s['type'] !== 'asc' && s['type'] !== 'desc') return soarError(400, `Invalid sort type ${JSON.stringify(s['type'] ?? null)}: use 'asc' or 'desc'`);
  }
  const max = maxPageSize(state);
  const length = b['length'];
  if (length !== undefined && (typeof length !== 'number' || !Number.isInteger(length) || length < 0)) return soarError(400, "'length' must be a non-negative integer");
  if (typeof length === 'number' && length > max) return soarError(400, `'length' ${length} is larger than the maximum page size ${max}`);
  const start = b['start'];
  if (start !== undefined && (typeof start !== 'number' || !Number.isInteger(start) || start < 0)) return soarError(400, "'start' must be a non-negative integer");
  return null;
}

/** `max_page_size` of the const sample (100 when it has none). */
function maxPageSize(state: EmulatorState): number {
  const v = state.samples.constInfo['max_page_size'];
  return typeof v === 'number' && v > 0 ? v : 100;
}

function queryPaged(state: EmulatorState, orgId: number, req: RouteRequest): Reply {
  const level = req.query.get('return_level') ?? 'normal';
  if (!['partial', 'normal', 'full'].includes(level)) return soarError(400, `Invalid return_level '${level}'`);
  const b = req.body ?? {};
  if (!isJsonObject(b)) return soarError(400, 'query_paged needs a JSON object body');
  const filters = b['filters'] ?? [];
  if (!Array.isArray(filters)) return soarError(400, "'filters' must be a list");
  for (const f of filters) {
    const conds = isJsonObject(f) ? f['conditions'] ?? [] : null;
    if (!Array.isArray(conds)) return soarError(400, "each filter needs a 'conditions' list");
    for (const c of conds) {
      if (!isJsonObject(c) || typeof c['field_name'] !== 'string') return soarError(400, "each condition needs a 'field_name'");
      if (!METHODS.has(String(c['method']))) return soarError(400, `Unsupported condition method '${String(c['method'])}'`);
    }
  }
  const bad = checkPaging(state, b);
  if (bad) return bad;
  const all = state.incidentsOf(orgId).sort((x, y) => (x['id'] as number) - (y['id'] as number));
  let hits = filters.length === 0
    ? all
    : all.filter((inc) =>
        filters.some((f) => ((isJsonObject(f) ? f['conditions'] : []) as JsonValue[]).every((c) => matches(inc, c as JsonObject))),
      );
  const sorts = Array.isArray(b['sorts']) ? b['sorts'].filter(isJsonObject) : [];
  if (sorts.length) {
    hits = [...hits].sort((x, y) => {
      for (const s of sorts) {
        const name = String(s['field_name']);
        const c = compare(fieldValue(x, name), fieldValue(y, name));
        if (c !== 0) return s['type'] === 'desc' ? -c : c;
      }
      return 0;
    });
  }
  const start = typeof b['start'] === 'number' ? Math.max(0, b['start']) : 0;
  const length = typeof b['length'] === 'number' ? b['length'] : maxPageSize(state);
  const names = wantsNames(req.query, req.headers);
  const page = hits.slice(start, start + length).map((inc) => {
    if (level !== 'partial') return withHandles(state, inc, names);
    const out: JsonObject = {};
    for (const k of PARTIAL_FIELDS) if (k in inc) out[k] = clone(inc[k] as JsonValue);
    return withHandles(state, out, names);
  });
  return { status: 200, body: { recordsTotal: all.length, recordsFiltered: hits.length, data: page } };
}

// ---- org-scoped routes ----

/** `PATCH /incidents/<id>` (incident-patch.ts): applied like a PUT when no field conflicts. */
function patchIncident(
  state: EmulatorState, orgId: number, inc: JsonObject, body: JsonValue | undefined, creator: JsonObject, contextToken: string | null,
): Reply {
  const plan = planIncidentPatch(state, inc, body);
  if (plan.kind === 'invalid') return soarError(400, plan.message);
  if (plan.kind === 'conflict') return { status: 200, body: plan.status };
  const before = clone(inc);
  state.applyIncidentChanges(inc, plan.update);
  state.touch(inc);
  const id = inc['id'] as number;
  state.hooks?.objectChanged({ orgId, incidentId: id, table: null, rowId: null, old: before, current: clone(inc), principal: creator, contextToken });
  return { status: 200, body: clone(PATCH_OK) };
}

function artifactOut(state: EmulatorState, a: JsonObject, req: RouteRequest): JsonObject {
  const out = clone(a);
  if (wantsNames(req.query, req.headers)) {
    const t = state.artifactType(out['type']);
    if (t) out['type'] = t[1];
  }
  return out;
}

function actionInvocation(state: EmulatorState, r: Parameters<NonNullable<EmulatorState['hooks']>['invokeAction']>[0]): Reply {
  if (!state.hooks) return soarError(501, 'The emulator runs no rules');
  const out = state.hooks.invokeAction(r);
  return out.ok ? { status: 200, body: out.body } : soarError(out.status, out.message);
}

/** GroupDTOs: each group with its members' user ids. */
function groupsJson(state: EmulatorState): JsonObject[] {
  return [...state.groups].map(([name, id]) => ({
    id,
    name,
    display_name: name,
    members: state.users.filter((u) => u.groups.includes(name)).map((u) => u.id),
  }));
}

function orgRoute(state: EmulatorState, p: Principal, orgId: number, rest: string, req: RouteRequest): Reply {
  const m = req.method;
  const creator = state.principalJson(p);
  const contextToken = header(req, 'x-co3contexttoken') ?? null;
  let g: RegExpMatchArray | null;

  if (rest === '/functions' && m === 'GET') return { status: 200, body: { entities: state.functions.map((f) => clone(f)) } };
  if (rest === '/groups' && m === 'GET') return { status: 200, body: groupsJson(state) };
  // The queues of the org's connectors (IBM's resilient-circuits subscribes them too); the emulator has none.
  if (rest === '/connectors/queues' && m === 'GET') return { status: 200, body: { queues: [], org_id: orgId } };
  if ((g = rest.match(/^\/functions\/([^/]+)$/)) && m === 'GET') {
    const f = state.findFunction(decodeURIComponent(g[1]!));
    return f ? { status: 200, body: clone(f) } : soarError(404, `Function '${decodeURIComponent(g[1]!)}' not found`);
  }
  const names = wantsNames(req.query, req.headers);
  if (rest === '/message_destinations' && m === 'GET') {
    return { status: 200, body: { entities: state.messageDestinations.map((d) => destinationOut(state, d, names)) } };
  }
  if ((g = rest.match(/^\/message_destinations\/([^/]+)$/))) {
    const d = state.findDestination(decodeURIComponent(g[1]!));
    if (!d) return soarError(404, `Message destination '${decodeURIComponent(g[1]!)}' not found`);
    if (m === 'GET') return { status: 200, body: destinationOut(state, d, names) };
    if (m === 'PUT') {
      if (!isJsonObject(req.body)) return soarError(400, 'A message destination needs a JSON object');
      const access = accessListsIn(state, req.body);
      if (!access.ok) return soarError(400, access.message);
      for (const [k, v] of Object.entries(req.body)) if (k !== 'id' && k !== 'uuid') d[k] = clone(v);
      Object.assign(d, access.lists);
      return { status: 200, body: destinationOut(state, d, names) };
    }
  }
  if (rest === '/types/incident/fields' && m === 'GET') return { status: 200, body: state.incidentFields.map((f) => clone(f)) };

  // customization: import, export, rules, workflows, types
  if (rest.startsWith('/configurations/') && p.kind === 'apikey' && !p.key.admin) {
    return soarError(403, 'This API key does not have the permission to export or import the configuration');
  }
  if (rest === '/configurations/imports' && m === 'POST') return postImport(state, orgId, req.body);
  if ((g = rest.match(/^\/configurations\/imports\/(\d+)$/))) {
    if (m === 'GET') return getImport(state, orgId, Number(g[1]));
    if (m === 'PUT') return putImport(state, orgId, Number(g[1]), req.body);
  }
  if ((rest === '/configurations/exports' || rest === '/configurations/exports/') && m === 'POST') return postExport(state, req.body);
  if (rest === '/actions' && m === 'GET') return { status: 200, body: { entities: state.rules.map((r) => ruleRest(state, r, names)) } };
  if ((g = rest.match(/^\/actions\/(\d+)$/)) && m === 'GET') {
    const r = state.rules.find((x) => String(x['id']) === g![1]);
    return r ? { status: 200, body: ruleRest(state, r, names) } : soarError(404, `Action ${g[1]} not found`);
  }
  if (rest === '/workflows' && m === 'GET') return { status: 200, body: { entities: state.workflows.map((w) => workflowRest(state, w, names)) } };
  if ((g = rest.match(/^\/workflows\/([^/]+)$/)) && m === 'GET') {
    const w = findWorkflow(state, decodeURIComponent(g[1]!));
    return w ? { status: 200, body: workflowRest(state, w, names) } : soarError(404, `Workflow '${decodeURIComponent(g[1]!)}' not found`);
  }
  if (rest === '/types' && m === 'GET') return { status: 200, body: allTypes(state) };
  if ((g = rest.match(/^\/types\/([^/]+)$/)) && m === 'GET') {
    const t = typeRest(state, decodeURIComponent(g[1]!));
    return t ? { status: 200, body: t } : soarError(404, `Type '${decodeURIComponent(g[1]!)}' not found`);
  }
  if ((g = rest.match(/^\/types\/([^/]+)\/fields$/)) && m === 'GET') {
    const f = typeFieldsRest(state, decodeURIComponent(g[1]!));
    return f ? { status: 200, body: f } : soarError(404, `Type '${decodeURIComponent(g[1]!)}' not found`);
  }
  if (rest === '/workflow_instances' && m === 'GET') {
    return { status: 200, body: { entities: state.hooks ? state.hooks.instancesJson(orgId) : [] } };
  }
  if ((g = rest.match(/^\/workflow_instances\/(\d+)$/)) && m === 'GET') {
    const hit = (state.hooks ? state.hooks.instancesJson(orgId) : []).find((i) => String(i['workflow_instance_id']) === g![1]);
    return hit ? { status: 200, body: hit } : soarError(404, `Workflow instance ${g[1]} not found`);
  }

  // incidents
  if (rest === '/incidents/query_paged' && m === 'POST') return queryPaged(state, orgId, req);
  if (rest === '/incidents' && m === 'POST') {
    const b = req.body;
    if (!isJsonObject(b)) return soarError(400, 'An incident needs a JSON object body');
    if (typeof b['name'] !== 'string' || b['name'].trim() === '') return soarError(400, "Field 'name' is required");
    if (typeof b['discovered_date'] !== 'number') return soarError(400, "Field 'discovered_date' is required (epoch milliseconds)");
    const checked = checkIncidentWrite(state, b);
    if (!checked.ok) return soarError(400, checked.message);
    const inc = state.createIncident(orgId, checked.body, creator);
    const body = withHandles(state, inc, names);
    state.hooks?.objectChanged({ orgId, incidentId: inc['id'] as number, table: null, rowId: null, old: null, current: clone(inc), principal: creator, contextToken });
    return { status: 200, body };
  }
  if ((g = rest.match(/^\/incidents\/(\d+)(\/.*)?$/))) {
    const id = Number(g[1]);
    const sub = g[2] ?? '';
    const inc = state.incidents.get(id);
    if (!inc || inc['org_id'] !== orgId) return soarError(404, `Incident ${id} not found`);
    if (sub === '') {
      if (m === 'GET') return { status: 200, body: withHandles(state, inc, names) };
      if (m === 'DELETE') {
        state.deleteIncident(id);
        state.hooks?.incidentDeleted(orgId, id);
        return { status: 200, body: clone(OK_RESULT) };
      }
      if (m === 'PUT') {
        const b = req.body;
        if (!isJsonObject(b)) return soarError(400, 'An incident needs a JSON object body');
        if (typeof b['vers'] !== 'number') return soarError(409, `Incident ${id}: the update carries no 'vers'; read the incident and try again`);
        if (b['vers'] !== inc['vers']) {
          return soarError(409, `Incident ${id} was changed by someone else (vers ${String(b['vers'])} is not the current ${String(inc['vers'])})`);
        }
        if ('name' in b && (typeof b['name'] !== 'string' || b['name'].trim() === '')) return soarError(400, "Field 'name' is required");
        const checked = checkIncidentWrite(state, b);
        if (!checked.ok) return soarError(400, checked.message);
        const before = clone(inc);
        state.applyIncidentChanges(inc, checked.body);
        state.touch(inc);
        const body = withHandles(state, inc, names);
        state.hooks?.objectChanged({ orgId, incidentId: id, table: null, rowId: null, old: before, current: clone(inc), principal: creator, contextToken });
        return { status: 200, body };
      }
      if (m === 'PATCH') return patchIncident(state, orgId, inc, req.body, creator, contextToken);
      return soarError(405, `${m} not allowed on /incidents/${id}`);
    }
    if (sub === '/tasks') {
      if (m === 'GET') return { status: 200, body: state.tasksOf(id).map((t) => withHandles(state, t, names)) };
      if (m === 'POST') {
        const b = req.body;
        if (!isJsonObject(b) || typeof b['name'] !== 'string' || b['name'].trim() === '') return soarError(400, "A task needs a 'name'");
        const checked = checkHandles(state, b);
        if (!checked.ok) return soarError(400, checked.message);
        const t = state.createTask(inc, checked.body, creator);
        return { status: 200, body: withHandles(state, t, names) };
      }
    }
    if (sub === '/comments') {
      if (m === 'GET') return { status: 200, body: (state.notes.get(id) ?? []).map((n) => clone(n)) };
      if (m === 'POST') {
        const b = req.body;
        const text = isJsonObject(b) ? textOf(b['text']) : null;
        if (text === null || text === '') return soarError(400, "A note needs 'text': {format, content}");
        const parent = isJsonObject(b) && typeof b['parent_id'] === 'number' ? b['parent_id'] : null;
        return { status: 200, body: clone(state.addNote(id, text, p, parent)) };
      }
    }
    if (sub === '/artifacts') {
      if (m === 'GET') return { status: 200, body: (state.artifacts.get(id) ?? []).map((a) => artifactOut(state, a, req)) };
      if (m === 'POST') {
        const b = req.body;
        if (!isJsonObject(b) || typeof b['value'] !== 'string' || b['value'] === '') return soarError(400, "An artifact needs a 'value'");
        const type = state.artifactType(b['type']);
        if (!type) return soarError(400, `Unknown artifact type ${JSON.stringify(b['type'] ?? null)}`);
        const a = state.addArtifact(inc, type, b['value'], textOf(b['description']), creator);
        return { status: 200, body: [artifactOut(state, a, req)] };
      }
    }
    if (sub === '/attachments') {
      if (m === 'GET') return { status: 200, body: state.attachmentsOf(id).map((a) => clone(a.meta)) };
      if (m === 'POST') {
        if (!req.file) return soarError(400, "An attachment is uploaded as multipart/form-data with a 'file' part");
        return { status: 200, body: clone(state.addAttachment(inc, req.file, creator).meta) };
      }
    }
    if ((g = sub.match(/^\/attachments\/(\d+)$/)) && m === 'GET') {
      const att = state.attachmentsOf(id).find((a) => a.meta['id'] === Number(g![1]));
      return att ? { status: 200, body: clone(att.meta) } : soarError(404, `Attachment ${g[1]} not found`);
    }
    if ((g = sub.match(/^\/attachments\/(\d+)\/contents$/)) && m === 'GET') {
      const att = state.attachmentsOf(id).find((a) => a.meta['id'] === Number(g![1]));
      if (!att) return soarError(404, `Attachment ${g[1]} not found`);
      return { status: 200, bytes: att.data, headers: { 'Content-Type': String(att.meta['content_type'] ?? 'application/octet-stream') } };
    }
    if (sub === '/action_invocations' && m === 'POST') {
      return actionInvocation(state, { orgId, incidentId: id, table: null, rowId: null, body: req.body, principal: creator });
    }
    if ((g = sub.match(/^\/table_data\/([^/]+)\/row_data\/(\d+)\/action_invocations$/)) && m === 'POST') {
      const table = state.findTable(decodeURIComponent(g[1]!));
      if (!table) return soarError(404, `Datatable '${decodeURIComponent(g[1]!)}' not found`);
      const rowId = Number(g[2]);
      if (!state.rowsOf(id, table).has(rowId)) return soarError(404, `Row ${rowId} not found in datatable '${table.name}'`);
      return actionInvocation(state, { orgId, incidentId: id, table, rowId, body: req.body, principal: creator });
    }
    if ((g = sub.match(/^\/table_data\/([^/]+)(\/row_data(?:\/(\d+))?)?$/))) {
      const table = state.findTable(decodeURIComponent(g[1]!));
      if (!table) return soarError(404, `Datatable '${decodeURIComponent(g[1]!)}' not found`);
      const rows = state.rowsOf(id, table);
      if (!g[2] && m === 'GET') return { status: 200, body: { id: table.id, rows: [...rows.values()].map((r) => rowOut(state, table, r, names)) } };
      if (g[2] && !g[3] && m === 'POST') {
        const parsed = cellsToStored(state, table, req.body);
        if (!parsed.ok) return soarError(400, parsed.message);
        const row = state.newRow(parsed.cells);
        rows.set(row['id'] as number, row);
        const body = rowOut(state, table, row, names);
        state.hooks?.objectChanged({ orgId, incidentId: id, table, rowId: row['id'] as number, old: null, current: clone(row), principal: creator, contextToken });
        return { status: 200, body };
      }
      if (g[3]) {
        const rowId = Number(g[3]);
        const row = rows.get(rowId);
        if (!row) return soarError(404, `Row ${rowId} not found in datatable '${table.name}'`);
        if (m === 'DELETE') {
          rows.delete(rowId);
          return { status: 200, body: clone(OK_RESULT) };
        }
        if (m === 'PUT') {
          const b = req.body;
          if (isJsonObject(b) && typeof b['version'] === 'number' && b['version'] !== row['version']) {
            return soarError(409, `Row ${rowId} was changed by someone else (version ${b['version']} is not the current ${String(row['version'])})`);
          }
          const parsed = cellsToStored(state, table, b);
          if (!parsed.ok) return soarError(400, parsed.message);
          const before = clone(row);
          // The PUT is the whole row: a cell it leaves out is cleared (SOAR documents no partial
          // row update, and IBM's clients always send every cell).
          const current: JsonObject = {};
          for (const [col, value] of Object.entries(parsed.cells)) current[col] = { id: col, row_id: rowId, value };
          row['cells'] = current;
          row['version'] = (typeof row['version'] === 'number' ? row['version'] : 0) + 1;
          const body = rowOut(state, table, row, names);
          state.hooks?.objectChanged({ orgId, incidentId: id, table, rowId, old: before, current: clone(row), principal: creator, contextToken });
          return { status: 200, body };
        }
      }
    }
    return soarError(404, `No such endpoint: ${m} ${req.path}`);
  }

  // tasks by id
  if ((g = rest.match(/^\/tasks\/(\d+)$/))) {
    const t = state.tasks.get(Number(g[1]));
    const inc = t ? state.incidents.get(t['inc_id'] as number) : undefined;
    if (!t || !inc || inc['org_id'] !== orgId) return soarError(404, `Task ${g[1]} not found`);
    if (m === 'GET') return { status: 200, body: withHandles(state, t, names) };
    if (m === 'PUT') {
      const b = req.body;
      if (!isJsonObject(b)) return soarError(400, 'A task needs a JSON object body');
      if ('status' in b && b['status'] !== 'O' && b['status'] !== 'C') return soarError(400, `Invalid task status ${JSON.stringify(b['status'])}`);
      const wasOpen = t['status'] !== 'C';
      const protectedKeys = new Set(['id', 'inc_id', 'inc_name', 'init_date', 'creator_principal', 'perms', 'closed_date']);
      const checked = checkHandles(state, b);
      if (!checked.ok) return soarError(400, checked.message);
      for (const [k, v] of Object.entries(checked.body)) {
        if (protectedKeys.has(k)) continue;
        t[k] = k === 'instructions' ? textOf(v) : clone(v);
      }
      if (wasOpen && t['status'] === 'C') {
        t['closed_date'] = Date.now();
        t['active'] = false;
      } else if (!wasOpen && t['status'] === 'O') {
        t['closed_date'] = null;
        t['active'] = true;
      }
      // SOAR answers a task update with a StatusDTO {success, title, message, hints}, not the task.
      return { status: 200, body: clone(OK_RESULT) };
    }
  }
  return soarError(404, `No such endpoint: ${m} ${req.path}`);
}

/** Answers one authenticated-or-not request. */
export function route(state: EmulatorState, req: RouteRequest): Reply {
  const { method: m, path } = req;
  if (path === '/rest/session') {
    if (m === 'POST') return login(state, req);
    const auth = authenticate(state, req);
    if ('reply' in auth) return auth.reply;
    const p = auth.principal;
    if (m === 'GET') return { status: 200, body: p.kind === 'apikey' ? apiKeySessionJson(state, p) : passwordSessionJson(state, p) };
    if (m === 'DELETE') {
      if (p.kind === 'user') state.sessions.delete(p.session.sid);
      return { status: 200, body: clone(OK_RESULT), headers: { 'Set-Cookie': ['JSESSIONID=; Path=/; Max-Age=0; Secure; HttpOnly'] } };
    }
    return soarError(405, `${m} not allowed on /rest/session`);
  }
  const auth = authenticate(state, req);
  if ('reply' in auth) return auth.reply;
  const p = auth.principal;
  if (path === '/rest/const' && m === 'GET') return { status: 200, raw: state.samples.constText };
  const g = path.match(/^\/rest\/orgs\/(\d+)(\/.*)?$/);
  if (g) {
    const orgId = Number(g[1]);
    const org = state.orgsVisibleTo(p).find((o) => o['id'] === orgId);
    if (!org) return soarError(state.orgs.has(orgId) ? 403 : 404, `Organization ${orgId} is not available to this account`);
    if (org['enabled'] === false) return soarError(403, `Organization ${orgId} is disabled`);
    const rest = g[2] ?? '';
    if (rest === '' && m === 'GET') return { status: 200, body: orgObject(state, org) };
    return orgRoute(state, p, orgId, rest, req);
  }
  return soarError(404, `No such endpoint: ${m} ${path}`);
}
