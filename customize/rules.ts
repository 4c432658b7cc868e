/**
 * Rules (SOAR's `actions`): what starts the workflows. Automatic rules (type 0) fire on an object
 * event matching their conditions; menu items (type 1) appear in the Actions menu of an incident
 * or of a datatable row. A condition's field is `<object>.<field>`: `incident.properties.<custom
 * field>` for incident custom fields, `<datatable>.<column>` for datatable rows.
 */
import { DISTRIBUTION_TABLE } from './datatable.js';
import type { RuleDef } from './model.js';

const table = DISTRIBUTION_TABLE.name;

export const RULES: readonly RuleDef[] = [
  {
    name: 'Clearing: involve group coordination',
    type: 'automatic',
    object: 'incident',
    logic: 'all',
    conditions: [
      { field: null, method: 'object_added' },
      // Copies received from another brand are the origin brand's to distribute.
      { field: 'incident.properties.clearing_origin_brand', method: 'not_has_a_value' },
    ],
    workflows: ['wf_clearing_involve_group_coordination'],
    summary:
      'Adds the task "Involve Group Coordination" and a distribution table row per other brand. ' +
      'Copies received from another brand ("Clearing: origin brand" set) are left alone: ' +
      'distributing them is the origin brand\'s business.',
  },
  {
    name: 'Clearing: distribution table changed',
    type: 'automatic',
    object: table,
    logic: 'any',
    conditions: [
      { field: `${table}.read_only`, method: 'changed' },
      { field: `${table}.distribute`, method: 'changed' },
    ],
    workflows: ['wf_clearing_distribution_table_changed'],
    summary:
      'Reacts to an analyst setting or clearing "Share read-only" or "Distribute": applies the ' +
      'shares of the whole table, then distributes to every row flagged "Distribute" (rows ' +
      'already delivered get their copy updated, never a second one).',
  },
  {
    name: 'Clearing: involve group coordination now',
    type: 'menu',
    object: 'incident',
    logic: 'all',
    conditions: [],
    workflows: ['wf_clearing_involve_group_coordination'],
    summary:
      'Adds what is missing of the coordination: the task if it was deleted, and rows for brands ' +
      'that joined the network since the incident was created.',
  },
  {
    name: 'Clearing: share now',
    type: 'menu',
    object: 'incident',
    logic: 'all',
    conditions: [],
    workflows: ['wf_clearing_share_now'],
    summary:
      'Applies the "Share read-only" flags of the distribution table again, e.g. after the ' +
      'whitelist or the network changed.',
  },
  {
    name: 'Clearing: distribute now',
    type: 'menu',
    object: 'incident',
    logic: 'all',
    conditions: [],
    workflows: ['wf_clearing_distribute_now'],
    summary:
      'Distributes the incident to every row flagged "Distribute" (a brand that has a copy gets it updated), e.g. to ' +
      'retry an undelivered copy.',
  },
  {
    name: 'Clearing: assess priority',
    type: 'menu',
    object: 'incident',
    logic: 'all',
    conditions: [],
    workflows: ['wf_clearing_assess_priority'],
    summary:
      'Computes the priority score and its explanation into the incident fields ' +
      '"Clearing: priority score" and "Clearing: priority explanation".',
  },
  {
    name: 'Clearing: distribute to this brand',
    type: 'menu',
    object: table,
    logic: 'all',
    conditions: [{ field: `${table}.brand`, method: 'has_a_value' }],
    workflows: ['wf_clearing_distribute_to_brand'],
    summary:
      'Sends a copy of the incident to the row\'s brand alone, whatever its "Distribute" flag.',
  },
  {
    name: 'Clearing: distribute configuration',
    type: 'menu',
    object: 'incident',
    logic: 'all',
    conditions: [],
    prompts: ['clearing_config_reason', 'clearing_config_dry_run'],
    workflows: ['wf_clearing_distribute_configuration'],
    summary:
      'For admins of the primary brand: pushes this SOAR\'s configuration to every other node. ' +
      'It sits on incidents because SOAR has no admin menu for rules; any incident will do: the ' +
      'push\'s result is written as a note on it. Only the primary node pushes; elsewhere the ' +
      'function answers with an error.',
  },
];
