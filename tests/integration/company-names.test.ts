import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalized } from '../../engine/src/rule-steps/index.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

/**
 * The `company` normalisation of duplicate rules, run by the database (PGlite or the server)
 * exactly as the rule runs it. Each group lists spellings of one company; different groups are
 * different companies.
 */
const SAME: [key: string, names: string[]][] = [
  [
    '上海艾可美',
    [
      '上海艾可美有限公司',
      '上海艾可美（有限公司）',
      '上海艾可美(有限公司)',
      '上海艾可美 有限公司',
      '上海艾可美　有限公司',
      '  上海艾可美有限公司  ',
      '上海艾可美有限责任公司',
      '上海艾可美股份有限公司',
      '上海艾可美集团有限公司',
      '上海艾可美集团',
      '上海艾可美公司',
      '上海艾可美',
      '【上海艾可美】',
      '《上海艾可美》有限公司',
    ],
  ],
  [
    'acme',
    [
      'Acme Co., Ltd.',
      'ACME CO.,LTD',
      'Acme Co Ltd',
      'Acme Co.',
      'Acme Company Limited',
      'Acme Limited',
      'Acme Ltd',
      'Acme Inc.',
      'Acme, Inc',
      'Acme (Inc.)',
      'Acme Incorporated',
      'Acme LLC',
      'Acme L.L.C.',
      'Acme Corporation',
      'Acme Corp.',
      'Acme GmbH',
      'ＡＣＭＥ　Ｉｎｃ．',
      'ＡＣＭＥ（Ｃｏ．，Ｌｔｄ．）',
      'acme',
    ],
  ],
  // A region in brackets is part of the name: a company registered there, its own legal entity.
  ['上海艾可美北京', ['上海艾可美（北京）有限公司', '上海艾可美(北京)有限公司', '上海艾可美北京有限公司']],
  // A branch (分公司) is not the company itself; the head company's legal form does not matter.
  [
    '上海艾可美北京分公司',
    ['上海艾可美有限公司北京分公司', '上海艾可美北京分公司', '上海艾可美股份有限公司 北京分公司'],
  ],
  ['hangzhoutesserasoftware', ['Hangzhou Tessera Software Co., Ltd.', 'HANGZHOU TESSERA SOFTWARE']],
  // a suffix is a whole word: these names merely end in its letters
  ['franco', ['Franco', 'Franco Inc.']],
  ['disco', ['Disco', 'Disco Ltd']],
  ['bigcorp', ['Bigcorp', 'BigCorp Co., Ltd.']],
];

let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant({
    name: 'companies',
    objects: [
      object('account', [field('name', 'text', { required: true })], {
        duplicateRules: [
          { name: 'same_company', match: [{ field: 'name', normalize: 'company' }], action: 'warn' },
        ],
      }),
    ],
  });
});
afterAll(() => te?.close());

async function keysOf(names: string[]): Promise<string[]> {
  const k = te.engine.db.knex;
  const values = k.raw(
    names.map(() => '(?::text, ?::int)').join(', '),
    names.flatMap((n, i) => [n, i]),
  );
  const rows = (await k
    .select({ key: normalized(k, 'v.name', 'company') })
    .from(k.raw('(values ?) as v(name, i)', [values]))
    .orderBy('v.i')) as { key: string }[];
  return rows.map((r) => r.key);
}

describe('company names normalise punctuation first, then legal forms', () => {
  it.each(SAME)('%s: every spelling gives one key', async (key, names) => {
    expect(await keysOf(names)).toEqual(names.map(() => key));
  });

  it('different companies keep different keys', async () => {
    const keys = await keysOf(SAME.map(([, names]) => names[0]));
    expect(new Set(keys).size).toBe(SAME.length);
  });

  it('a duplicate rule warns about the bracketed legal form (the reported case)', async () => {
    await t.post('/api/v1/data/account', { name: '上海艾可美有限公司' }).expect(201);
    const r = await t.post('/api/v1/data/account', { name: '上海艾可美（有限公司）' });
    expect([r.status, r.body.code]).toEqual([409, 'DUPLICATE_WARNING']);
    // a branch and a company registered in Beijing are not the same customer
    await t.post('/api/v1/data/account', { name: '上海艾可美有限公司北京分公司' }).expect(201);
    await t.post('/api/v1/data/account', { name: '上海艾可美（北京）有限公司' }).expect(201);
  });
});
