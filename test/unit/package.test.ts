/**
 * What `npm pack` publishes: the node's program and nothing of the simulator (the SOAR emulator,
 * the test broker and PKI, the demo live in sim/ and stay in the repository), and every relative
 * import of a published module resolves inside the package.
 * Runs `npm pack --dry-run` (no network, no file written) on the built tree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  assert.ok(pack, 'npm pack printed no package');
  return pack.files.map((f) => f.path);
}

describe('npm package', () => {
  const files = packedFiles();

  it('holds the program and no simulator, test or benchmark code', () => {
    assert.ok(files.includes('dist/bin/soar-clearing.js'), 'the CLI is published');
    assert.ok(files.some((f) => f.startsWith('dist/functions/')), 'the functions are published');
    const stray = files.filter((f) => /^(dist\/)?(sim|test|bench)\//.test(f) || /emulator|testbed|demo/i.test(f));
    assert.deepEqual(stray, []);
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
