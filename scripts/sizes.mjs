#!/usr/bin/env node
// `npm run sizes`: the file-size and function-length tables of a checkout, read with a real
// parser (oxc-parser: TypeScript 7 has no JS API), so comments, strings and nested functions are
// told apart the way the compiler sees them.
//
//   node scripts/sizes.mjs [dir] [--roots src,functions,bin] [--top 15]
//
// dir: the checkout to measure (default: this one); it is only read. roots: its directories
// whose .ts/.js sources are counted (.d.ts and missing roots skipped). Tables:
// - the longest files: lines, and code lines (lines holding something besides comments);
// - lines per directory (each directory's own files), with the total;
// - the longest functions and methods (declarations, expressions, arrows, methods, accessors),
//   each with file:line; a function's lines include the functions nested in it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'oxc-parser';

const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);

function usage(message) {
  process.stderr.write(`sizes: ${message}\nusage: node scripts/sizes.mjs [dir] [--roots src,functions,bin] [--top 15]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { dir: resolve(dirname(fileURLToPath(import.meta.url)), '..'), roots: ['src', 'functions', 'bin'], top: 15 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--roots') out.roots = (argv[++i] ?? usage('--roots needs a list')).split(',').filter(Boolean);
    else if (a === '--top') out.top = Number(argv[++i]);
    else if (a === '-h' || a === '--help') usage('measures a checkout');
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else out.dir = resolve(a);
  }
  if (!Number.isInteger(out.top) || out.top < 1) usage('--top needs a whole number >= 1');
  if (!statSync(out.dir, { throwIfNoEntry: false })?.isDirectory()) usage(`not a directory: ${out.dir}`);
  return out;
}

function sourcesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...sourcesUnder(path));
    } else if (entry.isFile() && SOURCE.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** Offsets where each line starts, for offset -> 1-based line. */
function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineOf(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function lineCount(text) {
  if (text.length === 0) return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

/** Lines holding something besides whitespace and comments. */
function codeLines(text, comments) {
  let blanked = text;
  if (comments.length > 0) {
    const parts = [];
    let at = 0;
    for (const c of comments) {
      parts.push(text.slice(at, c.start), text.slice(c.start, c.end).replace(/[^\n]/g, ' '));
      at = c.end;
    }
    parts.push(text.slice(at));
    blanked = parts.join('');
  }
  return blanked.split('\n').filter((l) => l.trim() !== '').length;
}

function keyName(key) {
  if (!key) return null;
  if (key.type === 'Identifier' || key.type === 'PrivateIdentifier') return key.type === 'PrivateIdentifier' ? `#${key.name}` : key.name;
  if (key.type === 'Literal') return String(key.value);
  return '[computed]';
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function calleeName(callee) {
  if (callee?.type === 'Identifier') return callee.name;
  if (callee?.type === 'MemberExpression' && !callee.computed) return `${calleeName(callee.object) ?? '…'}.${keyName(callee.property)}`;
  if (callee?.type === 'ThisExpression') return 'this';
  return null;
}

/**
 * Every function of a program: { name, start, end }, the span holding its name too (a method's
 * key, a variable's declarator). A function without a name of its own is named by where it is:
 * `Outer › arrow passed to setTimeout`.
 */
function functionsOf(program) {
  const found = [];
  const own = (fn, parent, cls) => {
    if (fn.type === 'FunctionDeclaration') return { name: fn.id?.name ?? '<default export>', start: fn.start, end: fn.end };
    if (parent?.type === 'MethodDefinition') {
      const kind = parent.kind === 'get' || parent.kind === 'set' ? `${parent.kind} ` : '';
      const name = parent.kind === 'constructor' ? 'constructor' : keyName(parent.key);
      return { name: `${kind}${cls ?? '<class>'}.${name}`, start: parent.start, end: parent.end };
    }
    if (parent?.type === 'PropertyDefinition') return { name: `${cls ?? '<class>'}.${keyName(parent.key)}`, start: parent.start, end: parent.end };
    if (parent?.type === 'Property') return { name: keyName(parent.key), start: parent.start, end: parent.end, nested: true };
    if (parent?.type === 'VariableDeclarator' && parent.id?.type === 'Identifier') return { name: parent.id.name, start: parent.start, end: parent.end, nested: true };
    if (fn.id?.name) return { name: fn.id.name, start: fn.start, end: fn.end, nested: true };
    const kind = fn.type === 'ArrowFunctionExpression' ? 'arrow' : 'function';
    const callee = parent?.type === 'CallExpression' || parent?.type === 'NewExpression' ? calleeName(parent.callee) : null;
    const what = callee ? `${kind} passed to ${parent.type === 'NewExpression' ? 'new ' : ''}${callee}` : kind;
    return { name: what, start: fn.start, end: fn.end, nested: true };
  };
  const walk = (node, parent, cls, outer) => {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') cls = node.id?.name ?? cls ?? '<class>';
    if (FUNCTION_TYPES.has(node.type)) {
      const f = own(node, parent, cls);
      // Named by where it is only inside another function; at top level its own name says it.
      if (f.nested && outer) f.name = `${outer} › ${f.name}`;
      found.push(f);
      outer = f.name;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'parent' || value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) for (const child of value) walk(child, node, cls, outer);
      else walk(value, node, cls, outer);
    }
  };
  walk(program, null, null, null);
  return found;
}

function measure(root, file) {
  const text = readFileSync(file, 'utf8');
  const rel = relative(root, file).split(sep).join('/');
  const result = parseSync(rel, text);
  if (result.errors.length > 0) {
    const e = result.errors[0];
    throw new Error(`${rel}: cannot parse (${e.message ?? e})`);
  }
  const starts = lineStarts(text);
  const functions = functionsOf(result.program).map((f) => {
    const line = lineOf(starts, f.start);
    return { name: f.name, file: rel, line, lines: lineOf(starts, Math.max(f.start, f.end - 1)) - line + 1 };
  });
  return { file: rel, dir: rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '.', lines: lineCount(text), code: codeLines(text, result.comments), functions };
}

const n = (v) => v.toLocaleString('en-US');
const pad = (v, w) => String(v).padStart(w);

/** `align`: one letter per column, r (numbers) or l (text). */
function table(title, header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (c, i) => (align[i] === 'r' ? pad(c, widths[i]) : String(c).padEnd(widths[i]));
  const line = (cells) => `  ${cells.map(cell).join('  ')}`.trimEnd();
  return [title, line(header), ...rows.map(line)].join('\n');
}

const args = parseArgs(process.argv.slice(2));
const roots = args.roots.filter((r) => statSync(join(args.dir, r), { throwIfNoEntry: false })?.isDirectory());
const files = roots.flatMap((r) => sourcesUnder(join(args.dir, r))).sort().map((f) => measure(args.dir, f));
const total = files.reduce((t, f) => ({ lines: t.lines + f.lines, code: t.code + f.code }), { lines: 0, code: 0 });

const byDir = new Map();
for (const f of files) {
  const d = byDir.get(f.dir) ?? { files: 0, lines: 0, code: 0 };
  byDir.set(f.dir, { files: d.files + 1, lines: d.lines + f.lines, code: d.code + f.code });
}
const functions = files.flatMap((f) => f.functions).sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);

const out = [
  `sizes of ${args.dir} (${roots.map((r) => `${r}/`).join(' ') || 'no root found'}): ${n(files.length)} files, ${n(total.lines)} lines, ${n(total.code)} code lines, ${n(functions.length)} functions`,
  '',
  table(`The ${args.top} longest files`, ['lines', 'code', 'file'],
    [...files].sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file)).slice(0, args.top).map((f) => [n(f.lines), n(f.code), f.file]), 'rrl'),
  '',
  table('Lines per directory (its own files)', ['files', 'lines', 'code', 'directory'], [
    ...[...byDir].sort(([a], [b]) => a.localeCompare(b)).map(([d, t]) => [t.files, n(t.lines), n(t.code), `${d}/`]),
    [files.length, n(total.lines), n(total.code), 'total'],
  ], 'rrrl'),
  '',
  table(`The ${args.top} longest functions and methods`, ['lines', 'function', 'where'],
    functions.slice(0, args.top).map((f) => [f.lines, f.name, `${f.file}:${f.line}`]), 'rll'),
];
process.stdout.write(`${out.join('\n')}\n`);
