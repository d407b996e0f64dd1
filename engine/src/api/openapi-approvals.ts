/**
 * The approvals and notifications part of the OpenAPI document (docs/api.md has the prose).
 * Each operation names the token scope its route declares (`x-scope`).
 */
const problem = { $ref: '#/components/responses/Problem' };
const ref = (n: string) => ({ $ref: `#/components/schemas/${n}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const one = (n: string) => json({ type: 'object', properties: { data: ref(n) } });
const uuid = { type: 'string', format: 'uuid' };
const i18n = {
  type: 'object',
  properties: { en: { type: 'string' }, 'zh-CN': { type: 'string' } },
  required: ['en', 'zh-CN'],
};
const person = { type: ['object', 'null'], properties: { id: uuid, name: { type: ['string', 'null'] } } };
const path = (name: string) => ({ name, in: 'path', required: true, schema: uuid });
const page = (item: string) =>
  json({
    type: 'object',
    properties: {
      data: { type: 'array', items: ref(item) },
      meta: { type: 'object', properties: { next_cursor: { type: ['string', 'null'] } } },
    },
  });

export const APPROVAL_SCHEMAS: Record<string, unknown> = {
  ApprovalRequest: {
    type: 'object',
    description: 'One round of a record’s approval, with its current step, approvers and timeline.',
    properties: {
      id: uuid,
      flow: { type: 'string' },
      flowLabel: i18n,
      object: { type: 'string' },
      recordId: uuid,
      recordName: { type: ['string', 'null'], description: 'inbox lines only' },
      round: { type: 'integer' },
      status: { enum: ['pending', 'approved', 'rejected', 'recalled', 'cancelled'] },
      submitter: person,
      comment: { type: ['string', 'null'] },
      submittedAt: { type: 'string', format: 'date-time' },
      decidedAt: { type: ['string', 'null'], format: 'date-time' },
      metaVersion: { type: 'integer', description: 'the metadata version whose flow the request follows' },
      steps: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            index: { type: 'integer' },
            name: { type: 'string' },
            label: i18n,
            mode: { enum: ['any', 'all', 'first'] },
          },
        },
      },
      currentStep: {
        type: ['object', 'null'],
        properties: {
          index: { type: 'integer' },
          name: { type: 'string' },
          label: i18n,
          dueAt: { type: ['string', 'null'] },
        },
      },
      approvers: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: uuid,
            name: { type: ['string', 'null'] },
            status: { enum: ['pending', 'waiting', 'approved', 'rejected', 'transferred', 'cancelled'] },
            origin: { enum: ['route', 'transfer', 'add_before', 'add_after', 'reassign', 'escalation'] },
            taskId: uuid,
          },
        },
      },
      decisions: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            action: {
              type: 'string',
              description:
                'submit, step_entered, approve, reject, transfer, add_approver, reassign, skip, step_approved, escalate, approved, rejected, recalled, cancelled',
            },
            step: { type: ['object', 'null'] },
            actor: person,
            comment: { type: ['string', 'null'] },
            detail: { type: ['object', 'null'] },
            at: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  },
  ApprovalState: {
    type: 'object',
    properties: {
      status: { enum: ['pending', 'approved', 'rejected', 'recalled', 'cancelled', null] },
      current: {
        type: ['object', 'null'],
        properties: { requestId: uuid, step: { type: 'object' }, approvers: { type: 'array' } },
      },
      flows: { type: 'boolean', description: 'Whether any approval flow exists for the object' },
      lock: {
        type: ['object', 'null'],
        description:
          'While pending: what is locked; exempt: the caller (an approver now, an admin) may still edit',
        properties: {
          mode: { enum: ['record', 'fields'] },
          fields: { type: 'array', items: { type: 'string' } },
          exempt: { type: 'boolean' },
        },
      },
      rounds: { type: 'array', items: ref('ApprovalRequest') },
    },
  },
  ApprovalDecision: {
    type: 'object',
    properties: {
      action: { enum: ['approve', 'reject', 'transfer', 'add_approver', 'reassign'] },
      comment: { type: 'string', maxLength: 2000 },
      to: { ...uuid, description: 'transfer, add_approver, reassign: the user who takes over or is added' },
      position: { enum: ['before', 'after'], description: 'add_approver' },
      from: { ...uuid, description: 'reassign (administrators): whose pending decision moves' },
    },
    required: ['action'],
  },
  Notification: {
    type: 'object',
    properties: {
      id: uuid,
      kind: { type: 'string' },
      title: { type: 'string', description: 'in the reader’s language (Accept-Language)' },
      body: { type: ['string', 'null'] },
      link: { type: 'object', properties: { object: { type: 'string' }, recordId: uuid, requestId: uuid } },
      createdAt: { type: 'string', format: 'date-time' },
      read: { type: 'boolean' },
      readAt: { type: ['string', 'null'] },
    },
  },
};

/** Paths of approvals (per object with a flow the caller may read) and notifications. */
export function approvalPaths(objects: string[], isAdmin: boolean): Record<string, unknown> {
  const tags = ['approvals'];
  const comment = json({ type: 'object', properties: { comment: { type: 'string', maxLength: 2000 } } });
  const paths: Record<string, unknown> = {};
  for (const o of objects)
    paths[`/api/v1/data/${o}/{id}/approvals`] = {
      parameters: [path('id')],
      get: {
        tags,
        operationId: `approvals_of_${o}`,
        summary: 'Approval state and every round of the record',
        'x-scope': 'read',
        responses: { 200: { description: 'State and rounds', ...one('ApprovalState') }, default: problem },
      },
      post: {
        tags,
        operationId: `submit_${o}`,
        summary: 'Submit the record for approval (the first flow that applies, or `flow`)',
        'x-scope': 'write',
        requestBody: json({
          type: 'object',
          properties: { comment: { type: 'string' }, flow: { type: 'string' } },
        }),
        responses: { 201: { description: 'Submitted', ...one('ApprovalRequest') }, default: problem },
      },
    };
  paths['/api/v1/approvals'] = {
    get: {
      tags,
      operationId: 'approval_inbox',
      summary: 'Inbox: waiting for me (pending), decided by me (done), submitted by me',
      'x-scope': 'read',
      parameters: [
        { name: 'box', in: 'query', schema: { enum: ['pending', 'done', 'submitted'], default: 'pending' } },
        { name: 'object', in: 'query', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
      ],
      responses: { 200: { description: 'A page of requests', ...page('ApprovalRequest') }, default: problem },
    },
  };
  paths['/api/v1/approvals/{requestId}'] = {
    parameters: [path('requestId')],
    get: {
      tags,
      operationId: 'approval_request',
      'x-scope': 'read',
      responses: { 200: { description: 'The request', ...one('ApprovalRequest') }, default: problem },
    },
  };
  paths['/api/v1/approvals/{requestId}/decisions'] = {
    parameters: [path('requestId')],
    post: {
      tags,
      operationId: 'approval_decide',
      summary:
        'Approve, reject, transfer (转办), add an approver (加签) or reassign (admins); 409 when the step was decided first',
      'x-scope': 'write',
      requestBody: json(ref('ApprovalDecision')),
      responses: {
        200: { description: 'The request after the decision', ...one('ApprovalRequest') },
        default: problem,
      },
    },
  };
  paths['/api/v1/approvals/{requestId}/recall'] = {
    parameters: [path('requestId')],
    post: {
      tags,
      operationId: 'approval_recall',
      summary: 'The submitter takes the request back',
      'x-scope': 'write',
      requestBody: comment,
      responses: { 200: { description: 'Recalled', ...one('ApprovalRequest') }, default: problem },
    },
  };
  if (isAdmin)
    paths['/api/v1/meta/approval-flows/{name}/preview'] = {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        tags,
        operationId: 'approval_preview',
        summary:
          'The route a record would take: steps run or skipped and why, approvers by source; changes nothing',
        'x-scope': 'admin',
        requestBody: json({
          type: 'object',
          properties: {
            recordId: uuid,
            flow: {
              type: 'object',
              description: 'A draft of the flow (same name) to preview instead of the deployed one',
            },
          },
          required: ['recordId'],
        }),
        responses: { 200: { description: 'The route', ...json({ type: 'object' }) }, default: problem },
      },
    };
  const ntags = ['notifications'];
  paths['/api/v1/notifications'] = {
    get: {
      tags: ntags,
      operationId: 'notifications',
      summary: 'My notifications, unread first, newest first',
      'x-scope': 'read',
      parameters: [
        { name: 'unread', in: 'query', schema: { type: 'boolean' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
      ],
      responses: {
        200: { description: 'A page of notifications', ...page('Notification') },
        default: problem,
      },
    },
  };
  paths['/api/v1/notifications/unread-count'] = {
    get: {
      tags: ntags,
      operationId: 'notifications_unread',
      'x-scope': 'read',
      responses: {
        200: {
          description: 'Unread count',
          ...json({
            type: 'object',
            properties: { data: { type: 'object', properties: { unread: { type: 'integer' } } } },
          }),
        },
        default: problem,
      },
    },
  };
  paths['/api/v1/notifications/read'] = {
    post: {
      tags: ntags,
      operationId: 'notifications_mark_read',
      'x-scope': 'write',
      requestBody: json({
        type: 'object',
        properties: { ids: { type: 'array', items: uuid, maxItems: 500 }, all: { type: 'boolean' } },
      }),
      responses: {
        200: { description: 'How many were marked, and the unread count left' },
        default: problem,
      },
    },
  };
  return paths;
}
