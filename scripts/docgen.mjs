#!/usr/bin/env node
// `npm run docgen`: rewrites the section of README.md between `<!-- customize:begin -->` and
// `<!-- customize:end -->` from the customization definitions (customize/docgen.ts).
// Run after `npm run build`. `--check`: change nothing, exit 1 when the section is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { renderDocs, spliceDocs } = await import(join(root, 'dist', 'customize', 'docgen.js'));
const path = join(root, 'README.md');
const before = readFileSync(path, 'utf8');
let after;
try {
  after = spliceDocs(before, renderDocs());
} catch (err) {
  console.error(`docgen: ${err.message}; add the two marker lines to README.md first`);
  process.exit(1);
}
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('docgen: README.md section is stale; run `npm run docgen`');
    process.exit(1);
  }
  console.log('docgen: README.md is current');
} else if (after === before) {
  console.log('docgen: README.md already current');
} else {
  writeFileSync(path, after);
  console.log('docgen: README.md section rewritten');
}
