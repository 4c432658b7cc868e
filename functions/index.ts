/** Every function this app serves: one module per function, listed here. */
import type { FunctionDefinition } from '../src/worker/function.js';
import clearingDistributeConfiguration from './clearing_distribute_configuration.js';
import clearingAssessPriority from './clearing_assess_priority.js';
import clearingDistributeIncident from './clearing_distribute_incident.js';
import clearingInvolveGroupCoordination from './clearing_involve_group_coordination.js';
import clearingPing from './clearing_ping.js';
import clearingShareIncident from './clearing_share_incident.js';

export const functions: readonly FunctionDefinition[] = [clearingPing, clearingInvolveGroupCoordination, clearingShareIncident, clearingDistributeIncident, clearingDistributeConfiguration, clearingAssessPriority];
