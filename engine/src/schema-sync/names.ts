import { compactId, internalIdent, type Ident } from '../core/ident.js';

/** Engine-made physical names. They derive from stable ids, so renames never touch them. */
export const retiredName = (id: string): Ident => internalIdent(`_r_${compactId(id)}`);
export const fkName = (fieldId: string): Ident => internalIdent(`fk_${compactId(fieldId)}`);
export const uniqueIndexName = (fieldId: string): Ident => internalIdent(`uq_${compactId(fieldId)}`);
export const fieldIndexName = (fieldId: string): Ident => internalIdent(`ix_${compactId(fieldId)}`);
export const ownerIndexName = (objectId: string): Ident => internalIdent(`ixo_${compactId(objectId)}`);
export const compositeIndexName = (objectId: string, keys: string[], unique: boolean): Ident =>
  internalIdent(`${unique ? 'uqc' : 'ixc'}_${fnv1a64(objectId + ':' + keys.join(','))}`);

/** 64-bit FNV-1a as 16 hex digits: short, stable names without node's crypto (this module is pure). */
export function fnv1a64(s: string): string {
  let h = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(s);
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

export const isEngineName = (name: string) => /^(_r_|fk_|uq_|ix_|ixo_|uqc_|ixc_)/.test(name);
