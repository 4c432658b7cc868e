/**
 * Certificate expiry (issue 15): certificates made by openssl with a few days left, checked at
 * `now` and later; the warning 30 days ahead, expired and unreadable files, a CA bundle, the
 * files a configuration names; and what selftest and the health answers make of it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { liveness, readiness } from '../../src/app/health.js';
import { exitCodeOf, formatCertificates, SelftestExit } from '../../src/app/selftest.js';
import { ClearingNetwork } from '../../src/clearing/network.js';
import { CERT_WARN_DAYS, certificateExpiry, certificatesExpiry } from '../../src/config/cert-expiry.js';
import { parseConfig } from '../../src/config/index.js';
import { collectingLogger } from '../support/loggers.js';
import { makeCaPki, makeNodeCert } from '../support/certs.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'sc-cert-expiry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate valid `days` days from now, CN=`cn`; its path. */
function cert(cn: string, days: number): string {
  const path = join(dir, `${cn}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, `${cn}.key`), '-out', path, '-days', String(days), '-subj', `/CN=${cn}`], { stdio: 'ignore' });
  return path;
}

const longLived = cert('long-lived', 400);
const expiring = cert('expiring', 10);

describe('certificateExpiry', () => {
  test('a certificate far from its end: days left, no warning', () => {
    const c = certificateExpiry('node.tls.cert', longLived);
    assert.ok(c.days_left === 399 || c.days_left === 400, String(c.days_left));
    assert.equal(c.warning, null);
    assert.equal(c.failed, false);
    assert.equal(c.subject, 'CN=long-lived');
    assert.ok(Math.abs(Date.parse(c.not_after!) - (Date.now() + 400 * DAY)) < 60_000, c.not_after!);
  });

  test(`within ${CERT_WARN_DAYS} days: a warning naming the key, the file and the date`, () => {
    const c = certificateExpiry('brands.eu.soar.cafile', expiring);
    assert.equal(c.failed, false);
    assert.ok(c.days_left === 9 || c.days_left === 10);
    assert.match(c.warning!, new RegExp(`^brands\\.eu\\.soar\\.cafile \\(${expiring}\\) expires in (9|10) day\\(s\\), on \\d{4}-\\d\\d-\\d\\dT.*\\(CN=expiring\\): renew it$`));
    // 31 days ahead of a 400-day certificate's end: warned; 29 days: warned; 40: not.
    assert.match(certificateExpiry('x', longLived, Date.now() + 371 * DAY).warning ?? '', /expires in 2[89] day/);
    assert.equal(certificateExpiry('x', longLived, Date.now() + 360 * DAY).warning, null);
  });

  test('expired: failed, with the date it ended', () => {
    const c = certificateExpiry('node.tls.cert', expiring, Date.now() + 20 * DAY);
    assert.equal(c.failed, true);
    assert.ok(c.days_left! < 0);
    assert.match(c.warning!, /^node\.tls\.cert \(.*\) expired on \d{4}-/);
  });

  test('a CA bundle: the first certificate to expire counts', () => {
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, readFileSync(longLived, 'utf8') + readFileSync(expiring, 'utf8'));
    const c = certificateExpiry('brands.eu.stomp.cafile', bundle);
    assert.equal(c.subject, 'CN=expiring');
    assert.ok(c.warning !== null);
  });

  test('missing, empty or broken files fail with why', () => {
    assert.match(certificateExpiry('k', join(dir, 'nope.pem')).warning!, /cannot read the file \(ENOENT\)/);
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate\n');
    assert.match(certificateExpiry('k', empty).warning!, /holds no certificate/);
    const broken = join(dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n');
    const c = certificateExpiry('k', broken);
    assert.equal(c.failed, true);
    assert.match(c.warning!, /not a valid certificate/);
  });
});

describe('the configured certificates', () => {
  const pki = makeCaPki(join(dir, 'pki'));
  const node = makeNodeCert(pki, 'eu');
  const yaml = `
node:
  id: eu
  tls: { cert: ${node.cert}, key: ${node.key}, ca: ${pki.caCert} }
brands:
  soar2:
    soar: { host: h, org: o, api_key_id: k, api_key_secret: s, cafile: ${expiring} }
    stomp: { cafile: ${longLived} }
  soar9:
    soar: { host: h, org: o, api_key_id: k, api_key_secret: s }
    stomp: { tls: false }
`;
  const config = parseConfig(yaml, { source: join(dir, 'app.config.yaml'), env: {} });

  test('each file a key names: node certificate and CA, each brand\'s SOAR and STOMP CA files', () => {
    const certs = certificatesExpiry(config);
    assert.deepEqual(certs.map((c) => [c.name, c.path]), [
      ['node.tls.cert', node.cert],
      ['node.tls.ca', pki.caCert],
      ['brands.soar2.soar.cafile', expiring],
      ['brands.soar2.stomp.cafile', longLived],
    ]);
    assert.deepEqual(certs.map((c) => c.warning !== null), [false, false, true, false]);
  });

  test('selftest: one line per file, WARN for the expiring one; exit 14 only once one expired', () => {
    const now = certificatesExpiry(config);
    const text = formatCertificates(now);
    assert.match(text, /^certificates: renew soon\n/);
    assert.match(text, /\n {2}WARN {2}brands\.soar2\.soar\.cafile {3}brands\.soar2\.soar\.cafile \(.*\) expires in/);
    assert.match(text, /\n {2}ok {4}node\.tls\.cert {14}\d+ days left \(until /);
    assert.equal(exitCodeOf([], now), SelftestExit.Ok);
    const later = certificatesExpiry(config, Date.now() + 20 * DAY);
    assert.match(formatCertificates(later), /^certificates: FAILED\n {2}ok .*\n {2}ok .*\n {2}FAIL {2}brands\.soar2\.soar\.cafile .* expired on/);
    assert.equal(exitCodeOf([], later), SelftestExit.Certificate);
    assert.equal(exitCodeOf([{ brand: 'soar2', ok: false, checks: [{ name: 'REST login and org', ok: false, detail: 'x' }] }], later), SelftestExit.Rest);
  });

  test('/healthz warns; /readyz warns, and an expired certificate makes the node unready', async () => {
    const source = {
      config, state: 'running', startedAt: Date.now() - 5000,
      network: new ClearingNetwork({ ...config, network: null }, collectingLogger().logger),
      brandParts: () => [],
    };
    const live = liveness(source);
    assert.equal(live.alive, true);
    assert.equal(live.uptime_s, 5);
    assert.equal(live.warnings.length, 1);
    assert.match(live.warnings[0]!, /^brands\.soar2\.soar\.cafile .* expires in/);
    const ready = await readiness(source);
    assert.equal(ready.ready, true, ready.problems.join('; '));
    assert.equal(ready.warnings.length, 1);
    const expired = await readiness(source, Date.now() + 20 * DAY);
    assert.equal(expired.ready, false);
    assert.match(expired.problems.join('\n'), /brands\.soar2\.soar\.cafile .* expired on/);
    assert.match(liveness(source, Date.now() + 20 * DAY).warnings[0]!, /expired on/, 'alive all the same, with the reason');
  });
});
