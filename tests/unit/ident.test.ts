import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compactId,
  ident,
  identProblem,
  internalIdent,
  isReservedName,
} from '../../engine/src/core/ident.js';

describe('ident(): the one checked way a name becomes an identifier', () => {
  it.each(['account', 'a', 'x1', 'close_date', 'a'.repeat(40), 'order_no', 'user_name'])(
    'accepts %s',
    (name) => {
      expect(ident(name)).toBe(name);
      expect(identProblem(name)).toBeNull();
    },
  );

  it.each([
    ['quote', 'acc"ount'],
    ['semicolon', 'a;drop table x'],
    ['space', 'a b'],
    ['uppercase', 'Account'],
    ['leading digit', '1abc'],
    ['leading underscore', '_abc'],
    ['41 chars', 'a'.repeat(41)],
    ['unicode', '客户'],
    ['accented', 'café'],
    ['empty', ''],
    ['dash', 'a-b'],
    ['dot', 'a.b'],
    ['newline', 'a\nb'],
  ])('refuses %s (pattern)', (_why, name) => {
    expect(identProblem(name)).toBe('pattern');
    expect(() => ident(name)).toThrow(/unsafe identifier/);
  });

  it.each([
    'select',
    'user',
    'order',
    'id',
    'version',
    'owner',
    'created_at',
    'table',
    'where',
    'tenant_id',
    'ctid',
    'constructor',
    'meta',
  ])('refuses reserved word %s', (name) => {
    expect(isReservedName(name)).toBe(true);
    expect(identProblem(name)).toBe('reserved');
    expect(() => ident(name)).toThrow(/reserved/);
  });

  it('refuses non-strings', () => {
    expect(identProblem(42)).toBe('pattern');
    expect(identProblem(null)).toBe('pattern');
    expect(identProblem(undefined)).toBe('pattern');
  });

  it('anything it accepts is a safe bare Postgres identifier (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        if (identProblem(s) !== null) return;
        expect(s).toMatch(/^[a-z][a-z0-9_]{0,39}$/);
        expect(Buffer.byteLength(s)).toBeLessThanOrEqual(40);
      }),
      { numRuns: 2000 },
    );
  });

  it('internalIdent accepts engine names and refuses anything else', () => {
    expect(internalIdent('_r_0123abcd')).toBe('_r_0123abcd');
    expect(internalIdent('t_acme')).toBe('t_acme');
    expect(() => internalIdent('a"b')).toThrow();
    expect(() => internalIdent('A')).toThrow();
    expect(() => internalIdent('a'.repeat(64))).toThrow();
  });

  it('compactId takes only uuids', () => {
    expect(compactId('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe('0f8fad5bd9cb469fa16570867728950e');
    expect(() => compactId('not-a-uuid')).toThrow();
    expect(() => compactId("0f8fad5b-d9cb-469f-a165-70867728950'")).toThrow();
  });
});
