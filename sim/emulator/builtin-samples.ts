/**
 * The SOAR emulator's response templates, the same on every machine. Written for this project:
 * each template has the keys and value shapes of SOAR's answer (docs/soar-wire.md) but values of
 * our own, and only a handful of entries where SOAR lists hundreds (incident fields, types,
 * constants). test/fixtures/soar/ holds SOAR's shapes, which the emulator's answers are tested
 * against; a unit test also compares these templates with IBM's samples when those are given.
 */
import type { JsonObject, JsonValue } from '../../src/core/types.js';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, a fixed "long ago" for the templates

const systemPrincipal: JsonObject = { id: 0, type: 'system', name: 'System User', display_name: 'System User' };
const adminPrincipal: JsonObject = { id: 1, type: 'user', name: 'admin@example.com', display_name: 'Ada Admin' };

// ---- orgs and sessions ----------------------------------------------------------------------

function apiKeyOrg(id: number, name: string, uuid: string, cloudAccount: string | null, enabled: boolean): JsonObject {
  return {
    id, name,
    addr: null, addr2: null, city: null, state: null, zip: null,
    attachments_enabled: true,
    final_phase_required: false,
    tasks_private: false,
    has_saml: false,
    require_saml: false,
    twofactor_auth_domain: null,
    has_available_twofactor: false,
    authorized_ldap_group: null,
    supports_ldap: false,
    incident_deletion_allowed: true,
    configuration_type: 'standard',
    parent_org: null,
    session_timeout: 1200,
    last_modified_by: { ...systemPrincipal },
    last_modified_time: T0,
    uuid,
    timezone: null,
    cloud_account: cloudAccount,
    perms: null,
    effective_permissions: [],
    role_handles: [],
    enabled,
    twofactor_cookie_lifetime_secs: 0,
  };
}

function passwordOrg(id: number, name: string): JsonObject {
  return {
    city: null, addr: null, zip: null,
    has_available_twofactor: false,
    perms: { create_shared_layout: true, administrator: true, create_incs: true, master_administrator: true, observer: false },
    supports_ldap: false,
    enabled: true,
    twofactor_auth_domain: null,
    attachments_enabled: true,
    has_saml: false,
    state: null,
    addr2: null,
    twofactor_cookie_lifetime_secs: 0,
    require_saml: false,
    tasks_private: false,
    authorized_ldap_group: null,
    id, name,
  };
}

const apiKeySession: JsonObject = {
  orgs: [
    apiKeyOrg(201, 'Test Organization', '0b0e2d7c-5a1f-4c39-9d1e-20a1c0de0201', 'a7c4f0e2-1d2b-4e8f-9a3c-5b6d7e8f0201', true),
    apiKeyOrg(202, 'Test Organization 2', '0b0e2d7c-5a1f-4c39-9d1e-20a1c0de0202', 'a7c4f0e2-1d2b-4e8f-9a3c-5b6d7e8f0202', true),
    apiKeyOrg(404, 'Disabled Org', '0b0e2d7c-5a1f-4c39-9d1e-20a1c0de0404', null, false),
  ],
  password_expiration_date: null,
  api_key_handle: 4,
  client_id: '5f0c1d2e-3a4b-4c5d-8e6f-70a1b2c3d4e5',
  display_name: 'Local Integration Server',
  csrf_token: '00000000000000000000000000000000',
  user_id: 1,
};

const passwordSession: JsonObject = {
  saml_alias: null,
  csrf_token: '00000000000000000000000000000000',
  user_lname: 'Admin',
  user_id: 1,
  is_ldap: false,
  is_saml: false,
  orgs: [passwordOrg(201, 'Test Organization'), passwordOrg(202, 'Test Organization 2')],
  session_ip: '127.0.0.1',
  user_fname: 'Ada',
  user_email: 'admin@example.com',
};

// ---- incidents, tasks, rows, attachments ----------------------------------------------------

const assessment = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<assessment>\n    <rollups/>\n</assessment>\n';

const incident: JsonObject = {
  pii: {
    data_contained: null, exposure: 0, data_source_ids: [], data_format: null, harmstatus_id: 2,
    data_compromised: null, assessment, data_encrypted: null,
  },
  tasks: null,
  create_date: T0,
  cm: { total: 0, geo_counts: {}, unassigneds: [] },
  creator: {
    status: 'A', cell: null, locked: false, is_external: false, title: null, notes: null,
    email: 'admin@example.com', lname: 'Admin', phone: null, last_login: T0, fname: 'Ada', id: 1,
  },
  perms: {
    comment: true, list_milestones: true, create_artifacts: true, read_attachments: true, read: true,
    create_milestones: true, change_members: true, write: true, attach_file: true, list_artifacts: true,
    delete_attachments: true, close: true, assign: true, delete: true,
  },
  exposure_vendor_id: null,
  actions: [],
  admin_id: null,
  incident_type_ids: [],
  resolution_summary: null,
  exposure_type_id: 1,
  id: 1,
  task_changes: { removed: [], added: [] },
  city: '',
  confirmed: false,
  exposure_dept_id: null,
  addr: '',
  zip: '',
  artifacts: null,
  employee_involved: null,
  comments: null,
  state: null,
  resolution_id: null,
  draft: false,
  assessment,
  inc_training: false,
  owner_id: 1,
  due_date: null,
  vers: 1,
  description: null,
  end_date: null,
  reporter: '',
  severity_code: 50,
  jurisdiction_name: null,
  regulators: { ids: [] },
  exposure_individual_name: '',
  hard_liability: 0,
  members: [],
  negative_pr_likely: null,
  data_compromised: null,
  hipaa: {
    hipaa_acquired_comment: null, hipaa_adverse_comment: null, hipaa_additional_misuse: null, hipaa_breach: null,
    hipaa_breach_comment: null, hipaa_misused: null, hipaa_adverse: null, hipaa_acquired: null,
    hipaa_misused_comment: null, hipaa_additional_misuse_comment: null,
  },
  properties: { reference_code: null },
  is_scenario: false,
  exposure: 0,
  discovered_date: T0,
  name: 'Template incident',
  dtm: {},
  inc_start: null,
  country: null,
  org_id: 201,
  start_date: null,
  creator_id: 1,
  crimestatus_id: 1,
  jurisdiction_reg_id: null,
  nist_attack_vectors: [],
  plan_status: 'A',
  phase_id: 1002,
};

const task: JsonObject = {
  name: 'Template task',
  inc_id: 1,
  inc_owner_id: 1,
  due_date: null,
  required: false,
  owner_id: null,
  user_notes: null,
  status: 'O',
  frozen: false,
  owner_fname: null,
  owner_lname: null,
  init_date: T0,
  active: true,
  src_name: null,
  inc_name: 'Template incident',
  instr_text: null,
  instructions: null,
  form: '',
  members: null,
  perms: {
    read: true, write: true, comment: true, assign: true, close: true, change_members: true,
    attach_file: true, read_attachments: true, delete_attachments: true, change_header: true,
  },
  notes: [],
  closed_date: null,
  actions: [],
  phase_id: 1002,
  category_id: 1,
  notes_count: 0,
  attachments_count: 0,
  task_layout: [],
  auto_deactivate: true,
  creator_principal: { ...adminPrincipal },
  regs: {},
  custom: true,
  id: 1,
  inc_training: false,
  cat_name: 'Custom',
  description: '',
  at_id: null,
  private: null,
};

const tableRow: JsonObject = {
  id: 1,
  cells: {
    example_column: { id: 'example_column', row_id: 1, value: null },
  },
  actions: [],
  playbooks: [],
  version: 1,
};

const attachment: JsonObject = {
  type: 'incident',
  id: 1,
  uuid: '3c1d9e4f-7a2b-4c6d-8e0f-1a2b3c4d5e6f',
  name: 'template.txt',
  content_type: 'text/plain',
  created: T0,
  creator_id: 1,
  size: 0,
  actions: [],
  task_id: null,
  task_name: null,
  task_custom: null,
  task_members: null,
  task_at_id: null,
  vers: 1,
  inc_id: 1,
  inc_name: 'Template incident',
  inc_owner: 1,
};

// ---- definitions: functions, destinations, incident fields ---------------------------------

const functions: JsonObject[] = [{
  display_name: 'Example function',
  uuid: '6e5d4c3b-2a19-4807-b6a5-948372615040',
  creator: { ...adminPrincipal },
  view_items: [],
  last_modified_by: { ...adminPrincipal },
  name: 'example_function',
  version: 0,
  workflows: [],
  last_modified_time: T0,
  destination_handle: 'example_destination',
  id: 1,
  description: 'A function defined in every emulated SOAR, served by nobody.',
}];

const messageDestinations: JsonObject[] = [{
  programmatic_name: 'example_destination',
  name: 'Example destination',
  export_key: 'example_destination',
  uuid: '7f6e5d4c-3b2a-4190-8a7b-6c5d4e3f2a10',
  expect_ack: true,
  destination_type: 0,
  id: 1,
  users: [1],
  api_keys: [],
}];

const OPERATIONS: Record<string, string[]> = {
  text: ['equals', 'not_equals', 'contains', 'not_contains', 'changed', 'changed_to', 'not_changed_to', 'has_a_value', 'not_has_a_value'],
  select: ['equals', 'not_equals', 'in', 'not_in', 'changed', 'changed_to', 'not_changed_to', 'has_a_value', 'not_has_a_value'],
  boolean: ['equals', 'not_equals', 'changed', 'changed_to', 'not_changed_to', 'has_a_value', 'not_has_a_value'],
  datetimepicker: ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte', 'changed', 'changed_to', 'not_changed_to', 'has_a_value', 'not_has_a_value'],
};

function operationPerms(ops: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const op of ops) {
    const change = op.includes('changed');
    out[op.toUpperCase()] = { show_in_manual_actions: !change, show_in_notifications: true, show_in_auto_actions: true };
  }
  return out;
}

interface FieldSpec {
  readonly id: number;
  readonly name: string;
  readonly text: string;
  readonly inputType: 'text' | 'textarea' | 'number' | 'boolean' | 'select' | 'multiselect' | 'datetimepicker';
  readonly prefix?: 'properties';
  readonly values?: ReadonlyArray<readonly [number | string, string]>;
  readonly required?: 'always';
}

function field(s: FieldSpec): JsonObject {
  const kind = s.inputType === 'textarea' || s.inputType === 'number' ? 'text'
    : s.inputType === 'multiselect' ? 'select' : s.inputType;
  const ops = OPERATIONS[kind] ?? OPERATIONS['text']!;
  const custom = s.prefix === 'properties';
  const f: JsonObject = {
    operations: [...ops],
    read_only: false,
    perms: {
      sort: true, modify_type: [s.inputType], modify_required: custom, show_in_manual_actions: true,
      show_in_notifications: true, modify_default: custom, modify_operations: custom, modify_name: custom,
      modify_chosen: custom, show_in_auto_actions: true, modify_blank: custom, modify_values: custom, delete: custom,
    },
    uuid: `9a8b7c6d-0000-4000-8000-${String(s.id).padStart(12, '0')}`,
    type_id: 0,
    chosen: false,
    text: s.text,
    blank_option: false,
    rich_text: false,
    operation_perms: operationPerms(ops),
    prefix: s.prefix ?? null,
    internal: false,
    values: (s.values ?? []).map(([value, label], i): JsonValue => ({
      uuid: `5b4a3928-0000-4000-8000-${String(s.id * 100 + i).padStart(12, '0')}`,
      default: i === 0, enabled: true, value, label, properties: null,
    })),
    input_type: s.inputType,
    changeable: true,
    hide_notification: false,
    id: s.id,
    name: s.name,
    tooltip: '',
  };
  if (s.required) f['required'] = s.required;
  return f;
}

const incidentFields: JsonObject[] = [
  field({ id: 1, name: 'name', text: 'Name', inputType: 'text', required: 'always' }),
  field({ id: 2, name: 'description', text: 'Description', inputType: 'textarea' }),
  field({ id: 3, name: 'discovered_date', text: 'Date Discovered', inputType: 'datetimepicker', required: 'always' }),
  field({ id: 4, name: 'create_date', text: 'Date Created', inputType: 'datetimepicker' }),
  field({ id: 5, name: 'end_date', text: 'Date Closed', inputType: 'datetimepicker' }),
  field({ id: 6, name: 'severity_code', text: 'Severity', inputType: 'select', values: [[50, 'Low'], [51, 'Medium'], [52, 'High']] }),
  field({ id: 7, name: 'plan_status', text: 'Status', inputType: 'select', values: [['A', 'Active'], ['C', 'Closed']] }),
  field({ id: 8, name: 'confirmed', text: 'Confirmed', inputType: 'boolean' }),
  field({ id: 9, name: 'incident_type_ids', text: 'Incident Type', inputType: 'multiselect', values: [[17, 'Phishing'], [18, 'Malware'], [19, 'Lost device']] }),
  field({ id: 10, name: 'phase_id', text: 'Phase', inputType: 'select', values: [[1004, 'Initial'], [1003, 'Engage'], [1005, 'Detect/Analyze'], [1002, 'Respond'], [1000, 'Post-Incident'], [1001, 'Complete']] }),
  field({ id: 11, name: 'resolution_summary', text: 'Resolution Summary', inputType: 'textarea' }),
  field({ id: 201, name: 'reference_code', text: 'Reference code', inputType: 'text', prefix: 'properties' }),
];

// ---- types (GET /types) ---------------------------------------------------------------------

function type(id: number, name: string, displayName: string, flags: { notify: boolean; actions: boolean; custom: boolean; workflows: boolean }, parents: string[] = []): JsonObject {
  return {
    id,
    type_id: id,
    type_name: name,
    fields: {},
    properties: { can_create: false, can_destroy: false, for_who: [] },
    parent_types: parents,
    display_name: displayName,
    for_notifications: flags.notify,
    for_actions: flags.actions,
    for_custom_fields: flags.custom,
    for_workflows: flags.workflows,
    uuid: `2c3d4e5f-0000-4000-8000-${String(id).padStart(12, '0')}`,
    actions: [],
    scripts: [],
    playbooks: [],
    tags: [],
  };
}

const objectFlags = { notify: true, actions: true, custom: false, workflows: true };
const types: JsonObject = {
  incident: { ...type(0, 'incident', 'Incident', { ...objectFlags, custom: true }), properties: { can_create: true, can_destroy: true, for_who: [] } },
  task: type(1, 'task', 'Task', objectFlags, ['incident']),
  note: type(2, 'note', 'Note', objectFlags, ['incident', 'task']),
  milestone: type(3, 'milestone', 'Milestone', objectFlags, ['incident']),
  artifact: type(4, 'artifact', 'Artifact', objectFlags, ['incident']),
  attachment: type(5, 'attachment', 'Attachment', objectFlags, ['incident', 'task']),
  actioninvocation: type(6, 'actioninvocation', 'Action Invocation', { notify: false, actions: false, custom: true, workflows: false }),
  organization: type(7, 'organization', 'Organization', { notify: false, actions: false, custom: false, workflows: false }),
  __function: type(11, '__function', 'Function', { notify: false, actions: false, custom: true, workflows: false }),
  __emailmessage: type(13, '__emailmessage', 'Email Message', objectFlags, ['incident']),
};

// ---- constants (GET /rest/const) ------------------------------------------------------------

const constInfo: JsonObject = {
  task_statuses: {
    O: { id: 'O', enabled: true, name: 'Open', description: null, closed: false },
    C: { id: 'C', enabled: true, name: 'Closed', description: null, closed: true },
  },
  incident_statuses: {
    A: { id: 'A', enabled: true, isclosed: false, name: 'Active', description: null },
    C: { id: 'C', enabled: true, isclosed: true, name: 'Closed', description: null },
  },
  max_artifact_mb: 25,
  max_artifacts: 500,
  max_attachment_mb: 25,
  max_page_size: 100,
  action_types: { 0: 'Automatic', 1: 'Manual' },
  action_object_types: { 0: 'Incident', 1: 'Task', 2: 'Note', 3: 'Milestone', 4: 'Artifact', 5: 'Attachment', 13: 'Email Message' },
  message_destination_types: { 0: 'Queue', 1: 'Topic' },
  server_version: { major: 51, minor: 0, build_number: 0, version: '51.0.0' },
  script_languages: { python3: { name: 'Python 3' } },
};

/** The templates, in the shapes samples.ts reads from the sample files. */
export interface BuiltinSampleSet {
  readonly passwordSession: JsonObject;
  readonly apiKeySession: JsonObject;
  readonly incident: JsonObject;
  readonly task: JsonObject;
  readonly functions: JsonObject[];
  readonly messageDestinations: JsonObject[];
  readonly incidentFields: JsonObject[];
  readonly tableRow: JsonObject;
  readonly attachment: JsonObject;
  readonly constInfo: JsonObject;
  readonly types: JsonObject;
}

/** Fresh copies of every built-in template. */
export function builtinSamples(): BuiltinSampleSet {
  return structuredClone({
    passwordSession, apiKeySession, incident, task, functions, messageDestinations, incidentFields,
    tableRow, attachment, constInfo, types,
  });
}
