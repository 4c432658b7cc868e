/**
 * Renders a workflow as SOAR BPMN: the XML SOAR's workflow designer writes (BPMN 2.0 with the
 * `resilient` extension namespace), one service task per function call, in a straight line,
 * with a diagram so the designer can display and edit it.
 */

export const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
export const RESILIENT_NS = 'http://resilient.ibm.com/bpmn';

/** One service task: the function it calls and the JSON SOAR keeps in `<resilient:function>`. */
export interface BpmnTask {
  readonly name: string;
  readonly functionUuid: string;
  readonly payload: string;
}

export interface BpmnWorkflow {
  readonly id: string;
  readonly name: string;
  readonly documentation: string;
  readonly tasks: readonly BpmnTask[];
}

const START_EVENT_ID = 'StartEvent_155asxm';

function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escAttr(s: string): string {
  return escText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}

const X0 = 162;
const STEP = 200;
const TASK_W = 100;
const TASK_H = 80;
const EVENT = 36;
const MID_Y = 206;

/** The BPMN document, pretty-printed, ending with a newline. */
export function renderBpmn(wf: BpmnWorkflow): string {
  const n = wf.tasks.length;
  const taskId = (i: number): string => `ServiceTask_${i + 1}`;
  const flowId = (i: number): string => `SequenceFlow_${i + 1}`;
  const endId = 'EndEvent_1';
  const nodes = [START_EVENT_ID, ...wf.tasks.map((_, i) => taskId(i)), endId];
  const taskX = (i: number): number => X0 + EVENT + 100 + i * STEP;
  const endX = taskX(n - 1) + TASK_W + 100;

  const L: string[] = [];
  L.push('<?xml version="1.0" encoding="UTF-8"?>');
  L.push(
    `<definitions xmlns="${BPMN_NS}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" ` +
      'xmlns:omgdc="http://www.omg.org/spec/DD/20100524/DC" xmlns:omgdi="http://www.omg.org/spec/DD/20100524/DI" ' +
      `xmlns:resilient="${RESILIENT_NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ` +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://www.camunda.org/test">',
  );
  L.push(`  <process id="${escAttr(wf.id)}" isExecutable="true" name="${escAttr(wf.name)}">`);
  L.push(`    <documentation>${escText(wf.documentation)}</documentation>`);
  L.push(`    <startEvent id="${START_EVENT_ID}">`);
  L.push(`      <outgoing>${flowId(0)}</outgoing>`);
  L.push('    </startEvent>');
  wf.tasks.forEach((t, i) => {
    L.push(`    <serviceTask id="${taskId(i)}" name="${escAttr(t.name)}" resilient:type="function">`);
    L.push('      <extensionElements>');
    L.push(`        <resilient:function uuid="${escAttr(t.functionUuid)}">${escText(t.payload)}</resilient:function>`);
    L.push('      </extensionElements>');
    L.push(`      <incoming>${flowId(i)}</incoming>`);
    L.push(`      <outgoing>${flowId(i + 1)}</outgoing>`);
    L.push('    </serviceTask>');
  });
  L.push(`    <endEvent id="${endId}">`);
  L.push(`      <incoming>${flowId(n)}</incoming>`);
  L.push('    </endEvent>');
  for (let i = 0; i <= n; i++) {
    L.push(`    <sequenceFlow id="${flowId(i)}" sourceRef="${nodes[i]}" targetRef="${nodes[i + 1]}"/>`);
  }
  L.push('  </process>');
  L.push('  <bpmndi:BPMNDiagram id="BPMNDiagram_1">');
  L.push('    <bpmndi:BPMNPlane bpmnElement="undefined" id="BPMNPlane_1">');
  const shape = (id: string, x: number, y: number, w: number, h: number): void => {
    L.push(`      <bpmndi:BPMNShape bpmnElement="${id}" id="${id}_di">`);
    L.push(`        <omgdc:Bounds height="${h}" width="${w}" x="${x}" y="${y}"/>`);
    L.push('      </bpmndi:BPMNShape>');
  };
  shape(START_EVENT_ID, X0, MID_Y - EVENT / 2, EVENT, EVENT);
  wf.tasks.forEach((_, i) => shape(taskId(i), taskX(i), MID_Y - TASK_H / 2, TASK_W, TASK_H));
  shape(endId, endX, MID_Y - EVENT / 2, EVENT, EVENT);
  const rightEdge = (i: number): number => (i === 0 ? X0 + EVENT : taskX(i - 1) + TASK_W);
  const leftEdge = (i: number): number => (i === n ? endX : taskX(i));
  for (let i = 0; i <= n; i++) {
    L.push(`      <bpmndi:BPMNEdge bpmnElement="${flowId(i)}" id="${flowId(i)}_di">`);
    L.push(`        <omgdi:waypoint x="${rightEdge(i)}" xsi:type="omgdc:Point" y="${MID_Y}"/>`);
    L.push(`        <omgdi:waypoint x="${leftEdge(i)}" xsi:type="omgdc:Point" y="${MID_Y}"/>`);
    L.push('      </bpmndi:BPMNEdge>');
  }
  L.push('    </bpmndi:BPMNPlane>');
  L.push('  </bpmndi:BPMNDiagram>');
  L.push('</definitions>');
  return `${L.join('\n')}\n`;
}
