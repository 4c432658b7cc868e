#!/usr/bin/env node
// `npm run workflows`: writes workflows/<programmatic_name>.bpmn from customize/workflows.ts
// (the same XML the export.res carries) and removes .bpmn files no workflow renders any more.
// Run after `npm run build`. `--check`: change nothing, exit 1 when a file is stale or extra.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { workflowFiles, WORKFLOWS_DIR } = await import(join(root, 'dist', 'customize', 'build.js'));
const check = process.argv.includes('--check');
const dir = join(root, WORKFLOWS_DIR);
const wanted = new Map(workflowFiles().map((f) => [join(root, f.path), f.content]));
const present = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.bpmn')).map((n) => join(dir, n)) : [];
const stale = [];
for (const [path, content] of wanted) {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
  stale.push(path);
  if (!check) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, content);
  }
}
const extra = present.filter((p) => !wanted.has(p));
if (!check) for (const p of extra) rmSync(p);
const rel = (p) => p.slice(root.length + 1);
if (check) {
  if (stale.length + extra.length > 0) {
    console.error(`workflows: stale ${stale.map(rel).join(', ') || '-'}; extra ${extra.map(rel).join(', ') || '-'}; run \`npm run workflows\``);
    process.exit(1);
  }
  console.log(`workflows: ${wanted.size} files current`);
} else {
  console.log(`workflows: ${stale.length} written, ${extra.length} removed, ${wanted.size - stale.length} unchanged`);
}
