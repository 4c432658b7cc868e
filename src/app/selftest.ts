/**
 * `soar-clearing selftest`: is this node able to work with each brand's SOAR?
 * Checks, in order, each one only when the one before passed: REST login and org, STOMP
 * connect and subscribe, the customization present in SOAR, then each function's own check.
 * Then the configured certificates: a warning for one expiring within CERT_WARN_DAYS, a failure
 * for one expired or unreadable.
 */
import type { FunctionDefinition } from '../worker/function.js';
import type { BrandConfig } from '../config/types.js';
import type { CertificateExpiry } from '../config/cert-expiry.js';
import { ClearingError } from '../core/errors.js';
import { SoarClient } from '../soar/client.js';
import type { FunctionDef, MessageDestination } from '../soar/dto.js';
import type { Logger } from '../core/types.js';
import { StompConnection } from '../worker/connection.js';

/** What must exist in SOAR for the app to work; from customize/ (the same source as export.res). */
export interface ExpectedCustomization {
  readonly destination: string;
  readonly functions: readonly { readonly name: string }[];
  readonly datatables: readonly string[];
  readonly incidentFields: readonly string[];
  readonly rules: readonly { readonly name: string }[];
}

const CheckName = {
  Rest: 'REST login and org',
  Stomp: 'STOMP connect and subscribe',
  Customization: 'customization installed',
} as const;

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface BrandSelftest {
  readonly brand: string;
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
}

/** Exit codes by the first kind of failure, so scripts can tell what to fix. */
export const SelftestExit = { Ok: 0, Rest: 10, Stomp: 11, Customization: 12, Function: 13, Certificate: 14 } as const;

export function exitCodeOf(results: readonly BrandSelftest[], certificates: readonly CertificateExpiry[] = []): number {
  const failed = results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => c.name));
  if (failed.length === 0) return certificates.some((c) => c.failed) ? SelftestExit.Certificate : SelftestExit.Ok;
  if (failed.includes(CheckName.Rest)) return SelftestExit.Rest;
  if (failed.includes(CheckName.Stomp)) return SelftestExit.Stomp;
  if (failed.includes(CheckName.Customization)) return SelftestExit.Customization;
  return SelftestExit.Function;
}

async function checkStomp(brand: BrandConfig, destinations: readonly string[], log: Logger): Promise<CheckResult> {
  let connected!: () => void;
  const up = new Promise<void>((resolve) => (connected = resolve));
  const connection = new StompConnection(brand.stomp, log, { onConnected: () => connected(), onDisconnected: () => undefined });
  const url = `${brand.stomp.tls ? 'stomp+ssl' : 'stomp'}://${brand.stomp.host}:${brand.stomp.port}`;
  connection.start();
  try {
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), brand.stomp.connect_timeout_ms + 1000).unref());
    if ((await Promise.race([up, timeout])) === 'timeout') {
      return { name: CheckName.Stomp, ok: false, detail: `${url}: ${connection.lastFailure ?? 'no answer'}` };
    }
    for (const d of destinations) await connection.probeSubscription(d);
    return { name: CheckName.Stomp, ok: true, detail: `${url}, subscribed ${destinations.join(', ')}` };
  } catch (err) {
    return { name: CheckName.Stomp, ok: false, detail: `${url}: ${(err as Error).message}` };
  } finally {
    await connection.stop();
  }
}

async function checkCustomization(soar: SoarClient, expected: ExpectedCustomization): Promise<CheckResult> {
  const [functions, destinations, types, fields, rules] = await Promise.all([
    soar.listFunctions(),
    soar.listMessageDestinations(),
    soar.get<Record<string, { type_id?: number }>>('/types'),
    soar.listIncidentFields(),
    soar.get<{ entities: Array<{ name: string }> }>('/actions'),
  ]);
  const has = (list: readonly { name?: string; programmatic_name?: string }[], name: string): boolean =>
    list.some((o) => o.name === name || o.programmatic_name === name);
  const missing = [
    ...(has(destinations as MessageDestination[], expected.destination) ? [] : [`message destination ${expected.destination}`]),
    ...expected.functions.filter((f) => !has(functions as FunctionDef[], f.name)).map((f) => `function ${f.name}`),
    ...expected.datatables.filter((t) => types[t]?.type_id !== 8).map((t) => `datatable ${t}`),
    ...expected.incidentFields.filter((f) => !has(fields, f)).map((f) => `incident field ${f}`),
    ...expected.rules.filter((r) => !has(rules.entities, r.name)).map((r) => `rule '${r.name}'`),
  ];
  const total = 1 + expected.functions.length + expected.datatables.length + expected.incidentFields.length + expected.rules.length;
  if (missing.length === total) {
    return { name: CheckName.Customization, ok: false, detail: `none of the ${total} definitions is in SOAR; run 'soar-clearing customize'` };
  }
  if (missing.length > 0) {
    return { name: CheckName.Customization, ok: false, detail: `missing: ${missing.join(', ')}; run 'soar-clearing customize'` };
  }
  return {
    name: CheckName.Customization,
    ok: true,
    detail: `${expected.functions.length} functions, ${expected.rules.length} rules, ${expected.datatables.length} datatable(s), destination ${expected.destination}`,
  };
}

export async function selftestBrand(
  brand: BrandConfig,
  expected: ExpectedCustomization,
  functions: readonly FunctionDefinition[],
  log: Logger,
): Promise<BrandSelftest> {
  const checks: CheckResult[] = [];
  const done = (): BrandSelftest => ({ brand: brand.id, checks, ok: checks.every((c) => c.ok) });
  let soar: SoarClient;
  try {
    soar = await SoarClient.connect(brand.soar, { logger: log });
    const version = await soar.getServerVersion().then((v) => v.version, () => 'unknown');
    checks.push({
      name: CheckName.Rest,
      ok: true,
      detail: `${soar.identity.kind === 'api_key' ? 'API key' : 'user'} ${soar.identity.principal}, org '${soar.org.name}' (${soar.orgId}), SOAR ${version}`,
    });
  } catch (err) {
    checks.push({ name: CheckName.Rest, ok: false, detail: ClearingError.from(err).message });
    return done();
  }
  try {
    checks.push(await checkStomp(brand, brand.destinations.map((d) => `actions.${soar.orgId}.${d}`), log));
    if (!checks.at(-1)!.ok) return done();
    checks.push(await checkCustomization(soar, expected).catch((err: unknown) =>
      ({ name: CheckName.Customization, ok: false, detail: ClearingError.from(err).message })));
    if (!checks.at(-1)!.ok) return done();
    for (const fn of functions) {
      if (!fn.selftest) continue;
      const outcome = await fn.selftest(soar).catch((err: unknown) => ({ ok: false, detail: ClearingError.from(err).message }));
      checks.push({ name: `${fn.name} selftest`, ...outcome });
    }
    return done();
  } finally {
    await soar.close();
  }
}

/** The certificates' part of the report: one line per file, ok, WARN (expires soon) or FAIL. */
export function formatCertificates(certificates: readonly CertificateExpiry[]): string {
  if (certificates.length === 0) return '';
  const width = Math.max(...certificates.map((c) => c.name.length));
  const lines = certificates.map((c) => {
    const mark = c.failed ? 'FAIL' : c.warning !== null ? 'WARN' : 'ok  ';
    const detail = c.warning ?? `${c.days_left} days left (until ${c.not_after})`;
    return `  ${mark}  ${c.name.padEnd(width)}  ${detail}`;
  });
  return `certificates: ${certificates.some((c) => c.failed) ? 'FAILED' : certificates.some((c) => c.warning !== null) ? 'renew soon' : 'ok'}\n${lines.join('\n')}\n`;
}

/** The readable report: one line per check, ok or FAIL, with what it found. */
export function formatSelftest(results: readonly BrandSelftest[]): string {
  const width = Math.max(...results.flatMap((r) => r.checks.map((c) => c.name.length)), 10);
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`brand ${r.brand}: ${r.ok ? 'ok' : 'FAILED'}`);
    for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
