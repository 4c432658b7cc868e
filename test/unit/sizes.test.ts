/** scripts/sizes.mjs on a made-up checkout: its tables count what the parser sees. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/sizes.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'sc-sizes-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('files, directories and functions, with comments and nested functions told apart', () => {
  mkdirSync(join(root, 'src', 'a'), { recursive: true });
  mkdirSync(join(root, 'functions'));
  writeFileSync(join(root, 'src', 'a', 'one.ts'), [
    '/**',
    ' * A header: comment lines are lines, not code.',
    ' */',
    'export class Box {',
    '  get size(): number {',
    '    return 1;',
    '  }',
    '',
    '  open(): void {',
    '    const s = "// not a comment";',
    '    setTimeout(() => {',
    '      void s;',
    '    }, 1);',
    '  }',
    '}',
    '',
  ].join('\n'));
  writeFileSync(join(root, 'functions', 'two.ts'), 'export function two(): number {\n  return 2;\n}\n');
  writeFileSync(join(root, 'src', 'a', 'types.d.ts'), 'export type X = number;\n');
  const out = execFileSync(process.execPath, [SCRIPT, root, '--top', '4'], { encoding: 'utf8' });
  assert.match(out, /\(src\/ functions\/\): 2 files, 18 lines, 14 code lines, 4 functions\n/);
  const section = (title: string): string[] => out.split('\n\n').find((t) => t.startsWith(title))!.split('\n').slice(2).filter((l) => l !== '').map((l) => l.trim().replace(/ {2,}/g, ' | '));
  assert.deepEqual(section('The 4 longest files'), ['15 | 11 | src/a/one.ts', '3 | 3 | functions/two.ts']);
  assert.deepEqual(section('Lines per directory'), ['1 | 3 | 3 | functions/', '1 | 15 | 11 | src/a/', '2 | 18 | 14 | total']);
  // Ties: by file, then line.
  assert.deepEqual(section('The 4 longest functions'), [
    '6 | Box.open | src/a/one.ts:9', '3 | two | functions/two.ts:1', '3 | get Box.size | src/a/one.ts:5',
    '3 | Box.open › arrow passed to setTimeout | src/a/one.ts:11',
  ]);
});

test('a missing directory is a usage error', () => {
  assert.throws(() => execFileSync(process.execPath, [SCRIPT, join(root, 'nowhere')], { stdio: 'pipe' }), (err: { status?: number }) => err.status === 2);
});
