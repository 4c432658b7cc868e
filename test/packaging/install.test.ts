/**
 * The release artefacts installed on this machine and run as an admin would: the npm tarball
 * (`npm install -g` into a temporary prefix) and the Debian package (`npm run package:deb`,
 * `dpkg -i`, an upgrade, `dpkg --purge`). Each installed program prints its version, validates
 * the sample configuration, and runs `customize` and `selftest` against an emulated SOAR and the
 * real broker, and `selftest` against a SOAR that is not there.
 * The Debian part needs root and dpkg, and leaves the machine as it found it (purge; the system
 * user removed if it created it); it refuses to run where a soar-clearing package is installed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, REPO_ROOT, sharedBroker } from '../support/broker.js';
import { runProgram, World, writeConfig } from '../support/world.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SAMPLE_ENV = { SOAR_API_KEY_ID: 'sample-key', SOAR_API_KEY_SECRET: 'sample-secret-6f1c' };

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function seconds(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

/** What an admin does first with an installed `soar-clearing`: the same checks for each artefact. */
function installedProgramWorks(bin: () => string, sampleConfig: () => string): void {
  test('--version prints package.json\'s version', async () => {
    const r = await runProgram(bin(), ['--version']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), VERSION);
  });

  test('config validate accepts the sample app.config.yaml given its environment, secrets as ***', async () => {
    const r = await runProgram(bin(), ['config', 'validate', '--config', sampleConfig()], SAMPLE_ENV);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /configuration OK: /);
    assert.match(r.out, /"\*\*\*"/);
    assert.doesNotMatch(r.out, /sample-secret-6f1c/);
    const bare = await runProgram(bin(), ['config', 'validate', '--config', sampleConfig()], { SOAR_API_KEY_ID: '', SOAR_API_KEY_SECRET: '' });
    assert.equal(bare.code, 2);
    assert.match(bare.err, /^ {2}soar\.api_key_secret: must not be empty$/m);
  });

  test('customize, then selftest against an emulated SOAR and the broker: every check passes', async () => {
    const world = await World.start();
    try {
      const config = world.configFile({ destination: 'fn_clearing' });
      const c = await runProgram(bin(), ['customize', '--yes', '--config', config]);
      assert.equal(c.code, 0, c.out + c.err);
      const r = await runProgram(bin(), ['selftest', '--json', '--config', config]);
      assert.equal(r.code, 0, r.out + r.err);
      const report = JSON.parse(r.out) as { ok: boolean; brands: Array<{ checks: Array<{ name: string; ok: boolean }> }> };
      assert.deepEqual(report.brands[0]!.checks.map((k) => [k.name, k.ok]),
        [['REST login and org', true], ['STOMP connect and subscribe', true], ['customization installed', true]]);
    } finally {
      await world.stop();
    }
  });

  test('selftest with SOAR unreachable fails with exit 10 and says so in one line', async () => {
    const broker = await sharedBroker();
    const config = writeConfig(broker.pki.caCert, { soarPort: await freePort(), stompPort: broker.stompPort, destination: 'fn_clearing' });
    const r = await runProgram(bin(), ['selftest', '--config', config]);
    assert.equal(r.code, 10, r.out + r.err);
    assert.match(r.out, /FAIL +REST login and org +.*ECONNREFUSED/);
    assert.doesNotMatch(r.out + r.err, /\n\s+at /, 'no stack trace');
  });
}

describe('npm tarball', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-npm-'));
  const prefix = join(dir, 'prefix');

  before(() => {
    const tgz = join(dir, `soar-clearing-${VERSION}.tgz`);
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: REPO_ROOT });
    const t0 = Date.now();
    // From the tarball alone: its dependencies come from the registry (or npm's cache).
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tgz], { cwd: dir, stdio: 'ignore' });
    console.log(`npm tarball: ${(statSync(tgz).size / 1024).toFixed(0)} KiB, npm install -g in ${seconds(t0)}`);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  installedProgramWorks(() => join(prefix, 'bin', 'soar-clearing'), () => join(prefix, 'lib', 'node_modules', 'soar-clearing', 'app.config.yaml'));
});

function debSkipReason(): string | false {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux (dpkg -i)';
  if (!has('dpkg-deb') || !has('dpkg')) return 'needs dpkg and dpkg-deb';
  if (spawnSync('dpkg-query', ['-W', '-f=${Status}', 'soar-clearing'], { encoding: 'utf8' }).stdout.includes('installed')) {
    return 'a soar-clearing package is installed on this machine: not touching it';
  }
  return false;
}

describe('Debian package', { skip: debSkipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-deb-'));
  let deb = '';
  let userExisted = false;

  const dpkg = (...args: string[]): string => execFileSync('dpkg', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  before(() => {
    userExisted = spawnSync('getent', ['passwd', 'soar-clearing']).status === 0;
    let t0 = Date.now();
    deb = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'deb.sh'), dir], { encoding: 'utf8' }).trim();
    const built = seconds(t0);
    t0 = Date.now();
    dpkg('-i', deb);
    console.log(`.deb: ${(statSync(deb).size / 1024).toFixed(0)} KiB, built in ${built}, dpkg -i in ${seconds(t0)}`);
  });

  after(() => {
    spawnSync('dpkg', ['--purge', 'soar-clearing'], { stdio: 'ignore' });
    if (!userExisted) spawnSync('userdel', ['soar-clearing'], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  test('installs the program, the command, the conffile, the unit, a system user and root-only secrets', () => {
    assert.equal(dpkg('-s', 'soar-clearing').match(/^Version: (.*)$/m)?.[1], VERSION.replace(/-/g, '~'));
    assert.ok(existsSync('/usr/lib/soar-clearing/node_modules/yargs/package.json'), 'production dependencies');
    assert.ok(!existsSync('/usr/lib/soar-clearing/node_modules/typescript'), 'no development dependencies');
    assert.match(dpkg('-s', 'soar-clearing'), /^Depends: nodejs \(>= 20\)/m);
    assert.match(dpkg('-s', 'soar-clearing'), /^Conffiles:\n \/etc\/soar-clearing\/app\.config\.yaml [0-9a-f]{32}$/m);
    assert.ok(existsSync('/usr/lib/systemd/system/soar-clearing.service'));
    const user = execFileSync('getent', ['passwd', 'soar-clearing'], { encoding: 'utf8' }).split(':');
    assert.ok(Number(user[2]) < 1000, `a system user: ${user.join(':')}`);
    assert.equal(user[6]?.trim(), '/usr/sbin/nologin');
    const env = statSync('/etc/soar-clearing/env');
    assert.equal(env.mode & 0o777, 0o600);
    assert.equal(env.uid, 0);
    const logs = statSync('/var/log/soar-clearing');
    assert.equal(logs.uid, Number(user[2]));
    assert.equal(logs.mode & 0o007, 0, 'logs are not world-readable');
  });

  installedProgramWorks(() => '/usr/bin/soar-clearing', () => '/etc/soar-clearing/app.config.yaml');

  test('systemd-analyze verify accepts the unit without a warning; its exposure is low', { skip: has('systemd-analyze') ? false : 'needs systemd-analyze' }, () => {
    const unit = '/usr/lib/systemd/system/soar-clearing.service';
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(verify.stdout + verify.stderr, '');
    const text = readFileSync(unit, 'utf8');
    for (const line of ['User=soar-clearing', 'Restart=on-failure', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes',
      'PrivateTmp=yes', 'ReadWritePaths=/var/log/soar-clearing', 'EnvironmentFile=/etc/soar-clearing/env']) {
      assert.match(text, new RegExp(`^${line}$`, 'm'), line);
    }
    assert.deepEqual(text.match(/^ReadWritePaths=.*$/gm), ['ReadWritePaths=/var/log/soar-clearing'], 'the log directory only');
    // systemd's own score of the sandbox, 0 (locked down) to 10; it works on the file, offline.
    const security = spawnSync('systemd-analyze', ['security', '--offline=true', unit], { encoding: 'utf8' });
    const exposure = Number(/Overall exposure level for soar-clearing\.service: ([\d.]+)/.exec(security.stdout)?.[1]);
    assert.ok(exposure <= 2, `exposure ${exposure}:\n${security.stdout}${security.stderr}`);
    console.log(`systemd-analyze security: exposure ${exposure}`);
  });

  test('an upgrade keeps the admin\'s configuration and secrets, and runs the new version\'s program', () => {
    appendFileSync('/etc/soar-clearing/app.config.yaml', '# changed by the admin\n');
    writeFileSync('/etc/soar-clearing/env', 'SOAR_API_KEY_ID=admin-key\n');
    // The same package as a newer version: dpkg upgrades, the conffile shipped is unchanged.
    const tree = join(dir, 'tree');
    execFileSync('dpkg-deb', ['-R', deb, tree]);
    const control = join(tree, 'DEBIAN', 'control');
    writeFileSync(control, readFileSync(control, 'utf8').replace(/^Version: .*$/m, (v) => `${v}+upgrade1`));
    const next = join(dir, 'next.deb');
    execFileSync('dpkg-deb', ['--root-owner-group', '-Znone', '--build', tree, next], { stdio: 'ignore' });
    const t0 = Date.now();
    dpkg('-i', next);
    console.log(`upgrade (dpkg -i) in ${seconds(t0)}`);
    assert.match(dpkg('-s', 'soar-clearing'), /^Version: .*\+upgrade1$/m);
    assert.match(readFileSync('/etc/soar-clearing/app.config.yaml', 'utf8'), /# changed by the admin\n$/);
    assert.equal(readFileSync('/etc/soar-clearing/env', 'utf8'), 'SOAR_API_KEY_ID=admin-key\n');
    assert.equal(statSync('/etc/soar-clearing/env').mode & 0o777, 0o600);
    assert.ok(!existsSync('/etc/soar-clearing/app.config.yaml.dpkg-dist'), 'no new conffile to merge: it did not change');
    assert.equal(execFileSync('/usr/bin/soar-clearing', ['--version'], { encoding: 'utf8' }).trim(), VERSION);
  });

  test('purge removes the program, configuration, secrets and logs', () => {
    dpkg('--purge', 'soar-clearing');
    for (const p of ['/usr/lib/soar-clearing', '/usr/bin/soar-clearing', '/usr/lib/systemd/system/soar-clearing.service', '/etc/soar-clearing', '/var/log/soar-clearing']) {
      assert.ok(!existsSync(p), `${p} is gone`);
    }
    assert.notEqual(spawnSync('dpkg-query', ['-W', 'soar-clearing'], { stdio: 'ignore' }).status, 0);
  });
});
