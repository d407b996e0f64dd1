import { internalIdent as ident } from '../core/ident.js';

/** The engine's columns on every object table (see core/ident SYSTEM_FIELDS). */
export const SYSTEM_COLUMNS = {
  id: ident('id'),
  owner: ident('owner'),
  createdAt: ident('created_at'),
  createdBy: ident('created_by'),
  updatedAt: ident('updated_at'),
  updatedBy: ident('updated_by'),
  version: ident('version'),
} as const;
