/**
 * Priority assessment on a SOAR that answers handles as ids. Real SOAR gives select values,
 * incident types and owners as numeric ids unless `handle_format=names` is asked for (IBM's
 * Custom Action Developer Guide, "object handles"; IBM resilient-community-apps
 * fn_datatable_utils reads "always names, not select ids"). The triage config names them as
 * users read them: an asset matched by `severity_code: [High]`, a consequence for the incident
 * type "Malware" and a custom select must still match.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { SoarClient } from '../../src/soar/client.js';
import { assessIncident } from '../../src/triage/assess.js';
import { compileTriage } from '../../src/config/triage.js';
import { makeTestPki } from '../support/certs.js';

let dir: string;
let emu: SoarEmulator;
let soar: SoarClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triage-handles-'));
  emu = await SoarEmulator.start({ pki: makeTestPki(dir) });
  emu.state.addIncidentField('site', 'select', ['Plant A', 'Plant B']);
  soar = await SoarClient.connect(emu.soarConfig());
});

after(async () => {
  await soar?.close().catch(() => undefined);
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('assess priority on handles answered as ids', () => {
  it('matches fields, incident types and custom selects named as users read them', async () => {
    const config = compileTriage({
      assets: {
        'high-severity': { fields: { severity_code: ['High'] }, operations: 2, security: 1 },
        'plant-a': { fields: { 'properties.site': ['Plant A'] }, operations: 3, security: 2 },
      },
      consequence: { default: 2, incident_types: { Malware: 4 } },
    });
    const incident = await soar.createIncident({
      name: 'Ransomware at Plant A', discovered_date: Date.now(), severity_code: 'High',
      incident_type_ids: ['Malware'], properties: { site: 'Plant A' },
    });
    const read = await soar.getIncident(incident.id);
    assert.equal(typeof read.severity_code, 'number', 'the strict emulator answers the handle as an id, as SOAR does');

    const { assessment } = await assessIncident(config, soar, incident.id);
    assert.deepEqual([assessment.top, ...assessment.others].map((a) => a.asset).sort(), ['high-severity', 'plant-a']);
    assert.equal(assessment.consequence.severity, 4, 'the incident type Malware, read by name');
  });
});
