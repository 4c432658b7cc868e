/** Task templates (SOAR's `automatic_tasks`) and the built-in phase they belong to. */
import type { PhaseDef, TaskDef } from './model.js';

/** SOAR's built-in "Engage" phase (the same uuid on every SOAR server). */
const ENGAGE_PHASE: PhaseDef = { name: 'Engage', order: 1, uuid: 'ed053e3a-2d6d-47e1-8240-844ed93d4893' };

export const INVOLVE_GROUP_COORDINATION_TASK: TaskDef = {
  programmaticName: 'clearing_task_involve_group_coordination',
  name: 'Involve Group Coordination',
  phase: ENGAGE_PHASE.name,
  optional: true,
  addedWhen:
    'Added to every new incident (not to copies received from other brands) by the function ' +
    '"Clearing: Involve Group Coordination", which the rule "Clearing: involve group coordination" runs.',
  instructions: [
    '<div class="rte">',
    '<p>Decide whether other brands of the group should know about this incident or work on it.</p>',
    '<p>The data table <b>Clearing: Distribution</b> on this incident has one row per other brand. ' +
      'For each brand, set:</p>',
    '<ul>',
    '<li><b>Share read-only</b>: the brand\'s analysts may view this incident in their clearing web ' +
      'interface, live and limited to the fields the group allows to leave this brand. Nothing is ' +
      'copied; clearing the flag withdraws the access. The row\'s status becomes <i>Informational</i>.</li>',
    '<li><b>Distribute</b>: the brand receives its own copy of this incident (the allowed fields, ' +
      'notes, artifacts and attachments) with a task to acknowledge it. The status goes from ' +
      '<i>Pending</i> to <i>Acknowledged</i>, <i>Not Acknowledged</i> (no answer in time), ' +
      '<i>Undelivered</i> (see the row\'s message) or <i>Resolved</i>. The remote incident id shows ' +
      'which incident it became there. Clearing the flag later does not recall the copy.</li>',
    '</ul>',
    '<p>The clearing node fills in status, remote incident, last update and message; do not edit ' +
      'them. The menu items <i>Clearing: share now</i> and <i>Clearing: distribute now</i> apply the ' +
      'flags again (for instance after an undelivered copy); <i>Clearing: distribute to this brand</i> ' +
      'on a row sends a copy to that brand alone.</p>',
    '<p>Close this task when the right brands are involved, or when none need to be.</p>',
    '</div>',
  ].join('\n'),
};

export const ACKNOWLEDGE_RECEIVED_INCIDENT_TASK: TaskDef = {
  programmaticName: 'clearing_task_acknowledge_received_incident',
  name: 'Acknowledge received incident',
  phase: ENGAGE_PHASE.name,
  optional: false,
  addedWhen:
    'Added by the clearing node to an incident it creates as a copy distributed by another brand.',
  instructions: [
    '<div class="rte">',
    '<p>This incident is a copy distributed by another brand of the group; the fields ' +
      '<b>Clearing: origin brand</b> and <b>Clearing: origin incident id</b> say which.</p>',
    '<p>Review it and decide whether your team takes it on. Closing this task acknowledges the ' +
      'incident: the origin brand sees <i>Acknowledged</i> in its distribution table. Without an ' +
      'acknowledgement in time (24 hours by default) it sees <i>Not Acknowledged</i>.</p>',
    '<p>Add a note to this task if you do not take the incident on, saying why; then close it.</p>',
    '</div>',
  ].join('\n'),
};

export const PHASES: readonly PhaseDef[] = [ENGAGE_PHASE];
export const TASKS: readonly TaskDef[] = [INVOLVE_GROUP_COORDINATION_TASK, ACKNOWLEDGE_RECEIVED_INCIDENT_TASK];
