/**
 * The container image (Containerfile) built with podman and run as an operator would: as its
 * unprivileged user, with a read-only root filesystem, the configuration and CA mounted
 * read-only at /etc/soar-clearing, secrets in the environment, against an emulated SOAR and the
 * real broker on the host's network.
 * No registry is reachable here, so the base image is made from this machine's node and npm
 * (`podman import` of a small root filesystem, kept for the next run as localhost/soar-clearing-
 * test-node:<node version>); SC_TEST_NODE_IMAGE names a real one instead
 * (e.g. docker.io/library/node:20-bookworm-slim). The build reaches the npm registry as the host
 * does (host network, the host's CA bundle). Skips without podman.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../support/broker.js';
import { runProgram, World } from '../support/world.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const IMAGE = `localhost/soar-clearing-test:${process.pid}`;
// Made once per node version and kept, like the test broker's ActiveMQ: `podman rmi` it to remove it.
const BASE = `localhost/soar-clearing-test-node:${process.versions.node}`;
const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * podman with what this kind of machine needs and others tolerate: runc when installed (crun
 * refuses a hybrid cgroup hierarchy), limits no higher than the host's (no CAP_SYS_RESOURCE).
 */
const PODMAN = has('runc') ? ['--runtime', 'runc'] : [];
const LIMITS = ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

function podman(args: readonly string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runProgram> {
  return runProgram('podman', [...PODMAN, ...args], env);
}

/** `podman run` of the image as an operator runs it: read-only root, no healthcheck timer (no systemd here). */
function runImage(args: readonly string[], opts: { mounts?: readonly string[]; env?: Record<string, string>; name?: string; detach?: boolean } = {}): ReturnType<typeof runProgram> {
  return podman(['run', ...(opts.detach ? ['-d'] : ['--rm']), ...(opts.name ? ['--name', opts.name] : []),
    '--read-only', '--read-only-tmpfs=false', '--network', 'host', '--no-healthcheck', ...LIMITS,
    ...(opts.mounts ?? []).flatMap((m) => ['-v', m]),
    ...Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    IMAGE, ...args]);
}

/** A root filesystem of this machine's node, npm, sh and tar with their libraries and CA bundle, imported as an image. */
function importHostNode(): void {
  const root = mkdtempSync(join(tmpdir(), 'sc-rootfs-'));
  try {
    const tools = ['node', 'sh', 'dash', 'env', 'tar', 'gzip', 'cp', 'mkdir', 'rm', 'cat'];
    execFileSync('bash', ['-euo', 'pipefail', '-c', `
      cd "$1"
      mkdir -p tmp etc/ssl/certs usr/bin usr/lib usr/lib64 root && chmod 1777 tmp
      ln -s usr/bin bin && ln -s usr/lib lib && ln -s usr/lib64 lib64
      for t in ${tools.join(' ')}; do cp -a "$(command -v "$t")" usr/bin/; done
      cp -a "$(command -v npm)" usr/bin/ && cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/../.." usr/lib/node_modules
      for lib in $(for t in ${tools.join(' ')}; do ldd "$(command -v "$t")" 2>/dev/null || true; done | grep -o '/[^ ]*' | sort -u); do
        cp -L --parents "$lib" .
      done
      cp -L /etc/ssl/certs/ca-certificates.crt etc/ssl/certs/
      echo 'root:x:0:0:root:/root:/bin/sh' >etc/passwd && echo 'root:x:0:' >etc/group
      tar -c . | podman import -q --change ENV=NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
        --change ENV=PATH=/usr/local/bin:/usr/bin:/bin - "$2" >/dev/null
    `, '_', root, BASE], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A directory to mount at /etc/soar-clearing: readable by the image's user (10001), as the Containerfile asks. */
function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sc-etc-'));
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o644);
  }
  return dir;
}

describe('container image', { skip: has('podman') ? false : 'needs podman (apt-get install podman runc): the Containerfile is neither built nor run' }, () => {
  const baseImage = process.env.SC_TEST_NODE_IMAGE ?? BASE;
  const dirs: string[] = [];

  before(async () => {
    let t0 = Date.now();
    if (!process.env.SC_TEST_NODE_IMAGE && (await podman(['image', 'exists', BASE])).code !== 0) importHostNode();
    const based = ((Date.now() - t0) / 1000).toFixed(1);
    t0 = Date.now();
    // The host's npm cache, when there is one, spares the build most downloads.
    const cache = join(homedir(), '.npm', '_cacache');
    const b = await podman(['build', '--format', 'docker', '--layers=false', '--network', 'host', ...LIMITS,
      ...(existsSync(cache) ? ['--volume', `${cache}:/root/.npm/_cacache`] : []),
      '--build-arg', `NODE_IMAGE=${baseImage}`, '-f', 'Containerfile', '-t', IMAGE, '.']);
    assert.equal(b.code, 0, `podman build failed:\n${b.out.slice(-3000)}${b.err.slice(-3000)}`);
    const size = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE])).out.trim());
    console.log(`container image: ${(size / 1e6).toFixed(0)} MB on a ${baseImage === BASE ? 'host-made' : baseImage} base`
      + ` (base made in ${based} s), built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await podman(['rmi', '-f', IMAGE]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('runs as uid 10001 with a read-only root filesystem and prints package.json\'s version', async () => {
    const v = await runImage(['--version']);
    assert.equal(v.code, 0, v.err);
    assert.equal(v.out.trim(), VERSION);
    const inspect = async (field: string): Promise<unknown> => JSON.parse((await podman(['image', 'inspect', '--format', `{{json ${field}}}`, IMAGE])).out);
    assert.equal(await inspect('.Config.User'), '10001:10001');
    assert.deepEqual((await inspect('.Config.Healthcheck') as { Test: string[] }).Test, ['CMD', 'node', '/usr/lib/soar-clearing/dist/bin/soar-clearing.js', 'health']);
    const id = await podman(['run', '--rm', '--read-only', ...LIMITS, '--entrypoint', 'node', IMAGE, '-e', 'process.stdout.write(`${process.getuid()}`)']);
    assert.equal(id.out, '10001', id.err);
  });

  test('holds the npm tarball\'s files and production dependencies only', async () => {
    const r = await podman(['run', '--rm', ...LIMITS, '--entrypoint', 'node', IMAGE, '-e',
      'const fs = require("fs"); process.stdout.write(JSON.stringify([fs.readdirSync("."), fs.readdirSync("node_modules")]))']);
    const [top, modules] = JSON.parse(r.out) as [string[], string[]];
    assert.deepEqual(top.filter((f) => !['node_modules', 'package-lock.json'].includes(f)).sort(),
      ['CHANGELOG.md', 'README.md', 'apikey_permissions.txt', 'app.config.yaml', 'dist', 'package.json']);
    assert.ok(modules.includes('yargs') && !modules.includes('typescript') && !modules.includes('oxlint'));
  });

  test('config validate reads the mounted sample configuration at $APP_CONFIG_FILE, secrets from the environment', async () => {
    const etc = configDir({ 'app.config.yaml': readFileSync(join(REPO_ROOT, 'app.config.yaml'), 'utf8') });
    dirs.push(etc);
    const r = await runImage(['config', 'validate'], { mounts: [`${etc}:/etc/soar-clearing:ro`], env: { SOAR_API_KEY_ID: 'k', SOAR_API_KEY_SECRET: 'container-secret-42' } });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /configuration OK: \/etc\/soar-clearing\/app\.config\.yaml/);
    assert.doesNotMatch(r.out, /container-secret-42/);
  });

  test('customize and selftest pass against an emulated SOAR; run subscribes, logs to the container output, stops on SIGTERM with 0', async () => {
    const world = await World.start();
    const name = `sc-test-${process.pid}`;
    try {
      const ca = world.broker.pki.caCert;
      const config = readFileSync(world.configFile({ destination: 'fn_clearing' }), 'utf8').replaceAll(ca, '/etc/soar-clearing/ca.pem');
      const etc = configDir({ 'app.config.yaml': config, 'ca.pem': readFileSync(ca, 'utf8') });
      dirs.push(etc);
      const mounts = [`${etc}:/etc/soar-clearing:ro`];
      const c = await runImage(['customize', '--yes'], { mounts });
      assert.equal(c.code, 0, c.out + c.err);
      const s = await runImage(['selftest'], { mounts });
      assert.equal(s.code, 0, s.out + s.err);

      const started = await runImage([], { mounts, name, detach: true });
      assert.equal(started.code, 0, started.err);
      let logs = '';
      for (const t0 = Date.now(); Date.now() - t0 < 30_000 && !/subscribed to /.test(logs);) {
        await new Promise((r) => setTimeout(r, 500));
        const l = await podman(['logs', name]);
        logs = l.out + l.err;
      }
      assert.match(logs, /subscribed to .*fn_clearing/);
      await podman(['stop', '-t', '30', name]);
      const code = await podman(['wait', name]);
      assert.equal(code.out.trim(), '0', logs);
    } finally {
      await podman(['rm', '-f', name]);
      await world.stop();
    }
  });
});
