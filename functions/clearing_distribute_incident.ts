/**
 * clearing_distribute_incident: sends a whitelist-filtered copy of the incident to other brands
 * (rule "Clearing: distribution table changed", menu items "Clearing: distribute now" and
 * "Clearing: distribute to this brand"). Without `clearing_brand`, to every distribution-table
 * row flagged `distribute`; with it, to that brand's row alone. The flow, the rows' outcomes and
 * the result: src/triage/distribute.ts.
 */
import { distributeIncident, type DistributionResult } from '../src/triage/distribute.js';
import { brandContext, defineFunction } from './define.js';

interface DistributeInputs {
  incident_id: number;
  clearing_brand?: string;
}

export default defineFunction<DistributeInputs, DistributionResult>({
  name: 'clearing_distribute_incident',
  displayName: 'Clearing: Distribute Incident',
  description: 'Sends a whitelist-filtered copy of the incident to the brands flagged "Distribute" (or to one brand), creating or refreshing it there.',
  inputSchema: {
    type: 'object',
    properties: {
      incident_id: { type: 'integer', minimum: 1 },
      clearing_brand: { type: 'string', nullable: true, maxLength: 200 },
    },
    required: ['incident_id'],
    additionalProperties: false,
  },
  async handler({ incident_id: incidentId, clearing_brand: brandInput }, ctx) {
    const brand = brandInput?.trim() ?? '';
    return distributeIncident(brandContext(ctx), incidentId, brand === '' ? null : brand);
  },
});
