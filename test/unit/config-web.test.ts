import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeConfig, parseConfig, secretsOf } from '../../src/config/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { makeCaPki, makeNodeCert } from '../support/certs.js';

const root = mkdtempSync(join(tmpdir(), 'soar-clearing-config-web-'));
after(() => rmSync(root, { recursive: true, force: true }));
const pki = makeCaPki(join(root, 'pki'));
const cert = makeNodeCert(pki, 'us');

const BASE = `node:
  id: us
  listen: { host: 127.0.0.1, port: 8443 }
  tls: { cert: "${cert.cert}", key: "${cert.key}", ca: "${pki.caCert}" }
brand_id: soar3
soar: { host: h, org: o, api_key_id: k, api_key_secret: s }
`;

function parse(yaml: string, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(yaml, { source: join(root, 'app.config.yaml'), env });
}

function problems(yaml: string): string[] {
  try {
    parse(yaml);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  assert.fail('expected the config to be refused');
}

describe('config: web:', () => {
  test('absent: no web UI', () => {
    assert.equal(parse(BASE).web, null);
  });

  test('defaults filled; the session secret comes from the environment, shown as *** and scrubbed', () => {
    const cfg = parse(`${BASE}web:\n  session_secret: \${WEB_SECRET}\n  allowed_groups: [analysts]\n`, { WEB_SECRET: 'z'.repeat(40) });
    assert.deepEqual(cfg.web, {
      listen: { host: '0.0.0.0', port: 8444 },
      session_secret: 'z'.repeat(40),
      idle_timeout_ms: 30 * 60_000,
      session_max_ms: 12 * 3_600_000,
      origin: null,
      allowed_groups: ['analysts'],
      allowed_roles: [],
      login_throttle: { max_failures: 5, window_ms: 300_000 },
    });
    const shown = describeConfig(cfg)['web'] as Record<string, unknown>;
    assert.equal(shown['session_secret'], '***');
    assert.ok(!JSON.stringify(describeConfig(cfg)).includes('z'.repeat(40)));
    assert.ok(secretsOf(cfg).includes('z'.repeat(40)));
  });

  test('without a secret: null (a random one per process)', () => {
    const cfg = parse(`${BASE}web: { allowed_roles: [1001], idle_timeout_minutes: 5, login_throttle: { max_failures: 3, window_s: 60 } }\n`);
    assert.equal(cfg.web?.session_secret, null);
    assert.equal(cfg.web?.idle_timeout_ms, 300_000);
    assert.deepEqual(cfg.web?.login_throttle, { max_failures: 3, window_ms: 60_000 });
    assert.equal(describeConfig(cfg)['web'] && (describeConfig(cfg)['web'] as Record<string, unknown>)['session_secret'], null);
  });

  test('origin and absolute session lifetime: given, or checked', () => {
    const cfg = parse(`${BASE}web: { allowed_groups: [a], origin: "https://clearing.example.com:8444", session_max_hours: 8 }\n`);
    assert.equal(cfg.web?.origin, 'https://clearing.example.com:8444');
    assert.equal(cfg.web?.session_max_ms, 8 * 3_600_000);
    for (const bad of ['origin: "http://clearing.example.com"', 'origin: "https://x/path"', 'session_max_hours: 0', 'session_max_hours: 1000']) {
      const found = problems(`${BASE}web: { allowed_groups: [a], ${bad} }\n`);
      assert.ok(found.some((p) => p.startsWith(`web.${bad.split(':')[0]}:`)), `${bad}: ${found.join('; ')}`);
    }
  });

  test('refused: nobody allowed, the peer port, a short secret, an unknown key, no certificate', () => {
    assert.deepEqual(problems(`${BASE}web: { listen: { port: 8443 }, session_secret: short, colour: red }\n`).sort(), [
      'web.allowed_groups: give allowed_groups or allowed_roles (the SOAR groups or roles whose users may sign in)',
      'web.colour: unknown key',
      'web.listen.port: must differ from node.listen.port (the peer API asks for client certificates, the web UI does not)',
      'web.session_secret: must have at least 32 characters',
    ].sort());
    const noTls = `node: { id: us }\nbrand_id: soar3\nsoar: { host: h, org: o, api_key_id: k, api_key_secret: s }\nweb: { allowed_groups: [a] }\n`;
    assert.ok(problems(noTls).some((p) => p.startsWith('node.tls: required with web:')));
  });

  test('allowed_roles are role ids: "1001" is read as 1001, a role name is refused saying what to write', () => {
    assert.deepEqual(parse(`${BASE}web: { allowed_roles: [1001, "1013"] }\n`).web?.allowed_roles, [1001, 1013]);
    const refused = problems(`${BASE}web: { allowed_groups: [analysts], allowed_roles: [1001, incident_responder] }\n`);
    assert.equal(refused.length, 1, refused.join('\n'));
    assert.match(refused[0]!, /^web\.allowed_roles\[1\]: 'incident_responder' is a role name, but SOAR tells which roles a signed-in user has only as numeric role ids .*list role ids \(e\.g\. 1001.*or use allowed_groups/);
    assert.deepEqual(problems(`${BASE}web: { allowed_roles: [0] }\n`), ['web.allowed_roles[0]: must be a role id (a whole number >= 1)']);
  });
});
