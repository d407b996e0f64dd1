import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectDef } from '../../engine/src/core/model.js';
import {
  CUSTOM_OPS,
  checkExpression,
  compileExpression,
  envFromObjects,
  evalData,
  evaluate,
  regexProblem,
  safeRegexTest,
  truthy,
} from '../../engine/src/rules/index.js';
import { field, object, opts } from '../helpers/packages.js';

const objects: ObjectDef[] = [
  object('account', [field('name', 'text'), field('region', 'picklist', { options: opts('east', 'north') })]),
  object('opp', [
    field('name', 'text'),
    field('amount', 'currency'),
    field('stage', 'picklist', { options: opts('open', 'won', 'lost') }),
    field('tags', 'multi_picklist', { options: opts('a', 'b') }),
    field('close_date', 'date'),
    field('is_key', 'boolean'),
    field('account', 'lookup', { target: 'account' }),
  ]),
];
const env = envFromObjects(objects)('opp')!;
const issues = (e: unknown) => checkExpression(e, env).issues.map((i) => `${i.pointer} ${i.code}`);
const run = (
  e: unknown,
  record: Record<string, unknown>,
  before: Record<string, unknown> | null = null,
  lookups = {},
) => {
  const c = compileExpression(e, env, 'any');
  const r = evaluate(
    c,
    evalData({ record, before, userId: 'u1', today: '2026-03-15', now: '2026-03-15T08:00:00.000Z', lookups }),
  );
  if ('error' in r) throw new Error(r.error);
  return r.value;
};

describe('custom operations', () => {
  it('does date arithmetic on ISO dates', () => {
    expect(run({ add_days: [{ today: [] }, 20] }, {})).toBe('2026-04-04');
    expect(run({ add_days: ['2026-03-15T23:00:00.000Z', 1] }, {})).toBe('2026-03-16T23:00:00.000Z');
    expect(run({ add_months: ['2026-01-31', 1] }, {})).toBe('2026-02-28');
    expect(run({ days_between: ['2026-03-01', { var: 'close_date' }] }, { close_date: '2026-03-15' })).toBe(
      14,
    );
    expect(run({ start_of_month: ['2026-03-15'] }, {})).toBe('2026-03-01');
    expect(run({ end_of_month: ['2024-02-10'] }, {})).toBe('2024-02-29');
    expect(run({ start_of_quarter: ['2026-08-20'] }, {})).toBe('2026-07-01');
    expect(run({ start_of_year: ['2026-08-20'] }, {})).toBe('2026-01-01');
    expect(run({ year: [{ today: [] }] }, {})).toBe(2026);
    expect(run({ add_days: [null, 1] }, {})).toBeNull();
  });

  it('handles strings, blanks and numbers', () => {
    expect(run({ length: ['上海公司'] }, {})).toBe(4);
    expect(run({ length: [{ var: 'tags' }] }, { tags: ['a', 'b'] })).toBe(2);
    expect(run({ trim: ['  x '] }, {})).toBe('x');
    expect(run({ upper: ['abc'] }, {})).toBe('ABC');
    expect(run({ lower: ['ABC'] }, {})).toBe('abc');
    expect(run({ coalesce: [{ var: 'name' }, '  ', 'fallback'] }, { name: null })).toBe('fallback');
    expect(run({ is_blank: [{ var: 'name' }] }, { name: '  ' })).toBe(true);
    expect(run({ is_blank: [{ var: 'tags' }] }, { tags: [] })).toBe(true);
    expect(run({ round: [2.345, 2] }, {})).toBe(2.35);
    expect(run({ abs: [-3] }, {})).toBe(3);
    expect(run({ regex_test: [{ var: 'name' }, '^[A-Z]{2}\\d{4}$'] }, { name: 'AB1234' })).toBe(true);
    expect(run({ regex_test: [{ var: 'name' }, '^ab', 'i'] }, { name: 'ABc' })).toBe(true);
  });

  it('reads the stored record, the user, and looked-up records', () => {
    expect(run({ changed: ['amount'] }, { amount: 5 }, { amount: 5 })).toBe(false);
    expect(run({ changed: ['amount'] }, { amount: 6 }, { amount: 5 })).toBe(true);
    expect(run({ changed: ['amount'] }, { amount: 6 }, null)).toBe(true);
    expect(run({ changed: ['amount'] }, { amount: null }, null)).toBe(false);
    expect(run({ var: 'before.amount' }, { amount: 6 }, { amount: 5 })).toBe(5);
    expect(run({ var: 'user.id' }, {})).toBe('u1');
    expect(run({ var: 'account.region' }, { account: 'x' }, null, { account: { region: 'east' } })).toBe(
      'east',
    );
    expect(run({ var: 'account' }, { account: 'x' }, null, { account: { region: 'east' } })).toBe('x');
  });

  it('never throws, whatever the arguments', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(CUSTOM_OPS)),
        fc.array(fc.anything(), { maxLength: 4 }),
        (op, args) => {
          const fn = CUSTOM_OPS[op] as (...a: unknown[]) => unknown;
          expect(() => fn.apply({}, args)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('the type checker', () => {
  it('accepts well-typed expressions and names the result type', () => {
    expect(
      issues({
        and: [
          { '>': [{ var: 'amount' }, 100] },
          { '==': [{ var: 'stage' }, 'won'] },
          { in: ['a', { var: 'tags' }] },
        ],
      }),
    ).toEqual([]);
    expect(
      checkExpression({ '<': [{ var: 'close_date' }, { add_days: [{ today: [] }, 7] }] }, env).type,
    ).toBe('boolean');
    expect(checkExpression({ if: [{ var: 'is_key' }, 1, 2] }, env).type).toBe('number');
    expect(checkExpression({ var: 'account.region' }, env).type).toBe('string');
  });

  it('refuses unknown fields, operations and forbidden names with pointers', () => {
    expect(issues({ var: 'nope' })).toEqual(['/var EXPR_UNKNOWN_FIELD']);
    expect(issues({ var: 'account.nope' })).toEqual(['/var EXPR_UNKNOWN_FIELD']);
    expect(issues({ var: 'name.length' })).toEqual(['/var EXPR_UNKNOWN_FIELD']);
    expect(issues({ var: 'account.region.x' })).toEqual(['/var EXPR_UNKNOWN_FIELD']);
    expect(issues({ var: 'before.account.region' })).toEqual(['/var EXPR_UNKNOWN_FIELD']);
    expect(issues({ var: 'constructor.prototype' })).toEqual(['/var EXPR_FORBIDDEN_NAME']);
    expect(issues({ var: { cat: ['na', 'me'] } })).toEqual(['/var EXPR_VAR_PATH']);
    expect(issues({ log: 'x' })).toEqual(['/log EXPR_UNKNOWN_OP']);
    expect(issues({ method: [{ var: 'name' }, 'toString'] })).toEqual(['/method EXPR_UNKNOWN_OP']);
    expect(issues({ map: [{ var: 'tags' }, { var: '' }] })).toEqual(['/map EXPR_UNKNOWN_OP']);
    expect(issues(JSON.parse('{"__proto__": [1]}'))).toEqual(['/__proto__ EXPR_FORBIDDEN_NAME']);
    expect(issues({ a: 1, b: 2 })).toEqual([' EXPR_BAD_NODE']);
  });

  it('refuses type mismatches, wrong arity and picklist typos', () => {
    expect(issues({ '>': [{ var: 'amount' }, 'big'] })).toEqual(['/> EXPR_TYPE_MISMATCH']);
    expect(issues({ '==': [{ var: 'is_key' }, 'yes'] })).toEqual(['/== EXPR_TYPE_MISMATCH']);
    expect(issues({ '+': [{ var: 'name' }, 1] })).toEqual(['/+/0 EXPR_TYPE_MISMATCH']);
    expect(issues({ add_days: [{ var: 'name' }, 1] })).toEqual(['/add_days/0 EXPR_TYPE_MISMATCH']);
    expect(issues({ '/': [1] })).toEqual(['/~1 EXPR_ARITY']);
    expect(issues({ '==': [{ var: 'stage' }, 'wonn'] })).toEqual(['/== EXPR_NOT_AN_OPTION']);
    expect(issues({ in: [{ var: 'stage' }, ['won', 'lots']] })).toEqual(['/in/1 EXPR_NOT_AN_OPTION']);
    expect(issues({ '==': [{ var: 'account.region' }, 'west'] })).toEqual(['/== EXPR_NOT_AN_OPTION']);
    expect(issues({ changed: ['nope'] })).toEqual(['/changed/0 EXPR_UNKNOWN_FIELD']);
  });

  it('limits size and depth', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { '+': [deep, 1] };
    expect(issues(deep)).toEqual([' EXPR_TOO_BIG']);
    const wide = { and: Array.from({ length: 600 }, () => true) };
    expect(issues(wide)).toEqual([' EXPR_TOO_BIG']);
    const big = { cat: ['x'.repeat(17_000)] };
    expect(issues(big)).toEqual([' EXPR_TOO_BIG']);
  });
});

describe('regular expressions (RE2, linear time)', () => {
  it('refuses what RE2 cannot run, and over-large programs', () => {
    expect(regexProblem('(x)\\1')).toBe('unsupported');
    expect(regexProblem('(?<n>x)\\k<n>')).toBe('unsupported');
    expect(regexProblem('a(?=b)')).toBe('unsupported');
    expect(regexProblem('(?<!x)a')).toBe('unsupported');
    expect(regexProblem('\\p{L}{1,1000}')).toBe('too_complex');
    expect(regexProblem('(a{100}){100}')).toBe('too_complex');
    expect(regexProblem('a'.repeat(201))).toBe('too_long');
    expect(regexProblem('(')).toBe('syntax');
    expect(regexProblem('a', 'g')).toBe('flags');
  });

  it('accepts ordinary business patterns, and patterns that are hostile only to backtracking', () => {
    for (const p of [
      '^[A-Z]{2}\\d{6}$',
      '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$',
      '^(86)?1[3-9]\\d{9}$',
      '^\\d{15}(\\d{2}[0-9X])?$',
      '^(?:CN|HK)-\\d{4}$',
      '^[\\u4e00-\\u9fa5]{2,10}$',
      '(a+)+$',
      '^a*a*a*b$',
      '^[a-z]{1,100}[a-z]{1,100}[a-z]{1,100}b$',
    ])
      expect(regexProblem(p), p).toBeNull();
  });

  it('matches like JavaScript on ordinary patterns', () => {
    expect(safeRegexTest('中文名', '^[\\u4e00-\\u9fa5]{2,10}$')).toBe(true);
    expect(safeRegexTest('AB', '^ab$', 'i')).toBe(true);
    expect(safeRegexTest('x1', '^\\w\\d$')).toBe(true);
    expect(safeRegexTest('a\nb', '^a.b$')).toBe(false);
  });

  it('does not test over-long input or refused patterns, and ends on adversarial input', () => {
    expect(safeRegexTest('a'.repeat(201), '^a+$')).toBeNull();
    expect(safeRegexTest('x', '(x)\\1')).toBeNull();
    // each of these takes seconds on a backtracking engine; the loop returning is the assertion
    for (const p of ['^a*a*a*b$', '(a+)+$', '^(\\w+\\s?)*$', '^[a-z]{1,100}[a-z]{1,100}[a-z]{1,100}b$'])
      for (let i = 0; i < 100; i++) expect(safeRegexTest('a'.repeat(199) + '!', p)).toBe(false);
  });
});

describe('truthiness', () => {
  it('follows json-logic', () => {
    expect(truthy([])).toBe(false);
    expect(truthy('0')).toBe(true);
    expect(truthy(0)).toBe(false);
  });
});
