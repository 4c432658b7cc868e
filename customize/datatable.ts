/** The distribution table: one row per other brand on every incident. */
import type { ColumnDef, DatatableDef } from './model.js';

/** Values of the `status` column, in display order (the column may also be empty). */
export const DISTRIBUTION_STATUSES = [
  'Pending',
  'Undelivered',
  'Acknowledged',
  'Not Acknowledged',
  'Resolved',
  'Informational',
] as const;
export type DistributionStatus = (typeof DISTRIBUTION_STATUSES)[number];

/**
 * The table's columns, by role: the code names them through here
 * (`DISTRIBUTION_COLUMN.remoteIncidentId.name`), never by retyping them.
 */
export const DISTRIBUTION_COLUMN = {
  brand: {
    name: 'brand',
    label: 'Brand',
    inputType: 'text',
    width: 120,
    tooltip: 'Id of the other brand (SOAR organisation) this row is about',
  },
  readOnly: {
    name: 'read_only',
    label: 'Share read-only',
    inputType: 'boolean',
    width: 110,
    tooltip: 'Yes: this brand\'s users may view the incident (whitelisted fields only), nothing is copied',
  },
  distribute: {
    name: 'distribute',
    label: 'Distribute',
    inputType: 'boolean',
    width: 100,
    tooltip: 'Yes: send this brand a copy of the incident (whitelisted fields only) for it to work on',
  },
  status: {
    name: 'status',
    label: 'Status',
    inputType: 'select',
    width: 140,
    blankOption: true,
    values: DISTRIBUTION_STATUSES,
    tooltip: 'Set by the clearing node: where the share or copy stands',
    description:
      'Set by the clearing node. Pending: copy sent, not yet acknowledged. Undelivered: the copy ' +
      'could not be delivered (see Message). Acknowledged: the other brand took it on. Not ' +
      'Acknowledged: no acknowledgement in time (24 h by default). Resolved: the other brand ' +
      'closed its copy. Informational: shared read-only.',
  },
  remoteIncidentId: {
    name: 'remote_incident_id',
    label: 'Remote incident',
    inputType: 'text',
    width: 110,
    tooltip: 'Set by the clearing node: id of the copy in the other brand\'s SOAR',
  },
  lastUpdate: {
    name: 'last_update',
    label: 'Last update',
    inputType: 'datetimepicker',
    width: 150,
    tooltip: 'Set by the clearing node: when this row\'s status last changed',
  },
  message: {
    name: 'message',
    label: 'Message',
    inputType: 'text',
    width: 300,
    tooltip: 'Set by the clearing node: the last outcome in words, e.g. why a copy was undelivered',
  },
} as const satisfies Record<string, ColumnDef>;

export const DISTRIBUTION_TABLE: DatatableDef = {
  name: 'clearing_distribution',
  displayName: 'Clearing: Distribution',
  description:
    'One row per other brand of the clearing network, added by "Clearing: Involve Group ' +
    'Coordination". Analysts set the two flags; the clearing node fills in the rest.',
  canCreate: false,
  canDestroy: false,
  columns: Object.values(DISTRIBUTION_COLUMN),
};
