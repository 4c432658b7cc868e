/**
 * The README's customization section is generated from the definitions (customize/docgen.ts);
 * this fails when it is stale: run `npm run docgen`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { customization } from '../../customize/build.js';
import { BEGIN_MARKER, END_MARKER, extractDocs, renderDocs, spliceDocs } from '../../customize/docgen.js';
import { repoRoot } from '../../sim/emulator/samples.js';


test('README.md carries the current generated customization section (npm run docgen)', () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const section = extractDocs(readme);
  assert.notEqual(section, null, `README.md has a '${BEGIN_MARKER}' ... '${END_MARKER}' section`);
  assert.equal(section, renderDocs(), 'README.md customization section is stale; run `npm run docgen`');
});

test('the docs name every function, input, rule, column, field and task', () => {
  const docs = renderDocs();
  for (const f of customization.functions) {
    assert.ok(docs.includes(`(\`${f.name}\`)`), f.name);
    for (const i of f.inputs) assert.ok(docs.includes(`\`${i}\``), `${f.name}.${i}`);
  }
  for (const r of customization.rules) assert.ok(docs.includes(`| ${r.name} |`), r.name);
  for (const w of customization.workflows) assert.ok(docs.includes(`\`${w}\``), w);
  for (const c of ['brand', 'read_only', 'distribute', 'status', 'remote_incident_id', 'last_update', 'message']) {
    assert.ok(docs.includes(`\`${c}\``), c);
  }
  for (const f of customization.incidentFields) assert.ok(docs.includes(`\`properties.${f}\``), f);
  for (const t of customization.tasks) assert.ok(docs.includes(`\`${t}\``), t);
  assert.ok(docs.endsWith('\n') && !docs.includes(BEGIN_MARKER) && !docs.includes(END_MARKER));
});

test('spliceDocs replaces only the section and refuses a README without markers', () => {
  const readme = `# x\n\nintro\n\n${BEGIN_MARKER}\nold\n${END_MARKER}\n\nafter\n`;
  const out = spliceDocs(readme, 'new\n');
  assert.equal(out, `# x\n\nintro\n\n${BEGIN_MARKER}\nnew\n${END_MARKER}\n\nafter\n`);
  assert.equal(extractDocs(out), 'new\n');
  assert.equal(spliceDocs(out, 'new\n'), out);
  assert.throws(() => spliceDocs('# no markers\n', 'x'), /customize:begin/);
  assert.equal(extractDocs('# none'), null);
});
