/** Every function this app serves: one module per function, listed here. */
import type { FunctionDefinition } from '../src/types.js';
import clearingInvolveGroupCoordination from './clearing_involve_group_coordination.js';
import clearingPing from './clearing_ping.js';

export const functions: readonly FunctionDefinition[] = [clearingPing, clearingInvolveGroupCoordination];
