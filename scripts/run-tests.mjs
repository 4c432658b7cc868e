#!/usr/bin/env node
// `npm test`: start one ActiveMQ broker (STOMP + STOMP/TLS) for the whole run, then run the
// compiled tests with node's test runner, one file at a time. Run after `npm run build`.
//
//   node scripts/run-tests.mjs                 # every group (node's runner orders the files by path)
//   node scripts/run-tests.mjs unit            # one group (unit | integration | packaging | ibm | browser | faults)
//   node scripts/run-tests.mjs dist/test/x.test.js ...   # explicit files
//
// The test files find the broker through SC_TEST_STOMP_PORT, SC_TEST_STOMP_TLS_PORT and
// SC_TEST_PKI_DIR (see sharedBroker() in sim/testbed/broker.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The fault suite is the slowest (~2.5 min); it starts, kills and restarts brokers of its own.
// ibm: IBM's own resilient-circuits against the emulator (skips without ../shared beside the repo).
// packaging: the npm tarball and the Debian package installed and run (the .deb as root only).
const GROUPS = ['unit', 'integration', 'packaging', 'ibm', 'browser', 'faults'];

function fail(msg) {
  console.error(`run-tests: ${msg}`);
  process.exit(1);
}

/** Compiled test files under `dir`, skipping stale ones whose .ts source is gone (tsc never deletes). */
function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...findTests(p));
    } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
      const source = join(root, relative(join(root, 'dist'), p)).replace(/\.js$/, '.ts');
      if (existsSync(source)) out.push(p);
      else console.log(`run-tests: skipping ${relative(root, p)} (no ${relative(root, source)})`);
    }
  }
  return out.sort();
}

// ---- which files
const args = process.argv.slice(2);
let files = [];
if (args.length === 0) {
  for (const g of GROUPS) files.push(...findTests(join(root, 'dist', 'test', g)));
} else {
  for (const a of args) {
    if (GROUPS.includes(a)) {
      files.push(...findTests(join(root, 'dist', 'test', a)));
    } else {
      const p = resolve(a);
      if (!existsSync(p)) fail(`no such test file: ${a}`);
      if (statSync(p).isDirectory()) files.push(...findTests(p));
      else files.push(p);
    }
  }
}
files = [...new Set(files)];
if (files.length === 0) {
  fail(`no compiled test files found for ${args.length ? args.join(' ') : GROUPS.join(' + ')}`
    + ' (run `npm run build` first?)');
}

// ---- the browser (browser tests drive Debian's chromium; installed like the broker when missing)
if (files.some((f) => f.includes(join('dist', 'test', 'browser')))) {
  // Quiet when chromium is there already.
  const r = spawnSync('bash', [join(root, 'scripts', 'chromium.sh'), 'install'], { stdio: 'inherit' });
  if (r.status !== 0) fail('could not install chromium for the browser tests (see above)');
}

// ---- IBM's client (the ibm group runs IBM's resilient-circuits; installed like the browser)
if (files.some((f) => f.includes(join('dist', 'test', 'ibm')))) {
  // Quiet when installed and current; says so and does nothing without ../shared.
  const r = spawnSync('bash', [join(root, 'scripts', 'ibm-client.sh'), 'install'], { stdio: 'inherit' });
  if (r.status !== 0) fail('could not install IBM\'s resilient-circuits for the ibm tests (see above)');
}

// ---- the broker
const jar = join(process.env.SC_ACTIVEMQ_HOME ?? '/usr/share/activemq', 'bin', 'activemq.jar');
if (!existsSync(jar)) {
  console.log(`run-tests: ${jar} missing, installing ActiveMQ`);
  const r = spawnSync('bash', [join(root, 'scripts', 'activemq.sh'), 'install'], { stdio: 'inherit' });
  if (r.status !== 0) fail('could not install ActiveMQ (see above)');
}
const brokerJs = join(root, 'dist', 'test', 'support', 'broker.js');
if (!existsSync(brokerJs)) fail(`${relative(root, brokerJs)} missing: run \`npm run build\` first`);
const { startSharedBroker, testPki } = await import(pathToFileURL(brokerJs).href);

const t0 = Date.now();
let broker;
try {
  const pki = testPki();
  broker = await startSharedBroker(pki);
  console.log(`broker ready on stomp 127.0.0.1:${broker.stompPort}, stomp+ssl :${broker.stompTlsPort}`
    + ` in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.env.SC_TEST_PKI_DIR = pki.dir;
} catch (err) {
  fail(`could not start the test broker:\n${err instanceof Error ? err.message : String(err)}`);
}

// ---- the tests
// A test file runs as one test too, under the same limit: the container test builds an image
// (1-2 min) in its file's before hook.
const timeout = files.some((f) => f.includes(join('dist', 'test', 'packaging'))) ? 300_000 : 120_000;
const child = spawn(process.execPath, [
  '--test', '--test-concurrency=1', `--test-timeout=${timeout}`,
  ...files.map((f) => relative(root, f)),
], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    SC_TEST_STOMP_PORT: String(broker.stompPort),
    SC_TEST_STOMP_TLS_PORT: String(broker.stompTlsPort),
    SC_TEST_PKI_DIR: process.env.SC_TEST_PKI_DIR,
  },
});

// Ctrl-C reaches the whole foreground process group (the test runner too); SIGTERM may come
// only to us: pass it on. Either way wait for the runner, then stop the broker.
let interrupted = null;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) {
      child.kill('SIGKILL');
      return;
    }
    interrupted = sig;
    child.kill(sig);
  });
}

const code = await new Promise((res) => {
  child.on('error', (err) => {
    console.error(`run-tests: could not run node --test: ${err.message}`);
    res(1);
  });
  child.on('exit', (c, s) => res(c ?? (s ? 128 + (s === 'SIGINT' ? 2 : s === 'SIGTERM' ? 15 : 9) : 1)));
});
await broker.stop();
process.exit(interrupted ? 130 : code);
