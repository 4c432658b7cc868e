/**
 * What `npm pack` publishes: the node's program and nothing of the simulator (the SOAR emulator,
 * the test broker and PKI, the demo live in sim/ and stay in the repository), nothing else a node
 * does not run (source maps, generated workflow files, the README generator), and every relative
 * import of a published module resolves inside the package. The tarball is also what the Debian
 * package and the container image hold (test/packaging installs and runs it).
 * Runs `npm pack --dry-run` (no network, no file written) on the built tree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function packed(): { files: string[]; size: number } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [pack] = JSON.parse(out) as { files: { path: string }[]; size: number }[];
  assert.ok(pack, 'npm pack printed no package');
  return { files: pack.files.map((f) => f.path), size: pack.size };
}

describe('npm package', () => {
  const { files, size } = packed();

  it('holds the program and no simulator, test or benchmark code', () => {
    assert.ok(files.includes('dist/bin/soar-clearing.js'), 'the CLI is published');
    assert.ok(files.some((f) => f.startsWith('dist/functions/')), 'the functions are published');
    const stray = files.filter((f) => /^(dist\/)?(sim|test|bench)\//.test(f) || /emulator|testbed|demo/i.test(f));
    assert.deepEqual(stray, []);
  });

  it('ships only compiled modules and the admin\'s documents: no source maps, generated or build-time files', () => {
    const documents = ['package.json', 'README.md', 'CHANGELOG.md', 'app.config.yaml', 'apikey_permissions.txt'];
    const other = files.filter((f) => !documents.includes(f) && !/^dist\/(bin|src|functions|customize)\/.+\.c?js$/.test(f));
    assert.deepEqual(other, []);
    assert.ok(!files.includes('dist/customize/docgen.js'), 'the README generator is a build-time tool');
    assert.ok(files.includes('CHANGELOG.md') && files.includes('app.config.yaml'));
    // About 250 KiB at 0.2.0; a jump means something unintended got in.
    assert.ok(size < 400 * 1024, `tarball ${size} bytes`);
  });

  it('every relative import of a published module resolves inside the package', () => {
    const published = new Set(files);
    const missing: string[] = [];
    for (const f of files.filter((p) => p.endsWith('.js'))) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = normalize(join(dirname(f), m[1]!));
        if (!published.has(target)) missing.push(`${f} -> ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
