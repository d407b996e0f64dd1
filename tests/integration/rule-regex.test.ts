import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef, ValidationRuleDef } from '../../engine/src/core/model.js';
import { RULE_WORK } from '../../engine/src/rules/index.js';
import { regexCost } from '../../engine/src/rules/regex.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, l, object } from '../helpers/packages.js';

// Patterns that backtrack catastrophically on a backtracking engine (14 s for 100 rules × 50
// records before RE2); RE2 runs them in time linear in the text.
const HOSTILE = ['^a*a*a*b$', '^[a-z]{1,100}[a-z]{1,100}[a-z]{1,100}b$'];
const rule = (i: number, pattern: string): ValidationRuleDef => ({
  name: `r${i}`,
  condition: { regex_test: [{ var: 'code' }, pattern] },
  message: l(`Code matches pattern ${i}`, `代码匹配模式 ${i}`),
  field: 'code',
});
const pkg = (rules: ValidationRuleDef[]): PackageDef => ({
  name: 'regex',
  objects: [object('item', [field('code', 'text', { maxLength: 255 })], { validationRules: rules })],
});

let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(pkg(Array.from({ length: 100 }, (_, i) => rule(i, HOSTILE[i % 2]))));
});
afterAll(() => te?.close());

const evil = 'a'.repeat(199) + '!';

describe('tenant regular expressions run on a linear-time engine', () => {
  // 10 s is a hang detector only: the old engine needed minutes on a loaded machine.
  it('a 50-record batch under 100 hostile rules completes', { timeout: 10_000 }, async () => {
    const r = await t.post('/api/v1/data/item/batch', {
      records: Array.from({ length: 50 }, () => ({ code: evil })),
    });
    expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
    expect(r.body.data).toHaveLength(50);
    // and the rules still decide: a matching text is refused by both kinds of rule
    const bad = await t.post('/api/v1/data/item', { code: 'aaab' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toHaveLength(100);
  });

  it('refuses a batch whose rules exceed the per-request work budget, saving nothing', async () => {
    const count = async () =>
      (await t.post('/api/v1/data/item/aggregate', { metrics: [{ fn: 'count' }] })).body.data[0].count;
    const before = await count();
    const n = 1000;
    const r = await t
      .post('/api/v1/data/item/batch', { records: Array.from({ length: n }, () => ({ code: evil })) })
      .set('Accept-Language', 'zh-CN');
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('RULE_BUDGET_EXCEEDED');
    // 50 rules of each pattern, each {regex_test, var} plus the pattern's own cost
    const perRecord = 50 * (2 + regexCost(HOSTILE[0])) + 50 * (2 + regexCost(HOSTILE[1]));
    const max = Math.floor(RULE_WORK.perRequest / perRecord);
    expect(max).toBeGreaterThanOrEqual(50);
    expect(r.body.max).toBe(max);
    expect(r.body.detail).toBe(
      `“item”的规则过多，无法在一次请求中处理 ${n} 条记录；请每次最多提交 ${max} 条。`,
    );
    expect(await count()).toBe(before);
    const fits = await t.post('/api/v1/data/item/batch', {
      records: Array.from({ length: max }, () => ({ code: evil })),
    });
    expect(fits.status).toBe(200);
  });

  it('refuses at deploy, with a pointer and in both languages, what RE2 cannot run', async () => {
    const deploy = (pattern: string, lang = 'en') =>
      t.post('/api/v1/meta/plan', { package: pkg([rule(0, pattern)]) }).set('Accept-Language', lang);
    for (const [pattern, en] of [
      ['^(a)\\1$', 'back-reference or look-around'],
      ['^(?=a)a$', 'back-reference or look-around'],
      ['(?<!x)a', 'back-reference or look-around'],
      ['\\p{L}{1,1000}\\p{L}{1,1000}', 'repeats expand'],
      ['(', 'not a valid regular expression'],
    ]) {
      const r = await deploy(pattern);
      expect(r.status, pattern).toBe(422);
      expect(r.body.errors, pattern).toEqual([
        expect.objectContaining({
          pointer: '/objects/0/validationRules/0/condition/regex_test/1',
          code: 'EXPR_BAD_REGEX',
          message: expect.stringContaining(en),
        }),
      ]);
      const zh = await deploy(pattern, 'zh-CN');
      expect(zh.body.errors[0].message).toMatch(/^正则表达式被拒绝：/);
      expect(zh.body.errors[0].message).not.toMatch(/back-reference|repeats|valid/);
    }
    // JavaScript-style escapes that RE2 spells differently are translated, not refused
    expect((await deploy('^[\\u4e00-\\u9fa5]{2,10}$')).status).toBe(200);
  });
});
