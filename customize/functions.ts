/** The SOAR functions soar-clearing serves, all on the `fn_clearing` destination. */
import { DESTINATION } from './destination.js';
import type { FunctionDef } from './model.js';

const destination = DESTINATION.programmaticName;

export const FUNCTIONS: readonly FunctionDef[] = [
  {
    name: 'clearing_ping',
    displayName: 'Clearing: Ping',
    description:
      'Answers with the message it was given and the clearing node and brand that served it. ' +
      'A diagnostic for admins: proves the path SOAR -> message destination -> clearing node -> SOAR.',
    outputDescription: '{pong, message, node, brand, version, correlation_id, received_at}',
    destination,
    inputs: ['clearing_ping_message', 'clearing_ping_delay_ms'],
  },
  {
    name: 'clearing_involve_group_coordination',
    displayName: 'Clearing: Involve Group Coordination',
    description:
      'Prepares an incident for cooperation with the other brands: adds the task "Involve Group ' +
      'Coordination" and a row per other brand of the network to the distribution table, its flags ' +
      'and status left empty (so the rule "Clearing: distribution table changed" does not fire for ' +
      'new rows). Running it again adds only what is missing.',
    destination,
    inputs: ['incident_id'],
  },
  {
    name: 'clearing_share_incident',
    displayName: 'Clearing: Share Incident',
    description:
      'Shares the incident read-only with every brand whose row has "Share read-only" set, and ' +
      'withdraws it from the others: updates the field "Clearing: shared with" and the status of ' +
      'each row (Informational when shared). Nothing is copied: the other brands\' users view it live ' +
      'through their own clearing node, filtered by the whitelist.',
    destination,
    inputs: ['incident_id'],
  },
  {
    name: 'clearing_distribute_incident',
    displayName: 'Clearing: Distribute Incident',
    description:
      'Sends a whitelist-filtered copy of the incident to another brand, whose clearing node creates ' +
      'it in that brand\'s SOAR with a task to acknowledge it. Without a brand, distributes to every ' +
      'row flagged "Distribute". Writes the remote incident id, status and time into each row. ' +
      'Repeating never creates a second copy.',
    destination,
    inputs: ['incident_id', 'clearing_brand'],
  },
  {
    name: 'clearing_distribute_configuration',
    displayName: 'Clearing: Distribute Configuration',
    description:
      'On the primary node: exports this SOAR\'s configuration (the parts chosen in the node\'s ' +
      'config, never users or API keys) and pushes it to every other node, which imports it into ' +
      'its brands. One push at a time; the result lists each node\'s outcome and is also written as a ' +
      'note on the incident.',
    destination,
    inputs: ['incident_id', 'clearing_reason', 'clearing_dry_run'],
  },
  {
    name: 'clearing_assess_priority',
    displayName: 'Clearing: Assess Priority',
    description:
      'Computes a priority score for the incident from the classification of the affected assets ' +
      '(operational impact, security classification) and the severity of the detection rule, and ' +
      'writes it with its explanation into the incident fields "Clearing: priority score" and ' +
      '"Clearing: priority explanation". Then applies the distribution thresholds of the node\'s config ' +
      '(a score at or above a level, or several incidents sharing an artifact value in a time window).',
    outputDescription: '{incident_id, score, top_asset, consequence, residual, assets: [{asset, score}], explanation, written, thresholds: [{threshold, crossing, fired, value, incidents, distributions}]}',
    destination,
    inputs: ['incident_id'],
  },
];
