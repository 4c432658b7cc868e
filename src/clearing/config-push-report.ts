/** A push report in words: lines for the CLI, and the HTML of the incident note the function writes. */
import type { BrandPushResult } from './contracts/config-push.js';
import type { PushReport } from './config-push.js';
import { escapeText } from '../core/escape-html.js';

/** At most this many object names are listed per brand and list. */
const MAX_LISTED = 20;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(', ');
  return names.length > MAX_LISTED ? `${shown}, ... (${names.length} in all)` : shown;
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

export function objectSummary(objects: Readonly<Record<string, number>>): string {
  return Object.entries(objects).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';
}

/** One brand's result as lines (the first names the brand). */
export function brandLines(r: BrandPushResult): string[] {
  const head = `${r.brand} (node ${r.node}): ${r.outcome}${r.import_id !== null ? ` (import ${r.import_id})` : ''}${r.reason ? `: ${r.reason}` : ''}`;
  const lines = [head];
  if (r.outcome !== 'failed' || r.added.length + r.changed.length > 0) {
    const verb = r.outcome === 'dry_run' ? 'would add' : 'added';
    if (r.added.length) lines.push(`  ${verb} ${r.added.length}: ${listed(r.added)}`);
    if (r.changed.length) lines.push(`  ${r.outcome === 'dry_run' ? 'would change' : 'changed'} ${r.changed.length}: ${listed(r.changed)}`);
    if (r.unchanged) lines.push(`  unchanged: ${r.unchanged}`);
  }
  for (const m of r.messages) lines.push(`  SOAR: ${m}`);
  return lines;
}

export function reportLines(report: PushReport): string[] {
  const lines = [
    `configuration push ${report.push_id}${report.dry_run ? ' (dry run: nothing changed)' : ''}: ${report.ok ? 'ok' : 'FAILED for some brands'}`,
    `reason: ${report.reason}`,
    `from brand ${report.reference_brand} on ${report.primary}: ${objectSummary(report.objects)}; ${report.stripped} user/API key reference(s) removed`,
    `sent ${mib(report.json_bytes)} as ${mib(report.bytes)} gzipped in ${report.chunks} chunk(s), ${report.duration_ms} ms`,
  ];
  for (const node of report.nodes) {
    if (node.error) lines.push(`node ${node.node}: FAILED: ${node.error}`);
    else for (const b of node.brands) lines.push(...brandLines(b));
  }
  return lines;
}

/** The incident note: a heading, the push's facts, a list of brands. */
export function reportNoteHtml(report: PushReport): string {
  const e = escapeText;
  const brands = report.nodes.flatMap((n) => n.brands);
  const items = brands.map((b) => {
    const [head, ...rest] = brandLines(b);
    return `<li><b>${e(head ?? '')}</b>${rest.length ? `<br>${rest.map((l) => e(l.trim())).join('<br>')}` : ''}</li>`;
  });
  return (
    `<p><b>Configuration push ${e(report.push_id)}${report.dry_run ? ' (dry run)' : ''}: ${report.ok ? 'ok' : 'failed for some brands'}</b></p>` +
    `<p>Reason: ${e(report.reason)}<br>From brand ${e(report.reference_brand)} (node ${e(report.primary)}): ${e(objectSummary(report.objects))}<br>` +
    `${e(mib(report.json_bytes))} in ${report.chunks} chunk(s), ${report.duration_ms} ms</p>` +
    `<ul>${items.join('')}</ul>`
  );
}
