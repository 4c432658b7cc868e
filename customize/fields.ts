/**
 * Fields of the customization: function inputs (`__function/<name>`), incident custom fields
 * (`incident/<name>`, read as `incident.properties.<name>`) and rule prompts
 * (`actioninvocation/<name>`, read as `rule.properties.<name>`).
 */
import type { FieldDef } from './model.js';

/**
 * The uuid resilient-community-apps give the shared `__function/incident_id` input, so this app
 * and any other installed app update one and the same field.
 */
const SHARED_INCIDENT_ID_UUID = '811e99d7-d194-4ce8-86cc-aff5e01ab85c';

export const FUNCTION_INPUTS: readonly FieldDef[] = [
  {
    name: 'incident_id',
    label: 'incident_id',
    inputType: 'number',
    required: 'always',
    uuid: SHARED_INCIDENT_ID_UUID,
    tooltip: 'Id of the incident to work on; in a workflow: incident.id',
    placeholder: 'incident.id',
    description: 'Id of the incident the function works on (the common SOAR input shared with other apps).',
  },
  {
    name: 'clearing_ping_message',
    label: 'clearing_ping_message',
    inputType: 'text',
    tooltip: 'Any text; the answer echoes it so you can tell your call from others',
    placeholder: 'hello from the playbook',
    description: 'Free text echoed back in the result, to recognise the call.',
  },
  {
    name: 'clearing_ping_delay_ms',
    label: 'clearing_ping_delay_ms',
    inputType: 'number',
    tooltip: 'Milliseconds the node waits before answering (0 to 60000); for timeout and concurrency tests',
    placeholder: '0',
    description: 'Milliseconds to wait before answering, at most 60000. Empty or 0 answers at once.',
  },
  {
    name: 'clearing_brand',
    label: 'clearing_brand',
    inputType: 'text',
    tooltip: 'Id of one brand to distribute to; leave empty to distribute to every row flagged "Distribute"',
    placeholder: 'brand id, e.g. emea',
    description:
      'Id of one brand of the network. Empty: every row of the distribution table flagged `distribute`.',
  },
  {
    name: 'clearing_reason',
    label: 'clearing_reason',
    inputType: 'text',
    required: 'always',
    tooltip: 'Why the configuration is pushed; recorded with the push on every node',
    placeholder: 'new playbook for phishing',
    description: 'Why the configuration is distributed; kept with the push in every node\'s log and result.',
  },
  {
    name: 'clearing_dry_run',
    label: 'clearing_dry_run',
    inputType: 'boolean',
    tooltip: 'Yes: only report what each node would import; nothing changes',
    description: 'Yes: each node reports what it would import and changes nothing.',
  },
];

/**
 * Incident custom fields, by role: the code names them through here
 * (`INCIDENT_FIELD.originBrand.name`), never by retyping them.
 */
export const INCIDENT_FIELD = {
  originBrand: {
    name: 'clearing_origin_brand',
    label: 'Clearing: origin brand',
    inputType: 'text',
    tooltip: 'Set on a distributed copy: the brand whose incident this is a copy of',
    description: 'On a copy received from another brand: the id of the brand that owns the original. Empty on own incidents.',
  },
  originIncidentId: {
    name: 'clearing_origin_incident_id',
    label: 'Clearing: origin incident id',
    inputType: 'text',
    tooltip: 'Set on a distributed copy: the id of the original incident in its brand\'s SOAR',
    description: 'On a received copy: the id of the original incident in the origin brand\'s SOAR.',
  },
  sharedWith: {
    name: 'clearing_shared_with',
    label: 'Clearing: shared with',
    inputType: 'text',
    tooltip: 'Brands that may view this incident read-only, comma-separated (kept in step with the distribution table)',
    description:
      'Ids of the brands the incident is shared with read-only, each with a comma before and after, ' +
      'e.g. `,emea,apac,` (so a `contains ",emea,"` filter finds exactly the incidents shared with ' +
      'emea). Maintained by the share function from the `read_only` flags of the distribution table.',
  },
  priorityScore: {
    name: 'clearing_priority_score',
    label: 'Clearing: priority score',
    inputType: 'number',
    tooltip: 'Priority computed by "Clearing: assess priority" (higher is more urgent)',
    description: 'Score computed by the assess-priority function from asset classification and rule severity.',
  },
  priorityExplanation: {
    name: 'clearing_priority_explanation',
    label: 'Clearing: priority explanation',
    inputType: 'textarea',
    tooltip: 'How the priority score was reached',
    description: 'The factors behind the priority score, one per line.',
  },
  ackOpen: {
    name: 'clearing_ack_open',
    label: 'Clearing: awaiting acknowledgement',
    inputType: 'boolean',
    tooltip: 'Set by the clearing node: a distribution row is Pending or Undelivered (the node\'s sweep watches this incident)',
    description:
      'Yes while a row of the distribution table is Pending or Undelivered: the clearing node\'s sweep ' +
      'looks only at these incidents (marking overdue rows Not Acknowledged, retrying undelivered ones).',
  },
  ackReported: {
    name: 'clearing_ack_reported',
    label: 'Clearing: acknowledgement reported',
    inputType: 'text',
    tooltip: 'Set by the clearing node on a received copy: the state last reported to the origin brand',
    description:
      'On a copy received from another brand: the acknowledgement state the clearing node last reported ' +
      'to the origin brand (Acknowledged when the task "Acknowledge received incident" is closed, Resolved ' +
      'when the copy is closed). Empty until the first report.',
  },
  deliveryClaim: {
    name: 'clearing_delivery_claim',
    label: 'Clearing: delivery in progress',
    inputType: 'text',
    tooltip: 'Set by the clearing node on a received copy while a delivery writes into it (empty otherwise)',
    description:
      'On a copy received from another brand: which delivery of the clearing node is writing into it ' +
      'and until when (`<delivery> <epoch ms>`), so that two nodes serving the brand never add the ' +
      'same notes, artifacts or tasks twice. Empty when no delivery is under way; a claim past its ' +
      'time is taken over.',
  },
  thresholdState: {
    name: 'clearing_threshold_state',
    label: 'Clearing: threshold state',
    inputType: 'textarea',
    tooltip: 'Set by the clearing node: which distribution thresholds this incident crossed (JSON)',
    description:
      'Which distribution thresholds (`triage.thresholds`) this incident crossed and how often, as JSON ' +
      'kept by the clearing node so that a threshold in mode first or subsequent fires as configured.',
  },
} as const satisfies Record<string, FieldDef>;

export const INCIDENT_FIELDS: readonly FieldDef[] = Object.values(INCIDENT_FIELD);

export const RULE_PROMPTS: readonly FieldDef[] = [
  {
    name: 'clearing_config_reason',
    label: 'Reason for the push',
    inputType: 'text',
    required: 'always',
    tooltip: 'Why the configuration is distributed now; recorded on every node',
    placeholder: 'new playbook for phishing',
  },
  {
    name: 'clearing_config_dry_run',
    label: 'Dry run',
    inputType: 'boolean',
    tooltip: 'Yes: only report what each node would import',
  },
];
