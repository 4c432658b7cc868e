/**
 * The shapes of the customization's definitions: what soar-clearing installs into SOAR, written
 * as readable TypeScript in the other files of customize/ and turned into export.res by
 * build.ts and into the README's section by docgen.ts. Names here are SOAR's API names
 * (programmatic names); texts are what admins, analysts and playbook designers read in SOAR.
 */

/** The kinds of input SOAR fields take (the `input_type` of a field). */
export type FieldInputType =
  | 'text'
  | 'textarea'
  | 'number'
  | 'boolean'
  | 'select'
  | 'multiselect'
  | 'datepicker'
  | 'datetimepicker';

/** One SOAR field: a function input, an incident custom field, a rule prompt or a datatable column. */
export interface FieldDef {
  /** API name, e.g. `clearing_brand`. */
  readonly name: string;
  /** Label shown in SOAR (`text`). */
  readonly label: string;
  readonly inputType: FieldInputType;
  /** Hover help in SOAR: what to put here. */
  readonly tooltip: string;
  /** Grey hint inside an empty input. */
  readonly placeholder?: string;
  /** `always`: SOAR insists on a value. */
  readonly required?: 'always';
  /** Choices of a select or multiselect, in display order. */
  readonly values?: readonly string[];
  /** A select that may stay empty. */
  readonly blankOption?: boolean;
  readonly richText?: boolean;
  /**
   * A uuid to use instead of the derived one: for fields other apps share by convention
   * (`__function/incident_id`), so installing next to them updates one field, not two.
   */
  readonly uuid?: string;
  /** Longer explanation for the generated docs (defaults to the tooltip). */
  readonly description?: string;
}

/** A datatable column: a field plus its column width in pixels. */
export interface ColumnDef extends FieldDef {
  readonly width: number;
}

export interface MessageDestinationDef {
  readonly programmaticName: string;
  readonly name: string;
  /** 0 queue, 1 topic. */
  readonly destinationType: 0 | 1;
  readonly expectAck: boolean;
  readonly description: string;
}

export interface FunctionDef {
  readonly name: string;
  readonly displayName: string;
  /** What the function does, for playbook designers (SOAR shows it in the function's panel). */
  readonly description: string;
  /** What `results.content` holds, once the function's module fixes it. */
  readonly outputDescription?: string;
  /** Programmatic name of the message destination. */
  readonly destination: string;
  /** Names of `__function/<name>` fields, in the order SOAR shows them. */
  readonly inputs: readonly string[];
}

export interface DatatableDef {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  /** May analysts add or delete rows by hand? */
  readonly canCreate: boolean;
  readonly canDestroy: boolean;
  readonly columns: readonly ColumnDef[];
}

/** A task template (SOAR's `automatic_tasks`). */
export interface TaskDef {
  readonly programmaticName: string;
  readonly name: string;
  /** Name of the phase the task belongs to, e.g. `Engage`. */
  readonly phase: string;
  /** HTML shown to the analyst in the task. */
  readonly instructions: string;
  readonly optional: boolean;
  /** When and by whom the task is added (docs only). */
  readonly addedWhen: string;
}

export interface PhaseDef {
  readonly name: string;
  readonly order: number;
  /** SOAR's own uuid for a built-in phase. */
  readonly uuid: string;
}

/** A rule condition, as SOAR exports it: `field_name` is `<object>.<field>` (or null). */
export interface ConditionDef {
  readonly field: string | null;
  /** SOAR's method name: `object_added`, `changed`, `changed_to`, `has_a_value`, ... */
  readonly method: string;
  readonly value?: string | number | boolean | null;
}

/** A rule (SOAR's `actions`): automatic (type 0) or menu item (type 1). */
export interface RuleDef {
  readonly name: string;
  readonly type: 'automatic' | 'menu';
  /** `incident` or the API name of a datatable (a rule on its rows). */
  readonly object: string;
  readonly logic: 'all' | 'any';
  readonly conditions: readonly ConditionDef[];
  /** Programmatic names of the workflows the rule starts. */
  readonly workflows: readonly string[];
  /** Names of `actioninvocation/<name>` fields the menu item asks for before it runs. */
  readonly prompts?: readonly string[];
  /** What it is for (docs only; when it fires is rendered from type, object and conditions). */
  readonly summary: string;
}

/** A constant input of a workflow step (SOAR's `"input_type": "static"`). */
export type StaticInput = string | number | boolean;

/** One function call in a workflow. */
export interface WorkflowStepDef {
  readonly function: string;
  /**
   * Lines of the pre-processing script, each within the subset documented in workflows.ts
   * (checked at build time).
   */
  readonly pre: readonly string[];
  /** Lines of the post-processing script: comments only. */
  readonly post: readonly string[];
  /** Name under which later steps could read the result (`workflow.properties.<name>`). */
  readonly resultName: string;
  /** Inputs set in the workflow designer rather than by the script, by input name. */
  readonly staticInputs?: Readonly<Record<string, StaticInput>>;
}

/** A workflow: start, the steps in order, end (no gateways, no timers). */
export interface WorkflowDef {
  readonly programmaticName: string;
  readonly name: string;
  readonly description: string;
  /** `incident` or the API name of a datatable. */
  readonly object: string;
  readonly steps: readonly WorkflowStepDef[];
}

/** Everything the app installs. */
export interface Definitions {
  readonly destinations: readonly MessageDestinationDef[];
  readonly functionInputs: readonly FieldDef[];
  readonly functions: readonly FunctionDef[];
  readonly incidentFields: readonly FieldDef[];
  readonly rulePrompts: readonly FieldDef[];
  readonly datatables: readonly DatatableDef[];
  readonly phases: readonly PhaseDef[];
  readonly tasks: readonly TaskDef[];
  readonly rules: readonly RuleDef[];
  readonly workflows: readonly WorkflowDef[];
}
