/**
 * The distribution table (`clearing_distribution`) of an incident as typed rows, and the
 * clearing node's writes to it: it adds a row per brand, and then changes only status (as
 * distribution-status.ts allows), remote incident, last update and message: the two flags,
 * whose changes fire the table-changed rule, are written back as they are (SOAR's row update
 * takes the whole row; see SoarClient.updateTableRow).
 */
import { DISTRIBUTION_COLUMN as COLUMN, DISTRIBUTION_TABLE, type DistributionStatus } from '../../customize/datatable.js';
import type { SoarClient } from '../soar/client.js';
import type { TableRow } from '../soar/dto.js';
import type { JsonValue } from '../core/types.js';

export const TABLE = DISTRIBUTION_TABLE.name;

export interface DistributionRow {
  readonly rowId: number;
  readonly brand: string;
  readonly readOnly: boolean;
  readonly distribute: boolean;
  readonly status: DistributionStatus | null;
  readonly remoteIncidentId: string | null;
  readonly lastUpdate: number | null;
  readonly message: string | null;
}

/** What the node may write into a row; undefined keys are left as they are. */
export interface RowUpdate {
  readonly status?: DistributionStatus | null;
  readonly remoteIncidentId?: string | null;
  readonly message?: string | null;
}

function cell(row: TableRow, column: string): JsonValue {
  return row.cells[column]?.value ?? null;
}

/** A select cell may come back as its label, an {id, name} handle or a list of one. */
function label(v: JsonValue): string | null {
  if (typeof v === 'string') return v || null;
  if (Array.isArray(v)) return v.length ? label(v[0]!) : null;
  if (v && typeof v === 'object' && typeof v['name'] === 'string') return v['name'];
  return null;
}

/** The row as SOAR answered it, behind each parsed row: a write starts from it, saving a read. */
const answered = new WeakMap<DistributionRow, TableRow>();

/** A row read with handle_format=names (cells by API name, the status as its label). */
function parseRow(row: TableRow): DistributionRow | null {
  const brand = cell(row, COLUMN.brand.name);
  if (typeof brand !== 'string' || brand === '') return null;
  const remote = cell(row, COLUMN.remoteIncidentId.name);
  const last = cell(row, COLUMN.lastUpdate.name);
  const message = cell(row, COLUMN.message.name);
  const parsed: DistributionRow = {
    rowId: row.id,
    brand,
    readOnly: cell(row, COLUMN.readOnly.name) === true,
    distribute: cell(row, COLUMN.distribute.name) === true,
    status: label(cell(row, COLUMN.status.name)) as DistributionStatus | null,
    remoteIncidentId: remote === null ? null : String(remote),
    lastUpdate: typeof last === 'number' ? last : null,
    message: typeof message === 'string' ? message : null,
  };
  answered.set(parsed, row);
  return parsed;
}

export async function readDistributionRows(soar: SoarClient, incidentId: number, signal?: AbortSignal): Promise<DistributionRow[]> {
  const data = await soar.getTableData(incidentId, TABLE, signal ? { signal } : {});
  return data.rows.map(parseRow).filter((r): r is DistributionRow => r !== null);
}

/**
 * Adds a row for `brand`, flags left unset (not false): a value set on creation counts as
 * "changed" for the table-changed rule, which must fire only when an analyst flips a flag.
 */
export async function addDistributionRow(soar: SoarClient, incidentId: number, brand: string, signal?: AbortSignal): Promise<void> {
  await soar.addTableRow(incidentId, TABLE, { [COLUMN.brand.name]: brand }, signal ? { signal } : {});
}

/**
 * Writes the node's columns of one row, stamping last_update; the flags keep their values. The
 * row as read is the starting point (a row changed since costs a 409 and a fresh read).
 *
 * `recheck`: the write is a transition decided on the row as read, so when another writer (the
 * other node of a two-node region, a report arriving) changed the row meanwhile, it is decided
 * again on the fresh row: `recheck` answers the update to write instead, or null to write
 * nothing. Without it the update is written as it is. Answers whether it was written.
 */
export async function updateDistributionRow(
  soar: SoarClient,
  incidentId: number,
  row: DistributionRow,
  update: RowUpdate,
  now = Date.now(),
  signal?: AbortSignal,
  recheck?: (fresh: DistributionRow) => RowUpdate | null,
): Promise<boolean> {
  const cellsOf = (u: RowUpdate): Record<string, JsonValue> => {
    const cells: Record<string, JsonValue> = { [COLUMN.lastUpdate.name]: now };
    if (u.status !== undefined) cells[COLUMN.status.name] = u.status;
    if (u.remoteIncidentId !== undefined) cells[COLUMN.remoteIncidentId.name] = u.remoteIncidentId;
    if (u.message !== undefined) cells[COLUMN.message.name] = u.message;
    return cells;
  };
  const current = answered.get(row);
  let first = current !== undefined;
  let status = update.status;
  const written = await soar.updateTableRowIf(incidentId, TABLE, row.rowId, (read) => {
    if (first || recheck === undefined) {
      first = false;
      return cellsOf(update);
    }
    const fresh = parseRow(read);
    const again = fresh === null ? null : recheck(fresh);
    status = again?.status;
    return again === null ? null : cellsOf(again);
  }, { ...(signal ? { signal } : {}), ...(current ? { current } : {}) });
  if (written !== null && status !== undefined) soar.metrics?.distributionRow(status);
  return written !== null;
}
