/**
 * clearing_share_incident: makes the `read_only` flags of the distribution table effective (rule
 * "Clearing: distribution table changed", menu item "Clearing: share now").
 *
 * 1. The incident field `clearing_shared_with` becomes the brands whose row has `read_only` set,
 *    in the format `,soar3,soar4,` (sorted ids, each followed by a comma, a leading comma; empty
 *    when shared with nobody): the marker `,<brand>,` occurs in it exactly when the brand is
 *    listed, so SOAR's `contains` filter finds exactly the incidents shared with one brand (see
 *    src/clearing/shared-view.ts, which reads it). The incident is written only when the value
 *    changes. This field is what the shared view obeys: once written, the share (or its
 *    revocation) is in force.
 * 2. Then the rows: a flagged row whose status is empty or Informational gets Informational and
 *    a message; a row whose flag is cleared and whose status is Informational gets its status
 *    cleared and the message "no longer shared" (revoked). Rows with a status of the distribute
 *    flow (Pending, Acknowledged, ...) keep it, whatever their flag: the share still applies.
 *    The flags themselves are never written.
 *
 * Result: `{shared_with, revoked, unchanged}`: the brands shared with now, the brands whose
 * share this run withdrew (from the field or from an Informational row), and whether nothing
 * at all was written.
 */
import { INCIDENT_FIELD } from '../customize/fields.js';
import { transition } from '../src/clearing/distribution-status.js';
import { readDistributionRows, updateDistributionRow, type DistributionRow } from '../src/clearing/distribution-table.js';
import { formatSharedWith, isBrandId, parseSharedWith } from '../src/clearing/shared-view.js';
import { defineFunction, incidentOnlyInputs } from './define.js';

const REVOKED_MESSAGE = 'no longer shared';

function sharedMessage(brand: string, known: boolean): string {
  return known
    ? `shared read-only: users of ${brand} can view the whitelisted fields`
    : `shared read-only, but brand '${brand}' is not part of the clearing network: nobody can view it until it joins`;
}

export default defineFunction<{ incident_id: number }, {
  shared_with: string[];
  revoked: string[];
  unchanged: boolean;
}>({
  name: 'clearing_share_incident',
  displayName: 'Clearing: Share Incident',
  description: 'Shares the incident read-only with every brand whose distribution row has "Share read-only" set, and withdraws it from the others.',
  inputSchema: incidentOnlyInputs,
  async handler({ incident_id: incidentId }, ctx) {
    const own = ctx.invocation.brand;
    const known = new Set(ctx.network.brands);
    const rows = await readDistributionRows(ctx.soar, incidentId, ctx.signal);
    // A row for the incident's own brand, or whose brand is no brand id, shares nothing.
    const shares = (row: DistributionRow): boolean => row.readOnly && row.brand !== own && isBrandId(row.brand);
    const sharedWith = [...new Set(rows.filter(shares).map((r) => r.brand))].sort();
    const value = formatSharedWith(sharedWith);

    // 1. The field, when it changes.
    let previous: string[] = [];
    const written = await ctx.soar.updateIncident(incidentId, (incident) => {
      const props = incident.properties ?? {};
      const current = props[INCIDENT_FIELD.sharedWith.name] ?? null;
      previous = parseSharedWith(current);
      if (current === value || (value === null && current === '')) return null;
      return { ...incident, properties: { ...props, [INCIDENT_FIELD.sharedWith.name]: value } };
    }, { signal: ctx.signal });

    // 2. The rows' status and message.
    const revoked = new Set(previous.filter((b) => !sharedWith.includes(b)));
    let rowsWritten = 0;
    for (const row of rows) {
      const shared = shares(row);
      const next = transition(row.status, { kind: shared ? 'shared' : 'unshared' });
      if (next.kind === 'keep') continue; // a status of the distribute flow, or nothing to withdraw
      const message = shared ? sharedMessage(row.brand, known.has(row.brand)) : REVOKED_MESSAGE;
      if (next.status === row.status && row.message === message) continue;
      await updateDistributionRow(ctx.soar, incidentId, row, { status: next.status, message }, Date.now(), ctx.signal);
      rowsWritten += 1;
      if (!shared && !sharedWith.includes(row.brand)) revoked.add(row.brand);
    }

    const unchanged = written === null && rowsWritten === 0;
    const revokedList = [...revoked].sort();
    await ctx.status(
      unchanged
        ? `shares unchanged (${sharedWith.length ? sharedWith.join(', ') : 'shared with nobody'})`
        : `shared with: ${sharedWith.length ? sharedWith.join(', ') : 'nobody'}${revokedList.length ? `; revoked: ${revokedList.join(', ')}` : ''}`,
    );
    return { shared_with: sharedWith, revoked: revokedList, unchanged };
  },
});
