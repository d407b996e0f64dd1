import type { Api } from '../api/client';
import type { ApprovalRequest, ApprovalState, Box, DecisionBody, Notification } from './types';

const enc = encodeURIComponent;
const qs = (q: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** The approvals and notifications API (docs/api.md), over the client's one `call`. */
export const approvalsApi = {
  state: (api: Api, object: string, id: string) =>
    api.call<ApprovalState>('GET', `/data/${enc(object)}/${enc(id)}/approvals`),
  submit: (api: Api, object: string, id: string, comment?: string) =>
    api.call<ApprovalRequest>('POST', `/data/${enc(object)}/${enc(id)}/approvals`, { comment }),
  decide: (api: Api, requestId: string, body: DecisionBody) =>
    api.call<ApprovalRequest>('POST', `/approvals/${enc(requestId)}/decisions`, body),
  recall: (api: Api, requestId: string, comment?: string) =>
    api.call<ApprovalRequest>('POST', `/approvals/${enc(requestId)}/recall`, { comment }),
  inbox: (api: Api, box: Box, q: { object?: string; limit?: number; cursor?: string } = {}) =>
    api.call<ApprovalRequest[]>('GET', `/approvals${qs({ box, ...q })}`),
  notifications: (api: Api, q: { limit?: number; cursor?: string } = {}) =>
    api.call<Notification[]>('GET', `/notifications${qs(q)}`),
  unread: (api: Api) => api.call<{ unread: number }>('GET', '/notifications/unread-count'),
  markRead: (api: Api, body: { ids: string[] } | { all: true }) =>
    api.call<{ marked: number; unread: number }>('POST', '/notifications/read', body),
};
