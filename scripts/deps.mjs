#!/usr/bin/env node
// The directory dependency graph and its layer rules: `npm run deps`, or on any checkout
// `node scripts/deps.mjs [dir]`. Reads every .ts file under src/, functions/, bin/, customize/
// and sim/ with a real parser (oxc-parser's module record: static imports and re-exports,
// type-only ones included, and dynamic imports of a literal path), prints each edge between
// two directories with its count, then fails (exit 1) on a two-way pair of directories, on an
// edge against the layer order below, or on a directory in no layer.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'oxc-parser';

// Lowest first. A directory imports only directories of lower layers; within one layer (a
// directory and its subdirectory), one way only.
const LAYERS = [
  ['customize'], // the customization definitions: no directory of the program
  ['src/core'], // helpers and shared types: imports no other directory
  ['src/config'],
  ['src/pki'], // the network's certificates (soar-clearing pki): reads names as src/config does
  ['src/http'], // the HTTP layer under both HTTPS servers
  ['src/soar'],
  ['src/clearing/contracts'], // the peer API's wire contracts
  ['src/clearing'],
  ['src/triage'],
  ['src/worker'], // the function runtime: hands the clearing network to the functions it runs
  ['src/web/ui-kit'],
  ['src/web', 'src/web/pages'],
  ['src/app'],
  ['functions'],
  ['bin'],
  ['sim', 'sim/emulator', 'sim/testbed'], // the simulator: nothing of the program imports it
];
/** Directories that may import no other directory at all (their layer's position aside). */
const IMPORT_NOTHING = new Set(['customize', 'src/core']);


const TOP_DIRS = ['src', 'functions', 'bin', 'customize', 'sim'];
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(process.argv[2] ?? join(here, '..'));

function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...tsFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Each import of a file: the specifier and whether it brings types only. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const { module: record, errors } = parseSync(file, text);
  if (errors.length > 0) throw new Error(`${relative(root, file)}: ${errors[0].message}`);
  const out = [];
  for (const i of record.staticImports) {
    // `import type {...}`, or every name type-only; a bare `import './x.js'` runs the module.
    out.push({ spec: i.moduleRequest.value, typeOnly: i.entries.length > 0 && i.entries.every((e) => e.isType) });
  }
  for (const e of record.staticExports) {
    const from = e.entries.filter((x) => x.moduleRequest !== null);
    if (from.length > 0) out.push({ spec: from[0].moduleRequest.value, typeOnly: from.every((x) => x.isType) });
  }
  for (const d of record.dynamicImports) {
    const literal = /^\s*(['"`])([^'"`$]*)\1\s*$/.exec(text.slice(d.moduleRequest.start, d.moduleRequest.end));
    if (literal) out.push({ spec: literal[2], typeOnly: false });
  }
  return out;
}

const dirOf = (path) => relative(root, dirname(path)).split(sep).join('/') || '.';

// ---- the graph
const edges = new Map(); // "a -> b" -> { count, typeOnly }
for (const top of TOP_DIRS) {
  const dir = join(root, top);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
  for (const file of tsFiles(dir)) {
    for (const { spec, typeOnly } of importsOf(file)) {
      if (!spec.startsWith('.')) continue; // a package or a node: builtin
      const from = dirOf(file);
      const to = dirOf(resolve(dirname(file), spec));
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      const edge = edges.get(key) ?? { count: 0, typeOnly: 0 };
      edge.count += 1;
      if (typeOnly) edge.typeOnly += 1;
      edges.set(key, edge);
    }
  }
}

// ---- the rules
const layerOf = new Map(LAYERS.flatMap((dirs, rank) => dirs.map((d) => [d, rank])));
const keys = [...edges.keys()].sort();
const problems = [];
for (const key of keys) {
  const [from, to] = key.split(' -> ');
  let problem = null;
  if (!layerOf.has(from) || !layerOf.has(to)) {
    problem = `${[from, to].filter((d) => !layerOf.has(d)).join(' and ')} in no layer (scripts/deps.mjs LAYERS)`;
  } else if (IMPORT_NOTHING.has(from)) {
    problem = `${from} imports no other directory`;
  } else if (layerOf.get(to) > layerOf.get(from)) {
    problem = edges.has(`${to} -> ${from}`) ? 'against the layer order, half of a two-way pair' : 'against the layer order';
  } else if (layerOf.get(to) === layerOf.get(from) && from < to && edges.has(`${to} -> ${from}`)) {
    // Within a layer either way is fine, not both: the pair is reported once.
    problem = 'two-way pair within a layer';
  }
  if (problem === null) continue;
  problems.push(`${key}  (${problem})`);
}

for (const key of keys) {
  const { count, typeOnly } = edges.get(key);
  console.log(`${key}  (${count}${typeOnly > 0 ? `, ${typeOnly} type-only` : ''})`);
}
const dirs = new Set(keys.flatMap((k) => k.split(' -> ')));
const pairs = keys.filter((k) => {
  const [a, b] = k.split(' -> ');
  return a < b && edges.has(`${b} -> ${a}`);
});
console.log(`\n${keys.length} edges between ${dirs.size} directories; two-way pairs: ${pairs.length}`);
for (const k of pairs) console.log(`  ${k.replace(' -> ', ' <-> ')}`);
if (problems.length > 0) {
  console.log(`\nfailed: ${problems.length} edge(s) against the layers:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nlayers: ok');
}
