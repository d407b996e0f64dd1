import type { Lang } from '../api/types';
import type { RequestStatus } from './types';

/** A time as the approval screens show it, in the UI language. */
export const when = (iso: string | null | undefined, lang: Lang) =>
  iso ? new Date(iso).toLocaleString(lang === 'zh-CN' ? 'zh-CN' : 'en-US') : '';

/** The element-plus tag colour of a request status. */
export const statusType = (s: RequestStatus | null | undefined) =>
  s === 'approved' ? 'success' : s === 'rejected' ? 'danger' : s === 'pending' ? 'warning' : 'info';
