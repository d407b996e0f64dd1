import { describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { validatePackage } from '../../engine/src/metadata/validate.js';
import { field, l, object, opts } from '../helpers/packages.js';

const base = (): PackageDef => ({
  objects: [
    object('account', [
      field('name', 'text'),
      field('region', 'picklist', { options: opts('east', 'north') }),
      field('open_count', 'rollup', {
        summary: { object: 'deal', via: 'account', fn: 'count', filter: { stage: { eq: 'open' } } },
      }),
    ]),
    object(
      'deal',
      [
        field('name', 'text'),
        field('amount', 'number'),
        field('stage', 'picklist', { options: opts('open', 'won') }),
        field('line', 'picklist', { options: opts('hvac', 'logistics') }),
        field('series', 'picklist', {
          options: opts('vrf', 'express'),
          controllingField: 'line',
          dependencies: { hvac: ['vrf'], logistics: ['express'] },
        }),
        field('account', 'lookup', { target: 'account' }),
        field('region', 'formula', { returnType: 'text', expression: { var: 'account.region' } }),
        field('close_date', 'date', { defaultExpression: { add_days: [{ today: [] }, 30] } }),
        field('reason', 'text', { requiredIf: { '==': [{ var: 'stage' }, 'won'] } }),
      ],
      {
        validationRules: [
          {
            name: 'positive',
            condition: { '<': [{ var: 'amount' }, 0] },
            message: l('Positive', '正数'),
            field: 'amount',
          },
        ],
        duplicateRules: [
          {
            name: 'same_name',
            match: [{ field: 'name', normalize: 'company', similarity: 0.6 }],
            action: 'warn',
          },
        ],
      },
    ),
  ],
});
const problems = (pkg: PackageDef) => {
  const r = validatePackage(pkg);
  return r.ok ? [] : r.issues.map((i) => `${i.pointer} ${i.code}`).sort();
};
const deal = (p: PackageDef) => p.objects[1];
const f = (p: PackageDef, name: string) => deal(p).fields.find((x) => x.name === name)!;

describe('deploy-time checks of rules', () => {
  it('accepts a package with every rule kind', () => {
    expect(problems(base())).toEqual([]);
  });

  it('type-checks every expression and reports JSON pointers', () => {
    const p = base();
    f(p, 'reason').requiredIf = { '==': [{ var: 'stage' }, 'lost'] };
    f(p, 'reason').readOnlyIf = { '>': [{ var: 'name' }, 3] };
    f(p, 'close_date').defaultExpression = 'soon';
    f(p, 'region').expression = { var: 'account.country' };
    deal(p).validationRules![0].condition = { '+': [{ var: 'amount' }, 1] };
    expect(problems(p)).toEqual([
      '/objects/1/fields/6/expression/var EXPR_UNKNOWN_FIELD',
      '/objects/1/fields/7/defaultExpression EXPR_RESULT_TYPE',
      '/objects/1/fields/8/readOnlyIf/> EXPR_TYPE_MISMATCH',
      '/objects/1/fields/8/requiredIf/== EXPR_NOT_AN_OPTION',
      '/objects/1/validationRules/0/condition EXPR_RESULT_TYPE',
    ]);
  });

  it('checks validation rules, dependent picklists, duplicate rules and roll-up filters', () => {
    const p = base();
    deal(p).validationRules!.push({ name: 'positive', condition: true, message: l('x'), field: 'nope' });
    f(p, 'series').dependencies = { hvac: ['vrf', 'chiller'], marine: [] };
    deal(p).duplicateRules!.push({ name: 'amount', match: [{ field: 'amount' }], action: 'block' });
    p.objects[0].fields[2].summary!.filter = { stage: { gt: 'open' } };
    expect(problems(p)).toEqual([
      '/objects/0/fields/2/summary/filter/stage/gt EXPR_UNKNOWN_OP',
      '/objects/1/duplicateRules/1/match/0 META_DUPLICATE_MATCH',
      '/objects/1/fields/4/dependencies/hvac/1 META_DEPENDENT_PICKLIST',
      '/objects/1/fields/4/dependencies/marine META_DEPENDENT_PICKLIST',
      '/objects/1/validationRules/1/field META_UNKNOWN_FIELD',
      '/objects/1/validationRules/1/name META_DUPLICATE_NAME',
    ]);
  });

  it('checks roll-up filters like expressions: options, fields, operators, operand types', () => {
    const p = base();
    const filter = (f: unknown) => (p.objects[0].fields[2].summary!.filter = f as never);
    filter({ stage: { eq: 'executive_visit' } });
    expect(problems(p)).toEqual(['/objects/0/fields/2/summary/filter/stage/eq EXPR_NOT_AN_OPTION']);
    filter({ stage: 'wonn' });
    expect(problems(p)).toEqual(['/objects/0/fields/2/summary/filter/stage EXPR_NOT_AN_OPTION']);
    filter({
      or: [
        { stage: { in: ['open', 'lost'] } },
        { stag: { eq: 'open' } },
        { amount: { gt: 'big', between: [1, 2] } },
        { not: { line: { nin: [] } } },
        { created_at: { gt: 'yesterday' } },
        { name: { isNull: 'yes' } },
      ],
    });
    expect(problems(p)).toEqual([
      '/objects/0/fields/2/summary/filter/or/0/stage/in/1 EXPR_NOT_AN_OPTION',
      '/objects/0/fields/2/summary/filter/or/1/stag EXPR_UNKNOWN_FIELD',
      '/objects/0/fields/2/summary/filter/or/2/amount/between EXPR_UNKNOWN_OP',
      '/objects/0/fields/2/summary/filter/or/2/amount/gt EXPR_TYPE_MISMATCH',
      '/objects/0/fields/2/summary/filter/or/3/not/line/nin EXPR_TYPE_MISMATCH',
      '/objects/0/fields/2/summary/filter/or/4/created_at/gt EXPR_TYPE_MISMATCH',
      '/objects/0/fields/2/summary/filter/or/5/name/isNull EXPR_TYPE_MISMATCH',
    ]);
    filter({ and: [] });
    expect(problems(p)).toEqual(['/objects/0/fields/2/summary/filter/and META_FILTER_SHAPE']);
    // a valid filter over options, system fields, formulas and lookups passes
    filter({
      stage: { in: ['open', 'won'] },
      line: 'hvac',
      owner: { ne: null },
      version: { gte: 1 },
      region: { contains: 'ea' },
      not: { amount: { lt: 0 } },
    });
    expect(problems(p)).toEqual([]);
  });

  it('checks sharing rule filters the same way', () => {
    const p = base();
    p.roles = [{ name: 'east', label: l('East') }];
    deal(p).sharing = {
      default: 'private',
      rules: [{ name: 'won_east', role: 'east', access: 'read', filter: { stage: { eq: 'closed_won' } } }],
    };
    expect(problems(p)).toEqual(['/objects/1/sharing/rules/0/filter/stage/eq EXPR_NOT_AN_OPTION']);
  });

  it('refuses formula cycles, computed defaults on computed fields and unsafe regexes', () => {
    const p = base();
    deal(p).fields.push(
      field('a', 'formula', { returnType: 'number', expression: { '+': [{ var: 'b' }, 1] } }),
      field('b', 'formula', { returnType: 'number', expression: { '+': [{ var: 'a' }, 1] } }),
      field('code', 'text', { default: 'x', defaultExpression: 'y' }),
    );
    deal(p).validationRules!.push({
      name: 'redos',
      condition: { regex_test: [{ var: 'name' }, '(a)\\1'] },
      message: l('x'),
    });
    expect(problems(p)).toEqual([
      '/objects/1/fields/10/expression META_FORMULA_CYCLE',
      '/objects/1/fields/11/defaultExpression META_BAD_DEFAULT',
      '/objects/1/fields/9/expression META_FORMULA_CYCLE',
      '/objects/1/validationRules/1/condition/regex_test/1 EXPR_BAD_REGEX',
    ]);
  });

  it('refuses unknown shapes of rules (JSON Schema)', () => {
    const p = base();
    (deal(p).validationRules![0] as unknown as Record<string, unknown>).severity = 'high';
    (deal(p).duplicateRules![0] as unknown as Record<string, unknown>).action = 'merge';
    const r = validatePackage(p);
    expect(r.ok).toBe(false);
  });
});
