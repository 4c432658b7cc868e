import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type AppConfig,
  brandOwner,
  configSchema,
  describeConfig,
  expandEnv,
  loadConfig,
  networkBrands,
  parseConfig,
  resolveConfigPath,
  secretsOf,
} from '../../src/config/index.js';
import { ALL_CONFIG_KINDS } from '../../src/config/config-kinds.js';
import { DEFAULT_WHITELIST } from '../../src/config/whitelist.js';
import { ConfigError, ErrorCode } from '../../src/core/errors.js';
import { DEFAULT_TRIAGE } from '../../src/config/triage.js';
import { makeCaPki, makeNodeCert } from '../support/certs.js';

const root = mkdtempSync(join(tmpdir(), 'soar-clearing-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh directory holding the given files; returns its path. */
function dir(files: Record<string, string> = {}): string {
  const d = join(root, `d${++dirCount}`);
  mkdirSync(d, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const path = join(d, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return d;
}

/** network.config_push when not given. */
const DEFAULT_CONFIG_PUSH = { reference_brand: null, kinds: ALL_CONFIG_KINDS, tags: [], name_prefixes: [], schedule_ms: 0 };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const MINIMAL = `
node: { id: eu-1 }
soar:
  host: soar.example.com
  org: Example Org
  api_key_id: key-id
  api_key_secret: key-secret
`;

/** Loads `yaml` written as app.config.yaml in a fresh directory. */
function load(yaml: string, env: NodeJS.ProcessEnv = {}, extraFiles: Record<string, string> = {}): AppConfig {
  const d = dir({ 'app.config.yaml': yaml, ...extraFiles });
  return loadConfig({ cwd: d, env });
}

/** The problems a failing load reports (asserting it fails with a ConfigError). */
function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}, extraFiles: Record<string, string> = {}): readonly string[] {
  try {
    load(yaml, env, extraFiles);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, ErrorCode.ConfigInvalid);
    return err.problems;
  }
  assert.fail('expected the configuration to be rejected');
}

function assertProblems(actual: readonly string[], expected: readonly string[]): void {
  for (const line of expected) assert.ok(actual.includes(line), `missing problem "${line}" in:\n  ${actual.join('\n  ')}`);
}

describe('loadConfig: valid files', () => {
  test('a minimal file gets every default', () => {
    const d = dir({ 'app.config.yaml': MINIMAL });
    const cfg = loadConfig({ cwd: d, env: {} });
    assert.deepEqual(cfg, {
      source: join(d, 'app.config.yaml'),
      node: { id: 'eu-1', listen: null, tls: null },
      network: null,
      web: null,
      admin: null,
      whitelist: DEFAULT_WHITELIST,
      brands: [
        {
          id: 'default',
          soar: {
            host: 'soar.example.com',
            port: 443,
            org: 'Example Org',
            auth: { kind: 'api_key', api_key_id: 'key-id', api_key_secret: 'key-secret' },
            tls: { verify: true, cafile: null },
            resource_prefix: '',
            timeout_ms: 30_000,
            retry: { retries: 3, backoff_ms: 1000, max_backoff_ms: 30_000 },
            proxy: null,
          },
          stomp: {
            host: 'soar.example.com',
            port: 65001,
            tls: true,
            trust: { verify: true, cafile: null },
            login: 'key-id',
            passcode: 'key-secret',
            heartbeat_in_ms: 15_000,
            heartbeat_out_ms: 0,
            connect_timeout_ms: 30_000,
            reconnect: { initial_ms: 1000, max_ms: 60_000 },
          },
          destinations: ['fn_clearing'],
          whitelist: DEFAULT_WHITELIST,
        },
      ],
      worker: { concurrency: 10, shutdown_grace_ms: 30_000, dedupe_size: 10_000, function_timeout_ms: 0, exit_after_broker_down_ms: 0 },
      logging: { level: 'info', format: 'auto', file: null, max_size_bytes: 100 * 1024 * 1024, max_files: 5 },
      triage: DEFAULT_TRIAGE,
    });
  });

  test('every key given, seconds become milliseconds', () => {
    const cfg = load(`
node: { id: n1 }
brand_id: soar2
soar:
  host: 10.0.0.5
  port: 8443
  org: "201"
  email: clearing@example.com
  password: pw-secret
  verify: false
  resource_prefix: soar/
  timeout_s: 2.5
  retries: 0
  retry_backoff_s: 0.25
  retry_max_backoff_s: 4
  proxy: http://proxy.example.com:3128
stomp:
  host: broker.example.com
  port: 61613
  tls: false
  heartbeat_s: 0
  heartbeat_out_s: 5
  connect_timeout_s: 3
  reconnect_initial_s: 0.5
  reconnect_max_s: 10
destinations: [fn_a, fn_b]
worker: { concurrency: 3, shutdown_grace_s: 1.5, dedupe_size: 50, function_timeout_s: 120, exit_after_broker_down_s: 90 }
logging: { level: debug, format: json, max_size_mb: 10, max_files: 3 }
`);
    const [brand] = cfg.brands;
    assert.ok(brand);
    assert.equal(brand.id, 'soar2');
    assert.deepEqual(brand.soar.auth, { kind: 'password', email: 'clearing@example.com', password: 'pw-secret' });
    assert.deepEqual(brand.soar.tls, { verify: false, cafile: null });
    assert.equal(brand.soar.port, 8443);
    assert.equal(brand.soar.org, '201');
    assert.equal(brand.soar.resource_prefix, '/soar');
    assert.equal(brand.soar.timeout_ms, 2500);
    assert.deepEqual(brand.soar.retry, { retries: 0, backoff_ms: 250, max_backoff_ms: 4000 });
    assert.equal(brand.soar.proxy, 'http://proxy.example.com:3128');
    assert.deepEqual(brand.stomp, {
      host: 'broker.example.com',
      port: 61613,
      tls: false,
      trust: { verify: false, cafile: null },
      login: 'clearing@example.com',
      passcode: 'pw-secret',
      heartbeat_in_ms: 0,
      heartbeat_out_ms: 5000,
      connect_timeout_ms: 3000,
      reconnect: { initial_ms: 500, max_ms: 10_000 },
    });
    assert.deepEqual(brand.destinations, ['fn_a', 'fn_b']);
    assert.deepEqual(cfg.worker, { concurrency: 3, shutdown_grace_ms: 1500, dedupe_size: 50, function_timeout_ms: 120_000, exit_after_broker_down_ms: 90_000 });
    assert.deepEqual(cfg.logging, { level: 'debug', format: 'json', file: null, max_size_bytes: 10 * 1024 * 1024, max_files: 3 });
  });

  test('full brands: form compiles to one brand per key, each with its own defaults', () => {
    const cfg = load(`
node: { id: hub }
brands:
  eu:
    soar: { host: soar-eu.example.com, org: EU, api_key_id: eu-id, api_key_secret: eu-secret }
  ch:
    soar: { host: soar-ch.example.com, org: CH, email: a@example.ch, password: ch-pass }
    stomp: { host: stomp-ch.example.com, port: 61614 }
    destinations: [fn_clearing, fn_other]
`);
    assert.deepEqual(cfg.brands.map((b) => b.id), ['eu', 'ch']);
    const [eu, ch] = cfg.brands;
    assert.ok(eu && ch);
    assert.equal(eu.stomp.host, 'soar-eu.example.com');
    assert.equal(eu.stomp.port, 65001);
    assert.equal(eu.stomp.login, 'eu-id');
    assert.deepEqual(eu.destinations, ['fn_clearing']);
    assert.equal(ch.stomp.host, 'stomp-ch.example.com');
    assert.equal(ch.stomp.port, 61614);
    assert.equal(ch.stomp.login, 'a@example.ch');
    assert.equal(ch.stomp.passcode, 'ch-pass');
    assert.deepEqual(ch.destinations, ['fn_clearing', 'fn_other']);
  });

  test('an empty key means "not given": the default applies', () => {
    const cfg = load(`${MINIMAL}
  port:
  proxy: ~
stomp:
worker:
  concurrency:
logging:
  file: null
`);
    assert.equal(cfg.brands[0]?.soar.port, 443);
    assert.equal(cfg.brands[0]?.soar.proxy, null);
    assert.equal(cfg.worker.concurrency, 10);
    assert.equal(cfg.logging.file, null);
  });

  test('values that look like numbers stay text where text is expected', () => {
    const cfg = load(`
node: { id: 7 }
soar: { host: soar.example.com, org: 0042, api_key_id: 1e3, api_key_secret: 0123 }
`);
    assert.equal(cfg.node.id, '7');
    assert.equal(cfg.brands[0]?.soar.org, '0042');
    assert.deepEqual(cfg.brands[0]?.soar.auth, { kind: 'api_key', api_key_id: '1e3', api_key_secret: '0123' });
  });

  test('the result is deeply frozen (mutation throws in strict mode)', () => {
    const cfg = load(MINIMAL);
    assert.ok(Object.isFrozen(cfg));
    assert.throws(() => {
      (cfg.worker as { concurrency: number }).concurrency = 99;
    }, TypeError);
    assert.throws(() => {
      (cfg.brands as BrandList).push(cfg.brands[0]);
    }, TypeError);
    // The brand is there: the TypeErrors below come from frozen objects, not from a missing brand.
    const brand = cfg.brands[0];
    assert.ok(brand !== undefined);
    assert.throws(() => {
      (brand.soar.retry as { retries: number }).retries = 9;
    }, TypeError);
    assert.throws(() => {
      (brand.destinations as string[])[0] = 'x';
    }, TypeError);
    assert.equal(cfg.worker.concurrency, 10);
  });
});

type BrandList = unknown[];

describe('loadConfig: ${ENV} substitution', () => {
  test('variables, defaults, escapes, and typed values from variables', () => {
    const cfg = load(
      `
node: { id: "\${NODE_ID:-eu-9}" }
soar:
  host: \${SOAR_HOST}
  port: \${SOAR_PORT}
  org: "Org \${EMPTY:-fallback} $\${LITERAL} \${SOAR_HOST}"
  api_key_id: \${KEY_ID}
  api_key_secret: \${KEY_SECRET}
  verify: \${VERIFY:-true}
  resource_prefix: "\${PREFIX:-}"
`,
      {
        SOAR_HOST: 'soar.example.com',
        SOAR_PORT: '8443',
        EMPTY: '',
        KEY_ID: 'id',
        KEY_SECRET: 'se:cr#et "quoted" ${NOT_EXPANDED}',
      },
    );
    const [brand] = cfg.brands;
    assert.ok(brand);
    assert.equal(cfg.node.id, 'eu-9');
    assert.equal(brand.soar.host, 'soar.example.com');
    assert.equal(brand.soar.port, 8443);
    assert.equal(brand.soar.org, 'Org fallback ${LITERAL} soar.example.com');
    assert.deepEqual(brand.soar.auth, { kind: 'api_key', api_key_id: 'id', api_key_secret: 'se:cr#et "quoted" ${NOT_EXPANDED}' });
    assert.equal(brand.soar.tls.verify, true);
    assert.equal(brand.soar.resource_prefix, '');
  });

  test('an unset variable is one problem naming path and variable (no follow-up "empty" problem)', () => {
    const problems = problemsOf(
      `
node: { id: eu-1 }
soar:
  host: soar.example.com
  org: o
  api_key_id: \${KEY_ID}
  api_key_secret: \${SOAR_API_KEY_SECRET}
stomp:
  port: \${STOMP_PORT}
`,
      { KEY_ID: 'id' },
    );
    assert.deepEqual(problems, [
      'soar.api_key_secret: environment variable SOAR_API_KEY_SECRET is not set',
      'stomp.port: environment variable STOMP_PORT is not set',
    ]);
  });

  test('a variable whose value has the wrong type is reported at its path', () => {
    assertProblems(problemsOf(`${MINIMAL}  port: \${P}\n`, { P: 'https' }), ['soar.port: must be a whole number']);
  });

  test('expandEnv edge cases', () => {
    const env = { A: 'a', E: '' };
    assert.deepEqual(expandEnv('x${A}y${A}z', env), { value: 'xayaz', errors: [] });
    assert.deepEqual(expandEnv('$A $$ $${A} ${E}', env), { value: '$A $$ ${A} ', errors: [] });
    assert.deepEqual(expandEnv('${E:-d} ${U:-} ${U:-a:-b}', env), { value: 'd  a:-b', errors: [] });
    assert.deepEqual(expandEnv('${A', env).errors, ['unterminated ${ (write $${ for a literal ${)']);
    assert.deepEqual(expandEnv('${1A}', env).errors, ['invalid reference ${1A}: expected ${NAME} or ${NAME:-default}']);
    assert.deepEqual(expandEnv('${U}', env).errors, ['environment variable U is not set']);
  });

  test('a reference syntax error is reported with its path', () => {
    assertProblems(problemsOf(`${MINIMAL}  proxy: "http://\${PROXY_HOST"\n`), [
      'soar.proxy: unterminated ${ (write $${ for a literal ${)',
    ]);
  });
});

describe('loadConfig: problems', () => {
  test('several problems are reported at once, each with its YAML path', () => {
    const problems = problemsOf(`
node: { id: hub }
brands:
  eu:
    soar: { org: EU, api_key_id: a, api_key_secret: b }
    stomp: { port: 70000 }
worker: { concurrency: 0 }
logging: { level: verbose, format: xml, max_size_mb: 0, max_files: 1.5 }
`);
    assert.deepEqual([...problems].sort(), [
      'brands.eu.soar.host: required',
      'brands.eu.stomp.port: must be <= 65535',
      'logging.format: must be one of text, json, auto',
      'logging.level: must be one of error, warn, info, debug',
      'logging.max_files: must be a whole number',
      'logging.max_size_mb: must be >= 1',
      'worker.concurrency: must be >= 1',
    ]);
  });

  test('the ConfigError message names the file and lists the problems', () => {
    const d = dir({ 'app.config.yaml': 'node: { id: eu-1 }\nsoar: { org: o, api_key_id: a, api_key_secret: b }\n' });
    assert.throws(
      () => loadConfig({ cwd: d, env: {} }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === ErrorCode.ConfigInvalid &&
        err.message === `${join(d, 'app.config.yaml')}:\n  soar.host: required` &&
        err.toReplyMessage().startsWith('[config_invalid] '),
    );
  });

  test('unknown keys are reported, with a hint for a near miss', () => {
    assertProblems(problemsOf(`${MINIMAL}  colour: blue\n  hots: x\nloging: {}\nworker: { concurency: 2 }\n`), [
      'soar.colour: unknown key',
      'soar.hots: unknown key (did you mean host?)',
      'loging: unknown key (did you mean logging?)',
      'worker.concurency: unknown key (did you mean concurrency?)',
    ]);
  });

  test('a half credential pair names the missing half', () => {
    assert.deepEqual(
      problemsOf('node: { id: a }\nsoar: { host: h, org: o, api_key_id: k }\n'),
      ['soar.api_key_secret: required'],
    );
    assert.deepEqual(problemsOf('node: { id: a }\nsoar: { host: h, org: o, api_key_secret: s }\n'), ['soar.api_key_id: required']);
    assert.deepEqual(problemsOf('node: { id: a }\nsoar: { host: h, org: o, password: p }\n'), ['soar.email: required']);
  });

  test('credentials: neither pair, or both pairs', () => {
    assert.deepEqual(problemsOf('node: { id: a }\nsoar: { host: h, org: o }\n'), [
      'soar: credentials required: api_key_id and api_key_secret (or email and password)',
    ]);
    assert.deepEqual(
      problemsOf('node: { id: a }\nsoar: { host: h, org: o, api_key_id: k, api_key_secret: s, email: e, password: p }\n'),
      ['soar: give either api_key_id and api_key_secret, or email and password, not both'],
    );
  });

  test('both soar: and brands:, or neither', () => {
    assertProblems(problemsOf(`${MINIMAL}brands:\n  eu: { soar: { host: h, org: o, api_key_id: k, api_key_secret: s } }\n`), [
      'brands: cannot be combined with soar: (use soar: for one brand, or brands: for several)',
    ]);
    assert.deepEqual(problemsOf('node: { id: a }\n'), ['soar: required (or brands: to serve several brands)']);
  });

  test('shorthand-only keys next to brands:', () => {
    assertProblems(
      problemsOf(`
node: { id: a }
brand_id: x
stomp: { port: 1 }
destinations: [fn_a]
brands:
  eu: { soar: { host: h, org: o, api_key_id: k, api_key_secret: s } }
`),
      [
        'brand_id: only allowed with the shorthand soar: form; with brands: the keys of brands: are the brand ids',
        'stomp: only allowed with the shorthand soar: form; with brands: write it as brands.<id>.stomp',
        'destinations: only allowed with the shorthand soar: form; with brands: write it as brands.<id>.destinations',
      ],
    );
  });

  test('ids, hosts, destinations and types', () => {
    assertProblems(
      problemsOf(`
node: { id: EU 1 }
brands:
  EU:
    soar: { host: "https://soar.example.com", port: https, org: o, api_key_id: k, api_key_secret: s, verify: "no" }
    destinations: [fn_a, fn_a, "fn b"]
  ok:
    soar: { host: h, org: o, api_key_id: k, api_key_secret: s }
    destinations: []
`),
      [
        'node.id: must be 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit',
        'brands.EU: invalid brand id: must be 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit',
        'brands.EU.soar.host: must be a host name or address, without scheme or path (e.g. soar.example.com)',
        'brands.EU.soar.port: must be a whole number',
        'brands.EU.soar.verify: must be true or false',
        'brands.EU.destinations: lists fn_a twice',
        "brands.EU.destinations[2]: must be a message destination's programmatic name (letters, digits and _, e.g. fn_clearing)",
        'brands.ok.destinations: must not be empty',
      ],
    );
    assertProblems(problemsOf('node: { id: a }\nbrands: {}\n'), ['brands: must name at least one brand']);
    assertProblems(problemsOf('node: [a]\nsoar: h\n'), ['node: must be a mapping (key: value lines)', 'soar: must be a mapping (key: value lines)']);
  });

  test('numeric limits', () => {
    assertProblems(
      problemsOf(`${MINIMAL}  timeout_s: 0
  retries: -1
stomp: { heartbeat_s: -1, connect_timeout_s: 100000 }
worker: { dedupe_size: 0, function_timeout_s: 1.5 }
`),
      [
        'soar.timeout_s: must be > 0',
        'soar.retries: must be >= 0',
        'stomp.heartbeat_s: must be >= 0',
        'stomp.connect_timeout_s: must be <= 86400',
        'worker.dedupe_size: must be >= 1',
      ],
    );
  });

  test('max delays must not be below initial delays', () => {
    assertProblems(problemsOf(`${MINIMAL}  retry_backoff_s: 60\nstomp: { reconnect_initial_s: 10, reconnect_max_s: 5 }\n`), [
      'soar.retry_backoff_s: must be <= retry_max_backoff_s (30 by default)',
      'stomp.reconnect_max_s: must be >= reconnect_initial_s (10)',
    ]);
  });

  test('proxy must be an http(s) URL', () => {
    assertProblems(problemsOf(`${MINIMAL}  proxy: socks5://p:1080\n`), [
      'soar.proxy: must be an http:// or https:// URL (e.g. http://user:password@proxy.example.com:3128)',
    ]);
  });

  test('YAML syntax errors report line:column', () => {
    const problems = problemsOf('node: { id: a }\nsoar:\n  host: h\n org: o\n');
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^line 4:1: /);
    const quote = problemsOf('node: { id: a }\nsoar: { host: "h }\n');
    assert.match(quote[0] ?? '', /^line \d+:\d+: .*quote/i);
  });

  test('duplicate keys are errors', () => {
    assert.match(problemsOf(`${MINIMAL}  host: other\n`)[0] ?? '', /^line 8:3: Map keys must be unique/);
  });

  test('an empty file, or one that is not a mapping', () => {
    assert.deepEqual(problemsOf('# nothing yet\n'), ['the file is empty: it needs at least node: and soar: (or brands:)']);
    assert.deepEqual(problemsOf('- node\n- soar\n'), [
      'the file must be a YAML mapping of keys (node:, soar:, ...), not a list or a single value',
    ]);
  });
});

describe('loadConfig: finding the file', () => {
  test('precedence: --config, then APP_CONFIG_FILE, then ./app.config.yaml', () => {
    const d = dir({
      'app.config.yaml': MINIMAL.replace('eu-1', 'from-cwd'),
      'env.yaml': MINIMAL.replace('eu-1', 'from-env'),
      'sub/opt.yaml': MINIMAL.replace('eu-1', 'from-opt'),
    });
    const env = { APP_CONFIG_FILE: 'env.yaml' };
    assert.equal(loadConfig({ cwd: d, env, path: 'sub/opt.yaml' }).node.id, 'from-opt');
    assert.equal(loadConfig({ cwd: d, env, path: join(d, 'sub/opt.yaml') }).source, join(d, 'sub/opt.yaml'));
    assert.equal(loadConfig({ cwd: d, env }).node.id, 'from-env');
    assert.equal(loadConfig({ cwd: d, env: { APP_CONFIG_FILE: join(d, 'env.yaml') } }).node.id, 'from-env');
    assert.equal(loadConfig({ cwd: d, env: {} }).node.id, 'from-cwd');
    assert.equal(loadConfig({ cwd: d, env: { APP_CONFIG_FILE: '' } }).node.id, 'from-cwd');
    assert.deepEqual(resolveConfigPath({ cwd: d, env }), { path: join(d, 'env.yaml'), via: 'APP_CONFIG_FILE' });
  });

  test('not found: config_not_found naming all three places', () => {
    const d = dir();
    assert.throws(
      () => loadConfig({ cwd: d, env: {} }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === ErrorCode.ConfigNotFound &&
        err.problems.length === 3 &&
        err.problems[0] === '--config: not given' &&
        err.problems[1] === 'APP_CONFIG_FILE: not set' &&
        err.problems[2] === `./app.config.yaml: ${join(d, 'app.config.yaml')}: not found`,
    );
  });

  test('an explicit path that is missing is an error, never a fallback', () => {
    const d = dir({ 'app.config.yaml': MINIMAL, 'env.yaml': MINIMAL });
    assert.throws(
      () => loadConfig({ cwd: d, env: { APP_CONFIG_FILE: 'env.yaml' }, path: 'nope.yaml' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === ErrorCode.ConfigNotFound &&
        err.message.includes(`--config: ${join(d, 'nope.yaml')}: not found`) &&
        err.message.includes(`APP_CONFIG_FILE: ${join(d, 'env.yaml')}: skipped (--config takes precedence)`) &&
        err.message.includes(`./app.config.yaml: ${join(d, 'app.config.yaml')}: skipped (--config takes precedence)`),
    );
    assert.throws(
      () => loadConfig({ cwd: d, env: { APP_CONFIG_FILE: 'missing.yaml' } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === ErrorCode.ConfigNotFound &&
        err.problems[1] === `APP_CONFIG_FILE: ${join(d, 'missing.yaml')}: not found`,
    );
  });

  test('a directory is not a configuration file', () => {
    const d = dir({ 'conf/x': '' });
    assert.throws(
      () => loadConfig({ cwd: d, env: {}, path: 'conf' }),
      (err: unknown) => err instanceof ConfigError && err.problems[0] === `--config: ${join(d, 'conf')}: not a file`,
    );
  });
});

describe('loadConfig: files named in the configuration', () => {
  test('relative cafile is resolved against the config file directory; stomp inherits it', () => {
    const d = dir({ 'etc/app.config.yaml': `${MINIMAL}  cafile: certs/ca.pem\n`, 'etc/certs/ca.pem': PEM });
    const cfg = loadConfig({ cwd: root, env: {}, path: join(d, 'etc/app.config.yaml') });
    const [brand] = cfg.brands;
    assert.ok(brand);
    assert.deepEqual(brand.soar.tls, { verify: true, cafile: join(d, 'etc/certs/ca.pem') });
    assert.deepEqual(brand.stomp.trust, { verify: true, cafile: join(d, 'etc/certs/ca.pem') });
  });

  test('stomp may have its own cafile or verify setting', () => {
    const own = load(`${MINIMAL}  cafile: soar.pem\nstomp: { cafile: broker.pem }\n`, {}, { 'soar.pem': PEM, 'broker.pem': PEM });
    assert.match(own.brands[0]?.stomp.trust.cafile ?? '', /broker\.pem$/);
    const off = load(`${MINIMAL}  cafile: soar.pem\nstomp: { verify: false }\n`, {}, { 'soar.pem': PEM });
    assert.deepEqual(off.brands[0]?.stomp.trust, { verify: false, cafile: null });
    assert.equal(off.brands[0]?.soar.tls.verify, true);
  });

  test('a missing or non-PEM cafile is an error naming the path', () => {
    const d = dir({ 'app.config.yaml': `${MINIMAL}  cafile: missing.pem\nstomp: { cafile: not-pem.txt }\n`, 'not-pem.txt': 'hello' });
    assert.throws(
      () => loadConfig({ cwd: d, env: {} }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.includes(`soar.cafile: file not found: ${join(d, 'missing.pem')}`) &&
        err.problems.includes(`stomp.cafile: no PEM certificate (-----BEGIN CERTIFICATE-----) in ${join(d, 'not-pem.txt')}`),
    );
  });

  test('cafile: false (resilient-circuits style) and cafile with verify: false', () => {
    assert.deepEqual(problemsOf(`${MINIMAL}  cafile: false\n`), [
      'soar.cafile: must be a file path; to turn certificate checks off write verify: false',
    ]);
    assert.deepEqual(problemsOf(`${MINIMAL}  cafile: ca.pem\n  verify: false\n`, {}, { 'ca.pem': PEM }), [
      'soar.cafile: cannot be combined with verify: false',
    ]);
  });

  test('logging.file is resolved against the config directory and its directory must exist', () => {
    const d = dir({ 'app.config.yaml': `${MINIMAL}logging: { file: logs/app.log }\n`, 'logs/.keep': '' });
    assert.equal(loadConfig({ cwd: d, env: {} }).logging.file, join(d, 'logs/app.log'));
    const bad = dir({ 'app.config.yaml': `${MINIMAL}logging: { file: nowhere/app.log }\n` });
    assert.throws(
      () => loadConfig({ cwd: bad, env: {} }),
      (err: unknown) => err instanceof ConfigError && err.problems[0] === `logging.file: directory does not exist: ${join(bad, 'nowhere')}`,
    );
  });
});

describe('describeConfig and secretsOf', () => {
  const yaml = `
node: { id: hub }
brands:
  eu:
    soar: { host: h1, org: o, api_key_id: visible-id, api_key_secret: hidden-api-secret, proxy: "http://u:pr%40xy-pass@proxy:3128" }
  ch:
    soar: { host: h2, org: o, email: user@example.ch, password: hidden-password }
`;

  test('secrets are replaced by ***, identities stay visible', () => {
    const cfg = load(yaml);
    const summary = describeConfig(cfg);
    const text = JSON.stringify(summary);
    for (const secret of ['hidden-api-secret', 'hidden-password', 'pr%40xy-pass', 'pr@xy-pass']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.ok(text.includes('visible-id') && text.includes('user@example.ch'));
    const brands = summary.brands as { soar: { auth: Record<string, unknown>; proxy: string }; stomp: { passcode: string } }[];
    assert.deepEqual(brands[0]?.soar.auth, { kind: 'api_key', api_key_id: 'visible-id', api_key_secret: '***' });
    assert.equal(brands[0]?.soar.proxy, 'http://u:***@proxy:3128');
    assert.deepEqual(brands[1]?.soar.auth, { kind: 'password', email: 'user@example.ch', password: '***' });
    assert.equal(brands[1]?.stomp.passcode, '***');
    assert.equal(summary.source, cfg.source);
    // A plain copy: printable and not frozen.
    assert.ok(!Object.isFrozen(summary));
  });

  test('secretsOf lists every secret once, longest first', () => {
    assert.deepEqual(secretsOf(load(yaml), {}), ['hidden-api-secret', 'hidden-password', 'pr%40xy-pass', 'pr@xy-pass']);
    assert.deepEqual(secretsOf(load(MINIMAL), {}), ['key-secret']);
    // The environment's proxies (HTTPS_PROXY and the others) may carry a password too.
    assert.deepEqual(secretsOf(load(MINIMAL), { https_proxy: 'http://me:env%2Fproxy-pw@proxy:3128', NO_PROXY: 'x' }), ['env%2Fproxy-pw', 'env/proxy-pw', 'key-secret']);
  });
});

describe('the shipped app.config.yaml', () => {
  const shipped = fileURLToPath(new URL('../../../app.config.yaml', import.meta.url));

  test('loads when its variables are set', () => {
    const cfg = loadConfig({ path: shipped, env: { SOAR_API_KEY_ID: 'sample-id', SOAR_API_KEY_SECRET: 'sample-secret' } });
    assert.equal(cfg.node.id, 'eu-1');
    assert.equal(cfg.brands.length, 1);
    assert.equal(cfg.brands[0]?.stomp.login, 'sample-id');
    assert.deepEqual(secretsOf(cfg), ['sample-secret']);
  });

  test('names its missing variables otherwise', () => {
    assert.throws(
      () => loadConfig({ path: shipped, env: {} }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.join('\n') ===
          'soar.api_key_id: environment variable SOAR_API_KEY_ID is not set\n' +
            'soar.api_key_secret: environment variable SOAR_API_KEY_SECRET is not set',
    );
  });

  test('documents every key of the schema', () => {
    const text = readFileSync(shipped, 'utf8');
    const { properties, definitions } = configSchema;
    const peer = properties.network.properties.peers.additionalProperties;
    const keys = [
      ...Object.keys(properties),
      ...Object.keys(properties.node.properties),
      ...Object.keys(properties.node.properties.listen.properties),
      ...Object.keys(properties.node.properties.tls.properties),
      ...Object.keys(properties.network.properties),
      ...Object.keys(peer.properties),
      ...Object.keys(properties.network.properties.received.properties),
      ...Object.keys(properties.network.properties.config_push.properties),
      ...Object.keys(definitions.soar.properties),
      ...Object.keys(definitions.stomp.properties),
      ...Object.keys(properties.worker.properties),
      ...Object.keys(properties.logging.properties),
      ...Object.keys(definitions.whitelist.properties),
      ...Object.keys(definitions.whitelist.properties.artifacts.properties),
      ...Object.keys(properties.triage.properties),
      ...Object.keys(properties.triage.properties.assets.additionalProperties.properties),
      ...Object.keys(properties.triage.properties.consequence.properties),
      ...Object.keys(properties.triage.properties.residual.properties),
      ...Object.keys(properties.triage.properties.thresholds.items.properties),
      ...Object.keys(properties.triage.properties.thresholds.items.properties.shared_artifact.properties),
    ];
    for (const key of keys) assert.match(text, new RegExp(`^[ #-]*${key}:`, 'm'), `${key} is not documented`);
  });

  test('its commented-out brands: example is valid too', () => {
    const text = readFileSync(shipped, 'utf8');
    const example = text
      .slice(text.indexOf('\n# brands:\n') + 1)
      .split('\n')
      .map((line) => line.replace(/^# ?/, ''))
      .join('\n')
      .replace(/cafile: .*/, 'cafile: eu-ca.pem');
    const d = dir({ 'eu-ca.pem': PEM });
    const cfg = parseConfig(`node: { id: hub }\n${example}`, {
      source: join(d, 'app.config.yaml'),
      env: { SOAR_EU_API_KEY_ID: 'i', SOAR_EU_API_KEY_SECRET: 's', SOAR_CH_PASSWORD: 'p' },
    });
    assert.deepEqual(cfg.brands.map((b) => b.id), ['eu', 'ch']);
  });
});

describe('loadConfig: the clearing network', () => {
  // Real certificates (openssl, no network): the network CA, node certificates signed by it,
  // one signed by a rogue CA, one naming its node by CN only.
  const pki = makeCaPki(join(root, 'pki'));
  const eu = makeNodeCert(pki, 'eu');
  const us = makeNodeCert(pki, 'us');
  const cnOnly = makeNodeCert(pki, 'cn-only', { uri: false });
  const rogueEu = makeNodeCert(pki, 'eu', { ca: 'rogue' });
  const localhost = makeNodeCert(pki, 'localhost-cert', { uri: false, cn: 'localhost' });

  const tlsOf = (c: { cert: string; key: string }, ca = pki.caCert): string =>
    `  tls: { cert: "${c.cert}", key: "${c.key}", ca: "${ca}" }\n`;
  const BRANDS = `
brands:
  soar1: { soar: { host: h1, org: o, api_key_id: k, api_key_secret: s1 } }
  soar2: { soar: { host: h2, org: o, api_key_id: k, api_key_secret: s2 } }
`;
  const NETWORK = `
network:
  primary: eu
  peers:
    us: { url: "https://127.0.0.1:9443/", brands: [soar3] }
    ap: { url: https://clearing-ap.example.com:8443/clearing, brands: [soar5, soar4] }
`;
  const full = (network = NETWORK, node = `node:\n  id: eu\n  listen: { host: 127.0.0.1, port: 8443 }\n${tlsOf(eu)}`): string =>
    `${node}${BRANDS}${network}`;

  test('a full network section compiles, with defaults and absolute paths', () => {
    const cfg = load(full());
    assert.deepEqual(cfg.node, {
      id: 'eu',
      listen: { host: '127.0.0.1', port: 8443 },
      tls: { cert: eu.cert, key: eu.key, ca: pki.caCert },
    });
    assert.deepEqual(cfg.network, {
      primary: 'eu',
      peers: [
        { id: 'us', url: 'https://127.0.0.1:9443', brands: ['soar3'] },
        { id: 'ap', url: 'https://clearing-ap.example.com:8443/clearing', brands: ['soar5', 'soar4'] },
      ],
      received: { owner: null, group: null },
      allow_redistribution: false,
      timeout_ms: 15_000,
      config_push: DEFAULT_CONFIG_PUSH,
    });
    assert.ok(Object.isFrozen(cfg.network) && Object.isFrozen(cfg.network?.peers[0]?.brands) && Object.isFrozen(cfg.node.tls));
    assert.deepEqual(networkBrands(cfg), ['soar1', 'soar2', 'soar3', 'soar4', 'soar5']);
    assert.deepEqual(brandOwner(cfg, 'soar2'), { kind: 'local' });
    assert.deepEqual(brandOwner(cfg, 'soar4'), { kind: 'peer', peer: cfg.network?.peers[1] });
    assert.equal(brandOwner(cfg, 'soar9'), null);
    const described = describeConfig(cfg);
    assert.deepEqual(described.network, JSON.parse(JSON.stringify(cfg.network)));
    assert.deepEqual(described.node, JSON.parse(JSON.stringify(cfg.node)));
    assert.ok(!Object.isFrozen(described.network));
  });

  test('every network key given; relative tls paths resolve against the config directory', () => {
    const d = dir({ 'app.config.yaml': `
node:
  id: "\${NODE_ID}"
  listen: { port: "\${PORT}" }
  tls: { cert: certs/node.crt, key: certs/node.key, ca: certs/ca.crt }
brand_id: soar1
soar: { host: h1, org: o, api_key_id: k, api_key_secret: s1 }
network:
  primary: us
  peers:
    us: { url: https://us.example.com, brands: [0042] }
  received: { owner: analyst@example.com, group: SOC Team }
  allow_redistribution: true
  timeout_s: 2.5
  config_push: { reference_brand: soar1, kinds: [rules, fields], tags: [clearing], name_prefixes: [cp_], schedule_minutes: 30 }
whitelist: { incident_fields: [name] }
` });
    mkdirSync(join(d, 'certs'));
    writeFileSync(join(d, 'certs/node.crt'), readFileSync(eu.cert));
    writeFileSync(join(d, 'certs/node.key'), readFileSync(eu.key));
    writeFileSync(join(d, 'certs/ca.crt'), readFileSync(pki.caCert));
    const cfg = loadConfig({ cwd: d, env: { NODE_ID: 'eu', PORT: '9000' } });
    assert.deepEqual(cfg.node, {
      id: 'eu',
      listen: { host: '0.0.0.0', port: 9000 },
      tls: { cert: join(d, 'certs/node.crt'), key: join(d, 'certs/node.key'), ca: join(d, 'certs/ca.crt') },
    });
    assert.deepEqual(cfg.network, {
      primary: 'us',
      peers: [{ id: 'us', url: 'https://us.example.com', brands: ['0042'] }],
      received: { owner: 'analyst@example.com', group: 'SOC Team' },
      allow_redistribution: true,
      timeout_ms: 2500,
      config_push: { reference_brand: 'soar1', kinds: ['rules', 'fields'], tags: ['clearing'], name_prefixes: ['cp_'], schedule_ms: 1_800_000 },
    });
    assert.deepEqual(cfg.whitelist.incident_fields, ['name']);
    assert.equal(cfg.brands[0]?.whitelist, cfg.whitelist);
    assert.deepEqual(networkBrands(cfg), ['0042', 'soar1']);
  });

  test('without network: workers only; listen and tls stay optional', () => {
    const cfg = load(MINIMAL);
    assert.equal(cfg.network, null);
    assert.deepEqual(networkBrands(cfg), ['default']);
    assert.deepEqual(brandOwner(cfg, 'default'), { kind: 'local' });
    assert.equal(brandOwner(cfg, 'soar3'), null);
    // A node may serve HTTPS (later: the web UI) without a network.
    const served = load(`${MINIMAL.replace('node: { id: eu-1 }', `node:\n  id: eu\n  listen: {}\n${tlsOf(eu)}`)}`);
    assert.deepEqual(served.node.listen, { host: '0.0.0.0', port: 8443 });
    assert.equal(served.network, null);
    // `network:` left empty counts as not given, like every other key.
    assert.equal(load(`${MINIMAL}network:\n`).network, null);
  });

  test('a peer-less network (the first node) is valid', () => {
    const cfg = load(full('network: { primary: eu }\n'));
    assert.deepEqual(cfg.network?.peers, []);
    assert.deepEqual(networkBrands(cfg), ['soar1', 'soar2']);
  });

  test('network needs node.listen and node.tls; listen needs tls', () => {
    assert.deepEqual(problemsOf(full(NETWORK, 'node: { id: eu }\n')), [
      'node.listen: required with network: (where peers reach this node, e.g. { host: 0.0.0.0, port: 8443 })',
      "node.tls: required with network: (this node's certificate and key, and the network CA)",
    ]);
    assert.deepEqual(problemsOf(full('', 'node: { id: eu, listen: { port: 8443 } }\n')), [
      'node.tls: required with node.listen (the node serves HTTPS only)',
    ]);
  });

  test('peers, brands and primary are checked across sections, every problem at once', () => {
    const problems = problemsOf(full(`
network:
  primary: nowhere
  peers:
    eu: { url: https://self.example.com, brands: [soar9] }
    us: { url: http://127.0.0.1:9443, brands: [soar3, soar1] }
    ap: { url: https://127.0.0.1:9443, brands: [soar3, soar4, soar4] }
    sa: { url: "https://sa.example.com?x=1", brands: [] }
    za: { url: https://u:p@za.example.com, brands: [soar6] }
    zb: { url: https://za.example.com/, brands: [soar7] }
    zc: { url: "https://za.example.com", brands: [soar8] }
    BAD: { url: https://bad.example.com, brands: [x] }
`));
    assert.deepEqual([...problems].sort(), [
      'network.peers.BAD: invalid node id: must be 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit',
      'network.peers.ap.brands: lists soar4 twice',
      'network.peers.ap.brands[0]: soar3 is also listed by network.peers.us; a brand belongs to one node',
      "network.peers.eu: is this node's own id (node.id); list only the other nodes",
      'network.peers.sa.brands: must not be empty',
      'network.peers.sa.url: must be an https:// URL without credentials, query or fragment (e.g. https://clearing-us.example.com:8443)',
      'network.peers.us.brands[1]: soar1 is a brand of this node (brands.soar1); a brand belongs to one node',
      'network.peers.us.url: must be an https:// URL without credentials, query or fragment (e.g. https://clearing-us.example.com:8443)',
      'network.peers.za.url: must be an https:// URL without credentials, query or fragment (e.g. https://clearing-us.example.com:8443)',
      'network.peers.zc.url: is also the URL of network.peers.zb',
      "network.primary: must be this node's id or a peer's id (one of eu, us, ap, sa, za, zb, zc, BAD)",
    ].sort());
  });

  test('schema problems in the network section name their paths', () => {
    assertProblems(
      problemsOf(full(`
network:
  peers: { us: { url: https://us.example.com } }
  received: { owner: not-an-email, group: "", colour: red }
  allow_redistribution: maybe
  timeout_s: 0
  retries: 3
`)),
      [
        'network.primary: required',
        'network.peers.us.brands: required',
        "network.received.owner: must be a SOAR user's email address (e.g. analyst@example.com)",
        'network.received.group: must not be empty',
        'network.received.colour: unknown key',
        'network.allow_redistribution: must be true or false',
        'network.timeout_s: must be > 0',
        'network.retries: unknown key',
      ],
    );
    assertProblems(problemsOf(full(NETWORK, 'node:\n  id: eu\n  listen: { port: 0, hots: x }\n  tls: { cert: a.crt }\n')), [
      'node.listen.port: must be >= 1',
      'node.listen.hots: unknown key (did you mean host?)',
      'node.tls.key: required',
      'node.tls.ca: required',
    ]);
    assertProblems(problemsOf(full('network: [eu]\nwhitelist: [name]\n')), [
      'network: must be a mapping (key: value lines)',
      'whitelist: must be a mapping (key: value lines)',
    ]);
  });

  test('config_push problems name their paths; the reference brand must be this node\'s', () => {
    assertProblems(
      problemsOf(full(`${NETWORK}  config_push: { reference_brand: soar3, kinds: [rules, users], tags: [""], schedule_minutes: 1441, every: 5 }\n`)),
      [
        "network.config_push.kinds[1]: must be one of message_destinations, functions, fields, datatables, rules, workflows, playbooks, scripts, phases, tasks, incident_types, artifact_types, layouts",
        'network.config_push.tags[0]: must not be empty',
        'network.config_push.schedule_minutes: must be <= 1440',
        'network.config_push.every: unknown key',
        'network.config_push.reference_brand: must be a brand of this node (soar1, soar2)',
      ],
    );
    assertProblems(problemsOf(full(`${NETWORK}  config_push: { reference_brand: soar3 }\n`)), [
      'network.config_push.reference_brand: must be a brand of this node (soar1, soar2)',
    ]);
  });

  test('the shorthand brand needs an explicit brand_id in a network', () => {
    const node = `node:\n  id: eu\n  listen: {}\n${tlsOf(eu)}`;
    const soar = 'soar: { host: h, org: o, api_key_id: k, api_key_secret: s }\n';
    assert.deepEqual(problemsOf(`${node}${soar}network: { primary: eu }\n`), [
      'brand_id: required with network: (it names this brand across the network; "default" would be ambiguous)',
    ]);
    assert.deepEqual(
      problemsOf(`${node}brand_id: soar3\n${soar}network: { primary: eu, peers: { us: { url: "https://us", brands: [soar3] } } }\n`),
      ['network.peers.us.brands[0]: soar3 is a brand of this node (brand_id); a brand belongs to one node'],
    );
  });

  test("node.tls: files must exist and hold PEM; the certificate must name node.id, match the key, come from the CA", () => {
    const d = dir({ 'not-pem.txt': 'hello' });
    const tls = (cert: string, key: string, ca: string): string => `node:\n  id: eu\n  listen: {}\n  tls: { cert: "${cert}", key: "${key}", ca: "${ca}" }\n`;
    assert.deepEqual(problemsOf(full('', tls(join(d, 'missing.crt'), join(d, 'not-pem.txt'), pki.caCert))), [
      `node.tls.cert: file not found: ${join(d, 'missing.crt')}`,
      `node.tls.key: no PEM private key (-----BEGIN PRIVATE KEY-----) in ${join(d, 'not-pem.txt')}`,
    ]);
    assert.deepEqual(problemsOf(full('', tls(us.cert, us.key, pki.caCert))), ['node.tls.cert: names node us (SAN URI), not node.id eu']);
    assert.deepEqual(problemsOf(full('', tls(localhost.cert, localhost.key, pki.caCert))), [
      'node.tls.cert: names node localhost (CN), not node.id eu',
    ]);
    assert.deepEqual(problemsOf(full('', tls(eu.cert, us.key, pki.caCert))), [`node.tls.key: is not the key of node.tls.cert (${eu.cert})`]);
    assert.deepEqual(problemsOf(full('', tls(rogueEu.cert, rogueEu.key, pki.caCert))), [
      `node.tls.cert: is not signed by the network CA of node.tls.ca (${pki.caCert})`,
    ]);
    assert.deepEqual(problemsOf(full('', tls(eu.key, eu.cert, join(d, 'not-pem.txt')))), [
      `node.tls.cert: no PEM certificate (-----BEGIN CERTIFICATE-----) in ${eu.key}`,
      `node.tls.key: no PEM private key (-----BEGIN PRIVATE KEY-----) in ${eu.cert}`,
      `node.tls.ca: no PEM certificate (-----BEGIN CERTIFICATE-----) in ${join(d, 'not-pem.txt')}`,
    ]);
    // A certificate without the node URI names its node by CN.
    const cn = load(full('', tls(cnOnly.cert, cnOnly.key, pki.caCert).replace('id: eu', 'id: cn-only')));
    assert.equal(cn.node.tls?.cert, cnOnly.cert);
    // A CA bundle: the issuer may be any certificate in it.
    const bundle = join(dir({ 'bundle.pem': readFileSync(pki.rogueCaCert, 'utf8') + readFileSync(pki.caCert, 'utf8') }), 'bundle.pem');
    assert.equal(load(full('', tls(eu.cert, eu.key, bundle))).node.tls?.ca, bundle);
  });
});

describe('the shipped app.config.yaml: network example', () => {
  test('its commented-out node.listen, node.tls and network: are valid', () => {
    const shipped = fileURLToPath(new URL('../../../app.config.yaml', import.meta.url));
    const text = readFileSync(shipped, 'utf8');
    // Uncommented: '# key:' lines become keys, '#   # words' stay comments, prose lines go.
    const uncomment = (from: string): string =>
      text
        .slice(text.indexOf(from), text.indexOf('\n\n', text.indexOf(from)))
        .split('\n')
        .map((line) => line.replace(/^(\s*)# ?/, '$1'))
        .filter((line) => !/^\s*[A-Z]/.test(line))
        .join('\n');
    const nodeBlock = uncomment('  # listen:');
    const network = uncomment('# network:');
    const pki = makeCaPki(join(root, 'pki'));
    const node = makeNodeCert(pki, 'eu-1');
    const d = dir();
    mkdirSync(join(d, 'certs'));
    writeFileSync(join(d, 'certs/eu-1.crt'), readFileSync(node.cert));
    writeFileSync(join(d, 'certs/eu-1.key'), readFileSync(node.key));
    writeFileSync(join(d, 'certs/network-ca.crt'), readFileSync(pki.caCert));
    const yaml = `node:\n  id: eu-1\n${nodeBlock}\nbrand_id: soar1\nsoar: { host: h, org: o, api_key_id: k, api_key_secret: s }\n${network}\n`;
    const cfg = parseConfig(yaml, { source: join(d, 'app.config.yaml'), env: {} });
    assert.deepEqual(cfg.node.listen, { host: '0.0.0.0', port: 8443 });
    assert.equal(cfg.node.tls?.ca, join(d, 'certs/network-ca.crt'));
    assert.deepEqual(cfg.network, {
      primary: 'eu-1',
      peers: [{ id: 'us-1', url: 'https://clearing-us.example.com:8443', brands: ['soar3'] }],
      received: { owner: null, group: null },
      allow_redistribution: false,
      timeout_ms: 15_000,
      config_push: DEFAULT_CONFIG_PUSH,
    });
  });
});

describe('loadConfig: the whitelist', () => {
  test('absent: the default whitelist, for every brand', () => {
    const cfg = load(MINIMAL);
    assert.equal(cfg.whitelist, DEFAULT_WHITELIST);
    assert.equal(cfg.brands[0]?.whitelist, DEFAULT_WHITELIST);
  });

  test("top-level whitelist compiled; a brand's own replaces it for that brand", () => {
    const cfg = load(`
node: { id: hub }
whitelist:
  incident_fields: [name, severity_code]
  properties: [region]
  attachments: { include: true, max_count: "3" }
  max_text_bytes: 100
brands:
  eu:
    soar: { host: h1, org: o, api_key_id: k, api_key_secret: s1 }
  ch:
    soar: { host: h2, org: o, api_key_id: k, api_key_secret: s2 }
    whitelist: { incident_fields: [name], notes: { include: false } }
`);
    assert.deepEqual(cfg.whitelist.incident_fields, ['name', 'severity_code']);
    assert.deepEqual(cfg.whitelist.properties, ['region']);
    assert.equal(cfg.whitelist.attachments.include, true);
    assert.equal(cfg.whitelist.attachments.max_count, 3);
    assert.equal(cfg.whitelist.max_text_bytes, 100);
    assert.equal(cfg.whitelist.notes.max_count, DEFAULT_WHITELIST.notes.max_count);
    const [eu, ch] = cfg.brands;
    assert.equal(eu?.whitelist, cfg.whitelist);
    assert.deepEqual(ch?.whitelist.incident_fields, ['name']);
    assert.equal(ch?.whitelist.notes.include, false);
    // Replaced whole: what the brand leaves out takes the built-in default, not the top-level value.
    assert.deepEqual(ch?.whitelist.properties, []);
    assert.equal(ch?.whitelist.max_text_bytes, DEFAULT_WHITELIST.max_text_bytes);
    assert.ok(Object.isFrozen(cfg.whitelist.notes) && Object.isFrozen(ch?.whitelist.incident_fields));
    const described = describeConfig(cfg) as { whitelist: { incident_fields: string[] }; brands: { whitelist: unknown }[] };
    assert.deepEqual(described.whitelist.incident_fields, ['name', 'severity_code']);
    assert.equal(described.brands[0]?.whitelist, 'the top-level whitelist');
    assert.deepEqual((described.brands[1]?.whitelist as { incident_fields: string[] } | undefined)?.incident_fields, ['name']);
  });

  test('whitelist problems are reported with the rest, each once, with its path', () => {
    const problems = problemsOf(`
node: { id: hub }
whitelist:
  incident_fields: [name, comments, properties.region]
  notes: { max_count: -1, colour: red }
  max_total_bytes: lots
brands:
  eu:
    soar: { host: h1, org: o, api_key_id: k, api_key_secret: s1 }
    whitelist: { properties: [__proto__], tasks: { include: maybe } }
worker: { concurrency: 0 }
`);
    assert.deepEqual([...problems].sort(), [
      'brands.eu.whitelist.properties[0]: __proto__ is never allowed (a reserved JavaScript name)',
      'brands.eu.whitelist.tasks.include: must be true or false',
      'whitelist.incident_fields[1]: cannot be listed here: notes are governed by the notes: section',
      'whitelist.incident_fields[2]: list custom fields under properties:, without the properties. prefix',
      'whitelist.max_total_bytes: must be a whole number',
      'whitelist.notes.colour: unknown key',
      'whitelist.notes.max_count: must be >= 0',
      'worker.concurrency: must be >= 1',
    ]);
  });

  test("the shipped file's commented whitelist example is valid and equals the defaults", () => {
    const shipped = fileURLToPath(new URL('../../../app.config.yaml', import.meta.url));
    const text = readFileSync(shipped, 'utf8');
    const from = text.indexOf('# whitelist:\n');
    const example = text
      .slice(from, text.indexOf('\n\n', from))
      .split('\n')
      .map((line) => line.replace(/^# ?/, ''))
      .join('\n');
    const cfg = parseConfig(`${MINIMAL}${example}\n`, { source: join(dir(), 'app.config.yaml'), env: {} });
    assert.deepEqual(cfg.whitelist, DEFAULT_WHITELIST);
  });
});

describe('loadConfig: the admin listener', () => {
  test('absent: none; present: loopback 8445 unless given', () => {
    assert.equal(load(MINIMAL).admin, null);
    assert.deepEqual(load(`${MINIMAL}admin: {}\n`).admin, { listen: { host: '127.0.0.1', port: 8445 } });
    assert.deepEqual(load(`${MINIMAL}admin: { listen: { host: 0.0.0.0, port: 9100 } }\n`).admin, { listen: { host: '0.0.0.0', port: 9100 } });
    assert.deepEqual(describeConfig(load(`${MINIMAL}admin: {}\n`)).admin, { listen: { host: '127.0.0.1', port: 8445 } });
  });

  test('its port must differ from the web UI\'s; unknown keys and bad ports are refused', () => {
    assertProblems(problemsOf(`${MINIMAL}admin: { listen: { port: 8444 } }\nweb: { allowed_groups: [g] }\n`), [
      'admin.listen.port: must differ from web.listen.port (8444)',
      'node.tls: required with web: (the web UI serves HTTPS with the node certificate)',
    ]);
    assertProblems(problemsOf(`${MINIMAL}admin: { port: 9100 }\n`), ['admin.port: unknown key']);
    assert.ok(problemsOf(`${MINIMAL}admin: { listen: { port: 70000 } }\n`).some((p) => p.startsWith('admin.listen.port: ')));
  });

  test('worker.exit_after_broker_down_s: seconds, 0 by default, never negative', () => {
    assert.equal(load(`${MINIMAL}worker: { exit_after_broker_down_s: 120 }\n`).worker.exit_after_broker_down_ms, 120_000);
    assert.ok(problemsOf(`${MINIMAL}worker: { exit_after_broker_down_s: -1 }\n`).some((p) => p.startsWith('worker.exit_after_broker_down_s: ')));
  });
});
