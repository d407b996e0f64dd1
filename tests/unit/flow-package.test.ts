import { describe, expect, it } from 'vitest';
import type { ApprovalFlowDef } from '../../engine/src/core/approval-model.js';
import type { PackageDef } from '../../engine/src/core/model.js';
import {
  blankAction,
  blankApprover,
  cleanFlow,
  withFlow,
} from '../../studio/src/approvals/setup/flow-package.js';

/** The flow editor's package edits: what it deploys is the flow without defaults, in its place. */
const l = (en: string) => ({ en, 'zh-CN': en });

describe('flow editor package edits', () => {
  it('leaves out defaults and blank settings, keeps what was set', () => {
    const draft: ApprovalFlowDef = {
      name: 'f',
      label: l('F'),
      object: 'o',
      description: { en: '', 'zh-CN': '' },
      businessTypes: [],
      start: { on: 'submit' },
      lock: { mode: 'record', fields: ['x'] },
      steps: [
        {
          name: 's',
          label: l('S'),
          approvers: [{ kind: 'role', role: 'boss', includeSubordinates: undefined }],
          mode: 'any',
          allowSelfApproval: false,
          escalation: { action: 'notify' },
        },
        {
          name: 't',
          label: l('T'),
          approvers: [{ kind: 'manager', levels: 2, of: 'submitter' }],
          mode: 'all',
          skipIf: { '==': [{ var: 'level' }, 'basic'] },
          dueHours: 24,
          escalation: { action: 'reassign_to_manager' },
        },
      ],
      actions: { submit: [], approved: [{ kind: 'field_update', set: { status: 'done' } }] },
    };
    expect(cleanFlow(draft)).toEqual({
      name: 'f',
      label: l('F'),
      object: 'o',
      steps: [
        // An escalation without due hours is dropped (the engine would refuse it).
        { name: 's', label: l('S'), approvers: [{ kind: 'role', role: 'boss' }] },
        {
          name: 't',
          label: l('T'),
          approvers: [{ kind: 'manager', levels: 2, of: 'submitter' }],
          mode: 'all',
          skipIf: { '==': [{ var: 'level' }, 'basic'] },
          dueHours: 24,
          escalation: { action: 'reassign_to_manager' },
        },
      ],
      actions: { approved: [{ kind: 'field_update', set: { status: 'done' } }] },
    });
    expect(cleanFlow({ ...draft, lock: { mode: 'fields', fields: ['x'] } }).lock).toEqual({
      mode: 'fields',
      fields: ['x'],
    });
    expect(cleanFlow({ ...draft, start: { on: 'create' } }).start).toEqual({ on: 'create' });
  });

  it('replaces a flow in place, adds a new one last, and says where it is', () => {
    const flow = (name: string, object = 'o'): ApprovalFlowDef => ({
      name,
      label: l(name),
      object,
      steps: [{ name: 's', label: l('S'), approvers: [blankApprover('manager')] }],
    });
    const pkg = { objects: [], approvalFlows: [flow('a'), flow('b'), flow('b', 'p')] } as PackageDef;
    const replaced = withFlow(pkg, 'o', 'b', { ...flow('b'), priority: 5 });
    expect(replaced.index).toBe(1);
    expect(replaced.pkg.approvalFlows!.map((f) => [f.name, f.object, f.priority])).toEqual([
      ['a', 'o', undefined],
      ['b', 'o', 5],
      ['b', 'p', undefined],
    ]);
    const added = withFlow(pkg, 'o', null, flow('c'));
    expect(added.index).toBe(3);
    expect(added.pkg.approvalFlows!.map((f) => f.name)).toEqual(['a', 'b', 'b', 'c']);
    expect(withFlow(pkg, 'o', 'a', null).pkg.approvalFlows!.map((f) => f.name)).toEqual(['b', 'b']);
    expect(pkg.approvalFlows).toHaveLength(3);
  });

  it('starts each approver and action kind with the settings it needs', () => {
    expect(blankApprover('related_field')).toEqual({ kind: 'related_field', path: [] });
    expect(blankApprover('queue')).toEqual({ kind: 'queue', queue: '' });
    expect(blankAction('create_record')).toEqual({ kind: 'create_record', object: '', link: '', values: {} });
  });
});
