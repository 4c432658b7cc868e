/**
 * clearing_involve_group_coordination: run on every new incident (rule "Clearing: involve group
 * coordination"). Adds the task "Involve Group Coordination" once, and seeds the distribution
 * table with one row per other brand of the network, flags unset and status empty.
 * Running it again adds only what is missing (a brand that joined the network since, say).
 */
import { INVOLVE_GROUP_COORDINATION_TASK as TASK } from '../customize/tasks.js';
import { addDistributionRow, readDistributionRows } from '../src/clearing/distribution-table.js';
import { defineFunction, incidentOnlyInputs } from './define.js';

export default defineFunction<{ incident_id: number }, {
  task_id: number;
  task_created: boolean;
  rows_added: string[];
  rows_existing: string[];
}>({
  name: 'clearing_involve_group_coordination',
  displayName: 'Clearing: Involve Group Coordination',
  description: 'Adds the task "Involve Group Coordination" and one distribution-table row per other brand.',
  inputSchema: incidentOnlyInputs,
  async handler({ incident_id: incidentId }, ctx) {
    const opts = { signal: ctx.signal };
    const existingTask = (await ctx.soar.listIncidentTasks(incidentId, opts)).find((t) => t.name === TASK.name);
    const task = existingTask ?? await ctx.soar.createTask(incidentId, {
      name: TASK.name,
      instructions: TASK.instructions,
      phase_id: TASK.phase,
      required: !TASK.optional,
    }, opts);

    const present = new Set((await readDistributionRows(ctx.soar, incidentId, ctx.signal)).map((r) => r.brand));
    const wanted = ctx.network.brands.filter((b) => b !== ctx.invocation.brand);
    const added: string[] = [];
    for (const brand of wanted) {
      if (present.has(brand)) continue;
      await addDistributionRow(ctx.soar, incidentId, brand, ctx.signal);
      added.push(brand);
    }
    await ctx.status(`task ${existingTask ? 'already present' : 'added'}; ${added.length} distribution row(s) added`);
    return { task_id: task.id, task_created: !existingTask, rows_added: added, rows_existing: [...present].sort() };
  },
});
