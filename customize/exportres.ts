/**
 * The export.res format (SOAR's configuration export, `export_format_version` 2) as far as this
 * app writes it. Keys and value shapes follow real exports (IBM's resilient-sdk
 * sample exports; docs/soar-wire.md); the unit tests compare them key by key when those are given.
 */

export type ExportJson = string | number | boolean | null | ExportJson[] | { [key: string]: ExportJson };

/** A `view_items` entry: one field of a function's input form or of a rule's prompt. */
export interface ViewItem {
  content: string;
  element: 'field_uuid';
  field_type: '__function' | 'actioninvocation';
  show_if: null;
  show_link_header: boolean;
  step_label: null;
}

export interface ExportFieldValue {
  default: boolean;
  enabled: boolean;
  hidden: boolean;
  label: string;
  properties: null;
  uuid: string;
  value: number;
}

/** A field: `__function/<name>` (type_id 11), `incident/<name>` (0), `actioninvocation/<name>` (6). */
export interface ExportField {
  allow_default_value: boolean;
  blank_option: boolean;
  calculated: boolean;
  changeable: boolean;
  chosen: boolean;
  default_chosen_by_server: boolean;
  deprecated: boolean;
  export_key: string;
  hide_notification: boolean;
  id: number;
  input_type: string;
  internal: boolean;
  is_tracked: boolean;
  name: string;
  operation_perms: Record<string, never>;
  operations: string[];
  placeholder: string;
  prefix: 'properties' | null;
  read_only: boolean;
  required?: 'always';
  rich_text: boolean;
  tags: string[];
  templates: ExportJson[];
  text: string;
  tooltip: string;
  type_id: number;
  uuid: string;
  values: ExportFieldValue[];
}

/** A datatable column: a field with its place and width. */
export interface ExportColumn extends ExportField {
  order: number;
  width: number;
}

export interface ExportPrincipal {
  display_name: string;
  id: number;
  name: string;
  type: 'apikey' | 'user';
}

/** A workflow as a function's `workflows` list names it. */
export interface ExportFunctionWorkflowRef {
  actions: ExportJson[];
  description: string | null;
  name: string;
  object_type: string;
  programmatic_name: string;
  tags: string[];
  uuid: null;
  workflow_id: number;
}

export interface ExportFunction {
  created_date: number;
  description: { content: string | null; format: 'text' };
  destination_handle: string;
  display_name: string;
  export_key: string;
  id: number;
  last_modified_by: ExportPrincipal;
  last_modified_time: number;
  name: string;
  output_description: { content: string | null; format: 'text' };
  tags: string[];
  uuid: string;
  version: number;
  view_items: ViewItem[];
  workflows: ExportFunctionWorkflowRef[];
}

export interface ExportMessageDestination {
  api_keys: string[];
  destination_type: number;
  expect_ack: boolean;
  export_key: string;
  name: string;
  programmatic_name: string;
  tags: string[];
  users: string[];
  uuid: string;
}

/** A datatable (a `types` entry with `type_id` 8). */
export interface ExportDatatable {
  actions: ExportJson[];
  display_name: string;
  export_key: string;
  fields: Record<string, ExportColumn>;
  for_actions: boolean;
  for_custom_fields: boolean;
  for_notifications: boolean;
  for_workflows: boolean;
  id: null;
  parent_types: string[];
  properties: { can_create: boolean; can_destroy: boolean; for_who: string[] };
  scripts: ExportJson[];
  tags: string[];
  type_id: 8;
  type_name: string;
  uuid: string;
}

export interface ExportCondition {
  evaluation_id: null;
  field_name: string | null;
  method: string;
  type: null;
  value: string | number | boolean | null;
}

/** A rule: `type` 0 automatic, 1 menu item. */
export interface ExportAction {
  automations: ExportJson[];
  conditions: ExportCondition[];
  enabled: boolean;
  export_key: string;
  id: number;
  logic_type: 'all' | 'any';
  message_destinations: string[];
  name: string;
  object_type: string;
  tags: string[];
  timeout_seconds: number;
  type: 0 | 1;
  uuid: string;
  view_items: ViewItem[];
  workflows: string[];
}

export interface ExportWorkflow {
  actions: ExportJson[];
  content: { version: number; workflow_id: string; xml: string };
  content_version: number;
  description: string;
  export_key: string;
  last_modified_by: string;
  last_modified_time: number;
  name: string;
  object_type: string;
  programmatic_name: string;
  tags: string[];
  uuid: string;
  workflow_id: number;
}

/** A task template. */
export interface ExportAutomaticTask {
  associated_actions: null;
  category_id: null;
  date_source_handle: string;
  deleted: boolean;
  due_date_offset: number;
  due_date_units: null;
  enabled: boolean;
  export_key: string;
  form: null;
  id: number;
  instructions: string;
  name: string;
  optional: boolean;
  phase_id: string;
  programmatic_name: string;
  tags: string[];
  task_layout: ExportJson[];
  uuid: string;
}

export interface ExportPhase {
  enabled: boolean;
  export_key: string;
  id: number;
  name: string;
  order: number;
  perms: null;
  tags: string[];
  uuid: string;
}

/** The whole file. Every section real exports carry is present, empty when unused. */
export interface ExportRes {
  action_order: ExportJson[];
  actions: ExportAction[];
  apps: ExportJson[];
  automatic_tasks: ExportAutomaticTask[];
  case_matching_profiles: ExportJson[];
  export_date: number;
  export_format_version: 2;
  export_type: null;
  fields: ExportField[];
  functions: ExportFunction[];
  geos: null;
  groups: null;
  id: number;
  inbound_destinations: ExportJson[];
  inbound_mailboxes: null;
  incident_artifact_types: ExportJson[];
  incident_types: ExportJson[];
  industries: null;
  layouts: ExportJson[];
  locale: null;
  message_destinations: ExportMessageDestination[];
  notifications: null;
  overrides: ExportJson[];
  phases: ExportPhase[];
  playbooks: ExportJson[];
  regulators: null;
  roles: ExportJson[];
  scripts: ExportJson[];
  server_version: { build_number: number; major: number; minor: number; version: string };
  tags: ExportJson[];
  task_order: ExportJson[];
  timeframes: null;
  types: ExportDatatable[];
  workflows: ExportWorkflow[];
  workspaces: ExportJson[];
}
