/** Everything soar-clearing installs into SOAR, gathered from the files of customize/. */
import { DISTRIBUTION_TABLE } from './datatable.js';
import { DESTINATION } from './destination.js';
import { FUNCTION_INPUTS, INCIDENT_FIELDS, RULE_PROMPTS } from './fields.js';
import { FUNCTIONS } from './functions.js';
import type { Definitions } from './model.js';
import { RULES } from './rules.js';
import { PHASES, TASKS } from './tasks.js';
import { WORKFLOWS } from './workflows.js';

export const DEFINITIONS: Definitions = {
  destinations: [DESTINATION],
  functionInputs: FUNCTION_INPUTS,
  functions: FUNCTIONS,
  incidentFields: INCIDENT_FIELDS,
  rulePrompts: RULE_PROMPTS,
  datatables: [DISTRIBUTION_TABLE],
  phases: PHASES,
  tasks: TASKS,
  rules: RULES,
  workflows: WORKFLOWS,
};
