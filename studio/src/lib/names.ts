import { identProblem } from '../../../engine/src/core/ident';

/** An API name proposed from an English label: "Channel Staff" → "channel_staff". */
export function suggestName(label: string): string {
  const s = label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^[^a-z]+/, '');
  return s.slice(0, 40).replace(/_+$/, '');
}

/** 'pattern' | 'reserved' | null, the engine's own rule (engine/src/core/ident.ts). */
export const nameProblem = (name: string) => identProblem(name);
