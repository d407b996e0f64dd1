import request from 'supertest';
import { expect } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import type { TestEngine, TestTenant } from './engine.js';
import { field, l, object, opts } from './packages.js';

/**
 * A package for approval tests: a channel-staff authorization request with a reviewer (user
 * field), a level, an amount and a product line whose product manager is a user field; a role
 * hierarchy and two profiles; and a three-step flow (reviewer → finance AND legal → director when
 * the amount is large; the second step skipped for basic levels).
 */
export function approvalPackage(): PackageDef {
  return {
    name: 'approvals-test',
    objects: [
      object('product_line', [field('name', 'text', { required: true }), field('product_manager', 'user')], {
        sharing: { default: 'public_read' },
      }),
      object(
        'auth_request',
        [
          field('name', 'text', { required: true }),
          field('level', 'picklist', { options: opts('basic', 'advanced') }),
          field('amount', 'number', { precision: 14, scale: 2 }),
          field('reviewer', 'user'),
          field('notes', 'textarea'),
          field('secret', 'text'),
          field('product_line', 'lookup', { target: 'product_line' }),
          field('approval_status', 'picklist', {
            options: opts('pending', 'approved', 'rejected', 'recalled'),
          }),
        ],
        { sharing: { default: 'private' } },
      ),
      object('follow_up', [
        field('name', 'text', { required: true }),
        field('request', 'lookup', { target: 'auth_request' }),
      ]),
    ],
    roles: [
      { name: 'director', label: l('Director', '总监') },
      { name: 'region_manager', label: l('Region manager', '区域经理'), parent: 'director' },
      { name: 'rep', label: l('Rep', '销售'), parent: 'region_manager' },
      { name: 'staff', label: l('Staff', '职员'), parent: 'director' },
    ],
    profiles: [
      {
        name: 'rep',
        label: l('Rep', '销售'),
        objects: {
          auth_request: { create: true, read: true, edit: true, delete: true },
          product_line: { read: true },
          follow_up: { read: true },
        },
        fields: { auth_request: { secret: 'none' } },
      },
    ],
    queues: [{ name: 'legal', label: l('Legal', '法务'), users: ['legal1'] }],
    approvalFlows: [
      {
        name: 'auth',
        label: l('Authorization', '授权审批'),
        object: 'auth_request',
        statusField: 'approval_status',
        steps: [
          { name: 'review', label: l('Review', '复核'), approvers: [{ kind: 'field', field: 'reviewer' }] },
          {
            name: 'finance_legal',
            label: l('Finance and legal', '财务和法务'),
            mode: 'all',
            approvers: [
              { kind: 'user', users: ['finance1'] },
              { kind: 'queue', queue: 'legal' },
            ],
            skipIf: { '==': [{ var: 'level' }, 'basic'] },
          },
          {
            name: 'director',
            label: l('Director', '总监'),
            approvers: [{ kind: 'role', role: 'director' }],
            skipIf: { '<': [{ var: 'amount' }, 10000] },
          },
        ],
        actions: {
          approved: [
            { kind: 'create_record', object: 'follow_up', link: 'request', values: { name: 'Onboard' } },
          ],
        },
      },
    ],
  };
}

export type As = (
  m: 'get' | 'post' | 'patch' | 'put' | 'delete',
  path: string,
  body?: object,
) => request.Test;

/** Users (user name → [role, profile]) with a session each; returns callers and ids. */
export async function makeUsers(
  te: TestEngine,
  t: TestTenant,
  users: Record<string, [string | null, string | null]>,
): Promise<{ as: Record<string, As>; ids: Record<string, string> }> {
  const as: Record<string, As> = {};
  const ids: Record<string, string> = {};
  for (const [username, [role, profile]] of Object.entries(users)) {
    const r = await t.post('/api/v1/users', {
      username,
      displayName: `${username} name`,
      password: 'password-' + username,
      role,
      profile,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    ids[username] = r.body.data.id as string;
    const login = await request(te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username, password: 'password-' + username });
    const token = login.body.data.access_token as string;
    as[username] = (m, path, body) => {
      const q = request(te.engine.app)[m](path).set('Authorization', `Bearer ${token}`);
      return body ? q.send(body) : q;
    };
  }
  return { as, ids };
}
