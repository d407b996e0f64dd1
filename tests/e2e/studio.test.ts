import { existsSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  chooseLookup,
  fillLogin,
  langPage,
  pick,
  signedIn,
  startStack,
  type Stack,
} from './harness.js';

/**
 * The studio end to end, in a real browser against a real engine: an admin models
 * "Channel Staff Authorization / 渠道人员授权申请单" with five fields of different types, deploys it
 * after seeing the plan, and a user creates, lists, filters and edits such records. Once in
 * English, once in Chinese.
 */
const T = {
  en: {
    object: { en: 'Channel Staff Authorization', zh: '渠道人员授权申请单' },
    plural: 'Channel Staff Authorizations',
    required: 'This field is required.',
    planCreate: 'New table for',
    conflict: 'Someone else changed this record',
    shown: (n: number) => `${n} shown`,
    advanced: 'Advanced',
    quota: 'Annual quota',
    history: 'History',
    related: /^Related/,
    view: 'Advanced partners',
    allRecords: 'All records',
    date: 'Dec 31, 2026',
  },
  'zh-CN': {
    object: { en: 'Channel Staff Authorization', zh: '渠道人员授权申请单' },
    plural: 'Channel Staff Authorizations',
    required: '此字段为必填项。',
    planCreate: '新建数据表',
    conflict: '该记录已被他人修改',
    shown: (n: number) => `已显示 ${n} 条`,
    advanced: '高级',
    quota: '年度额度',
    history: '变更历史',
    related: /^相关记录/,
    view: '高级伙伴',
    allRecords: '全部记录',
    date: '2026年12月31日',
  },
} as const;

type Lang = keyof typeof T;
/** Waits for the UI, never sleeps: retried until it holds (the machine may be busy). */
const poll = <V>(fn: () => Promise<V> | V) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const OBJ = 'channel_staff_authorization';

let stack: Stack;
const haveChromium = existsSync(CHROMIUM);

beforeAll(async () => {
  if (haveChromium) stack = await startStack('acme');
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

async function addField(
  page: Page,
  f: {
    en: string;
    zh: string;
    type?: string;
    required?: boolean;
    target?: string;
    options?: [string, string][];
    unique?: boolean;
    track?: boolean;
  },
) {
  await page.getByTestId('add-field').click();
  const dlg = page.getByTestId('field-editor').locator('visible=true').first();
  await page.getByTestId('fe-label-en').fill(f.en);
  await page.getByTestId('fe-label-zh').fill(f.zh);
  if (f.type) {
    // Types are named by their label only (no API names); the option carries the type for tests.
    await page.getByTestId('fe-type').locator('.el-select__wrapper').click();
    await page.getByTestId(`fe-type-${f.type}`).click();
  }
  if (f.target) await pick(page, page.getByTestId('fe-target'), `(${f.target})`);
  if (f.options) {
    for (const [i, [en, zh]] of f.options.entries()) {
      if (i > 0) await page.getByTestId('add-option').click();
      const row = page.getByTestId(`option-${i}`);
      await row.getByTestId('option-en').fill(en);
      await row.getByTestId('option-zh').fill(zh);
    }
  }
  if (f.required) await page.getByTestId('fe-required').click();
  if (f.unique) await page.getByTestId('fe-unique').click();
  if (f.track) await page.getByTestId('fe-track').click();
  await page.getByTestId('fe-save').click();
  await dlg.waitFor({ state: 'hidden' });
}

async function modelObject(page: Page, lang: Lang) {
  await page.getByTestId('nav-setup-objects').click();
  await page.getByTestId('new-object').click();
  await page.getByTestId('obj-label-en').fill(T[lang].object.en);
  await page.getByTestId('obj-label-zh').fill(T[lang].object.zh);
  await page.getByTestId('obj-plural-en').fill(T[lang].plural);
  await poll(() => page.getByTestId('obj-name').inputValue()).toBe(OBJ);
  await page.getByRole('tab').nth(1).click();
  await addField(page, { en: 'Applicant name', zh: '申请人姓名', required: true });
  await addField(page, { en: 'Partner', zh: '合作伙伴', type: 'lookup', target: 'account' });
  await addField(page, {
    en: 'Authorization level',
    zh: '授权级别',
    type: 'picklist',
    options: [
      ['Basic', '基础'],
      ['Advanced', '高级'],
    ],
  });
  await addField(page, { en: 'Valid until', zh: '有效期至', type: 'date' });
  await addField(page, { en: 'Annual quota', zh: '年度额度', type: 'currency', track: true });
  await poll(() => page.getByTestId('fields-table').locator('tbody tr').count()).toBe(5);

  // The plan comes first: a new table, nothing deployed yet. (Nobody but admins gets access:
  // the studio asks, and this admin deploys it for administrators only.)
  await page.getByTestId('review-deploy').click();
  await page.locator('.el-message-box .admins-only').click();
  const plan = page.locator('.plan-dialog');
  await plan.locator('[data-kind="createTable"]').waitFor();
  expect(await plan.locator('[data-kind="createTable"]').innerText()).toContain(T[lang].planCreate);
  await page.getByTestId('deploy-comment').fill(`e2e ${lang}: channel staff authorization`);
  await page.getByTestId('confirm-deploy').click();
  await plan.waitFor({ state: 'hidden' });
  await page.getByTestId(`nav-${OBJ}`).waitFor();
}

async function listCount(page: Page, lang: Lang, n: number) {
  await poll(() => page.getByTestId('list-count').innerText()).toContain(T[lang].shown(n));
}

async function userFlow(page: Page, lang: Lang, accountName: string) {
  await page.getByTestId(`nav-${OBJ}`).click();
  await page.getByTestId(`list-${OBJ}`).waitFor();
  await page.getByTestId('new-record').click();
  await page.getByTestId(`form-${OBJ}`).waitFor();

  // Saving an empty form: the server's error shows at the field, in the UI language.
  await page.getByTestId('save-record').click();
  const nameItem = page.getByTestId('field-applicant_name');
  await poll(() => nameItem.locator('.el-form-item__error').innerText()).toBe(T[lang].required);

  await nameItem.locator('input').fill('Zhang Wei');
  await pick(page, page.getByTestId('field-authorization_level'), T[lang].advanced);
  const date = page.getByTestId('field-valid_until').locator('input');
  await date.fill('2026-12-31');
  await date.press('Enter');
  await page.getByTestId('field-annual_quota').locator('input').fill('50000');
  await chooseLookup(page, page.getByTestId('field-partner'), accountName);
  await page.getByTestId('save-record').click();

  await poll(() => page.getByTestId('record-title').innerText()).toBe('Zhang Wei');
  expect(await page.getByTestId('value-partner').innerText()).toContain(accountName);
  // Dates read in the UI language, like date-times.
  expect(await page.getByTestId('value-valid_until').innerText()).toContain(T[lang].date);
  expect(await page.getByTestId('value-authorization_level').innerText()).toContain(T[lang].advanced);
  expect(await page.getByTestId('value-annual_quota').innerText()).toMatch(/50,000/);
  const recordId = page.url().split('/r/')[1];

  // A second record through the API, so the list has something to filter out.
  await stackTenant(lang)
    .post(`/api/v1/data/${OBJ}`, {
      applicant_name: 'Li Na',
      authorization_level: 'basic',
      annual_quota: 1000,
    })
    .expect(201);

  // List, filter (picklist → multi-select, number → range), search.
  await page.getByTestId(`nav-${OBJ}`).click();
  await listCount(page, lang, 2);
  await page.getByTestId('toggle-filters').click();
  await pick(page, page.getByTestId('filter-authorization_level'), T[lang].advanced);
  await listCount(page, lang, 1);
  expect(await page.getByTestId('record-link').first().innerText()).toBe('Zhang Wei');
  // Kept as a saved view.
  await page.getByTestId('view-menu').click();
  await page.getByTestId('save-view').click();
  await page.locator('.el-message-box input').fill(T[lang].view);
  await page.locator('.el-message-box .el-button--primary').click();
  await page.locator('.el-message-box').waitFor({ state: 'hidden' });
  await page.getByTestId('filter-authorization_level').getByRole('button').first().click(); // ✕ removes the filter
  await listCount(page, lang, 2);
  const min = page.getByTestId('filter-annual_quota').getByTestId('filter-min').locator('input');
  await min.fill('10000');
  await min.blur();
  await listCount(page, lang, 1);
  expect(await page.getByTestId('record-link').first().innerText()).toBe('Zhang Wei');
  await min.fill('');
  await min.blur();
  await listCount(page, lang, 2);
  await page.getByTestId('list-search').fill('Li Na');
  await listCount(page, lang, 1);
  await page.getByTestId('list-search').fill('');
  await listCount(page, lang, 2);
  // The saved view is still there after a reload, and brings its filter back.
  await page.reload();
  await listCount(page, lang, 2);
  await pick(page, page.getByTestId('views'), T[lang].view);
  await listCount(page, lang, 1);
  await pick(page, page.getByTestId('views'), T[lang].allRecords);
  await listCount(page, lang, 2);

  // Edit.
  await page.goto(`${stack.url}/o/${OBJ}/r/${recordId}/edit`);
  await page.getByTestId(`form-${OBJ}`).waitFor();
  const quota = page.getByTestId('field-annual_quota').locator('input');
  await poll(() => quota.inputValue()).toContain('50000');
  await quota.fill('75000');
  await quota.blur();
  await page.getByTestId('save-record').click();
  await page.getByTestId('record-title').waitFor();
  await poll(() => page.getByTestId('value-annual_quota').innerText()).toMatch(/75,000/);
  expect(await page.getByTestId(`details-${OBJ}`).getAttribute('data-version')).toBe('2');

  // Field history: the quota's change, by whom (by name), old and new values.
  await page.getByRole('tab', { name: T[lang].history }).click();
  const history = page.getByTestId('history-table');
  await poll(() => history.getByTestId('history-field').first().innerText()).toBe(T[lang].quota);
  expect(await history.getByTestId('history-new').first().innerText()).toMatch(/75,000/);
  expect(await history.innerText()).toMatch(/50,000/);
  await poll(() => history.getByTestId('history-who').first().innerText()).toBe(await adminName(lang));

  // Someone else saves meanwhile: 412 explained, reload.
  await page.getByTestId('edit-record').click();
  await poll(() => quota.inputValue()).toContain('75000');
  await stackTenant(lang)
    .patch(`/api/v1/data/${OBJ}/${recordId}`, { applicant_name: 'Zhang Wei (updated)' })
    .expect(200);
  await quota.fill('80000');
  await quota.blur();
  await page.getByTestId('save-record').click();
  const box = page.locator('.conflict-box');
  await box.waitFor();
  expect(await box.innerText()).toContain(T[lang].conflict);
  await box.locator('.el-button--primary').click();
  await poll(() => page.getByTestId('field-applicant_name').locator('input').inputValue()).toBe(
    'Zhang Wei (updated)',
  );

  // The partner's page lists this record among its related records (children through the lookup).
  await page.goto(`${stack.url}/o/${OBJ}/r/${recordId}`);
  await page.getByTestId('value-partner').locator('a').click();
  await poll(() => page.getByTestId('record-title').innerText()).toBe(accountName);
  await page.getByRole('tab', { name: T[lang].related }).click();
  await poll(() =>
    page.getByTestId(`related-${OBJ}-partner`).getByTestId('record-link').allInnerTexts(),
  ).toEqual(['Zhang Wei (updated)']);
}

/** The signed-in admin's display name, as the studio shows people. */
async function adminName(lang: Lang): Promise<string> {
  const t = stackTenant(lang);
  const me = await t.get('/api/v1/me').expect(200);
  const names = await t.get(`/api/v1/users/lookup?ids=${me.body.data.userId as string}`).expect(200);
  return names.body.data[0].name as string;
}

/**
 * The admin changes the deployed object: renames a field's API name, deletes a field, adds a
 * unique one and moves it with the buttons; the plan names each change before the deploy.
 */
async function reviseObject(page: Page) {
  await page.getByTestId('nav-setup-objects').click();
  await page.getByTestId(`object-${OBJ}`).click();
  const table = page.getByTestId('fields-table');
  await table.waitFor();
  const order = () => rowNames(table.locator('tbody'), 'field-row-');
  await page.getByTestId('edit-field-valid_until').click();
  await page.getByTestId('fe-name').fill('valid_to');
  await page.getByTestId('fe-save').click();
  await page.getByTestId('delete-field-partner').click();
  await page.locator('.el-message-box .el-button--primary').click();
  await addField(page, { en: 'Staff email', zh: '员工邮箱', type: 'email', unique: true });
  expect(await page.getByTestId('field-new').count()).toBe(1);
  await poll(order).toEqual([
    'applicant_name',
    'authorization_level',
    'valid_to',
    'annual_quota',
    'staff_email',
  ]);
  await table.locator('tbody tr').last().getByRole('button', { name: 'Move up' }).click();
  await poll(order).toEqual([
    'applicant_name',
    'authorization_level',
    'valid_to',
    'staff_email',
    'annual_quota',
  ]);

  await page.getByTestId('review-deploy').click();
  const plan = page.locator('.plan-dialog');
  await plan.locator('[data-kind="renameColumn"]').waitFor();
  const kinds = await plan
    .locator('[data-kind]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  expect(kinds).toEqual(expect.arrayContaining(['renameColumn', 'retireColumn', 'addColumn', 'addIndex']));
  expect(await plan.locator('[data-kind="renameColumn"]').innerText()).toContain('valid_until → valid_to');
  expect(await plan.locator('[data-kind="retireColumn"]').innerText()).toContain('Partner');
  expect(await plan.locator('[data-kind="addColumn"]').innerText()).toContain(
    '“Staff email” on “Channel Staff Authorization” (Email)',
  );
  expect(await page.getByTestId('deploy-comment').inputValue()).toBe(
    'Edit object Channel Staff Authorization',
  );
  await page.getByTestId('deploy-comment').fill('e2e en: revise the form');
  // Removing "Partner" hides the partner of the record made before: the deploy waits for consent.
  const retired = page.getByTestId('plan-retired');
  expect(await retired.innerText()).toMatch(
    /“Partner” of “Channel Staff Authorization” · \d+ record\(s\) hold a value/,
  );
  expect(await page.getByTestId('confirm-deploy').isDisabled()).toBe(true);
  await page.getByTestId(`confirm-retire:${OBJ}.partner`).click();
  await page.getByTestId('confirm-deploy').click();
  await plan.waitFor({ state: 'hidden' });
  await page.getByTestId('dirty').waitFor({ state: 'hidden' });
  const pkg = (await stack.tenant.get('/api/v1/meta').expect(200)).body.data.package as Pkg;
  expect(pkg.objects.find((o) => o.name === OBJ)!.fields.map((f) => f.name)).toEqual([
    'applicant_name',
    'authorization_level',
    'valid_to',
    'staff_email',
    'annual_quota',
  ]);
}

/**
 * Drags one element onto another with real mouse events and intermediate moves (SortableJS
 * starts a drag only on movement), then keeps nudging the pointer over the target until the
 * dragged row sits before, after or (an empty list) inside it (SortableJS ignores targets while
 * its animation runs), and drops.
 */
async function drag(page: Page, from: Locator, to: Locator, where: 'before' | 'after' | 'into' = 'before') {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  const target = (await to.elementHandle())!;
  const [x0, y0] = [a.x + a.width / 2, a.y + a.height / 2];
  const [x1, y1] = [b.x + b.width / 2, b.y + b.height * { before: 0.3, after: 0.7, into: 0.5 }[where]];
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0, y0 + (y1 > y0 ? 5 : -5), { steps: 3 });
  await page.mouse.move(x1, y1, { steps: 15 });
  let k = 0;
  await poll(async () => {
    await page.mouse.move(x1, y1 + (k++ % 2 ? 1 : -1));
    return target.evaluate((t, w) => {
      const dragged = document.querySelector('.sortable-chosen');
      if (!dragged) return false;
      if (w === 'into') return dragged.parentElement === t;
      return w === 'before' ? dragged.nextElementSibling === t : dragged.previousElementSibling === t;
    }, where);
  }).toBe(true);
  await page.mouse.up();
}

const rowNames = (list: Locator, prefix: string) =>
  list.evaluate(
    (el, p) =>
      Array.from(el.querySelectorAll(`[data-testid^="${p}"]`)).map((x) =>
        x.getAttribute('data-testid')!.slice(p.length),
      ),
    prefix,
  );

type Pkg = {
  objects: { name: string; fields: { name: string }[]; layout?: { sections: { fields: string[] }[] } }[];
};

const tenants: Partial<Record<Lang, Awaited<ReturnType<Stack['te']['tenant']>>>> = {};
const stackTenant = (lang: Lang) => (lang === 'en' ? stack.tenant : tenants[lang]!);

describe.skipIf(!haveChromium)('studio in a real browser', () => {
  it('English: model an object, deploy after the plan, create/list/filter/edit records', async () => {
    const accountName = 'Acme Channel Partner';
    await stack.tenant.post('/api/v1/data/account', { name: accountName }).expect(201);
    const { ctx, page } = await signedIn(stack, 'en');
    try {
      // The language switch changes every label and is remembered across a reload.
      await page.getByTestId('lang-zh').click();
      await poll(() => page.getByTestId('nav-account').innerText()).toBe('客户');
      await page.reload();
      await poll(() => page.getByTestId('nav-account').innerText()).toBe('客户');
      await page.getByTestId('lang-en').click();
      await poll(() => page.getByTestId('nav-account').innerText()).toBe('Accounts');

      await modelObject(page, 'en');
      await userFlow(page, 'en', accountName);
      await reviseObject(page);

      // Both deploys are in the history with their comments; roll back to the first one.
      await page.getByTestId('nav-setup-versions').click();
      const versions = page.getByTestId('versions-table');
      await poll(() => versions.innerText()).toContain('e2e en: revise the form');
      expect(await versions.innerText()).toContain('e2e en: channel staff authorization');
      const list = (await stack.tenant.get('/api/v1/meta/versions').expect(200)).body.data as {
        version: number;
        comment: string | null;
      }[];
      const first = list.find((v) => v.comment === 'e2e en: channel staff authorization')!.version;
      await page.getByTestId(`rollback-${first}`).click();
      const plan = page.locator('.plan-dialog');
      await plan.locator('[data-kind="restoreColumn"]').waitFor();
      expect(await plan.locator('[data-kind="renameColumn"]').innerText()).toContain(
        'valid_to → valid_until',
      );
      expect(await page.getByTestId('deploy-comment').inputValue()).toBe(`rollback to version ${first}`);
      await page.getByTestId('confirm-deploy').click();
      await plan.waitFor({ state: 'hidden' });
      await poll(() => versions.innerText()).toContain(`rollback to version ${first}`);
      // Stored language-neutral, read in the reader's language.
      const after = (await stack.tenant.get('/api/v1/meta/versions').expect(200)).body.data as {
        comment: string | null;
      }[];
      expect(after[0].comment).toBe(`@rollback:${first}`);
      // The deleted field is back with its data.
      const rows = (await stack.tenant.get(`/api/v1/data/${OBJ}?search=Zhang`).expect(200)).body.data as {
        partner: string | null;
        valid_until: string | null;
      }[];
      expect(rows[0].partner).toBeTruthy();
      expect(rows[0].valid_until).toBe('2026-12-31');
    } finally {
      await ctx.close();
    }
  }, 240_000);

  it('中文：同样的流程', async () => {
    const { standardPackage } = await import('../../engine/src/tenancy/standard-package.js');
    const zh = await stack.te.tenant(standardPackage(), 'huanan');
    tenants['zh-CN'] = zh;
    const accountName = '华南渠道伙伴有限公司';
    await zh.post('/api/v1/data/account', { name: accountName }).expect(201);
    const { ctx, page } = await signedIn({ ...stack, tenant: zh }, 'zh-CN');
    try {
      expect(await page.getByTestId('nav-account').innerText()).toBe('客户');
      await modelObject(page, 'zh-CN');
      expect(await page.getByTestId(`nav-${OBJ}`).innerText()).toBe('渠道人员授权申请单');
      await userFlow(page, 'zh-CN', accountName);
    } finally {
      await ctx.close();
    }
  }, 240_000);
  it('sign-in errors and error pages say what happened, in the chosen language', async () => {
    const { ctx, page } = await langPage(stack.browser, 'zh-CN');
    try {
      await fillLogin(page, stack.url, stack.tenant.slug, '');
      await page.getByTestId('login-submit').click();
      await poll(() => page.locator('.el-form-item__error').first().innerText()).toBe('请填写所有字段。');
      await page.getByTestId('login-token').fill('tsr_not_a_real_token_0000000000');
      await page.getByTestId('login-submit').click();
      await poll(() => page.getByTestId('login-error').innerText()).toMatch(/[\u4e00-\u9fff]/);
      expect(page.url()).toContain('/login');
      await page.getByTestId('login-token').fill(stack.tenant.token);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('nav').waitFor();
      await page.goto(`${stack.url}/nowhere`);
      await poll(() => page.getByTestId('error-notFound').innerText()).toContain('页面不存在');
      await page.goto(`${stack.url}/o/no_such_object`);
      await poll(() => page.getByTestId('error-notFound').innerText()).toContain('不存在');
      await page.goto(`${stack.url}/o/account/r/0190a0a0-0000-7000-8000-00000000dead`);
      await page.getByTestId('error-notFound').waitFor();
    } finally {
      await ctx.close();
    }
  }, 120_000);

  it('on a phone, no screen is wider than the phone', async () => {
    const account = await stack.tenant
      .post('/api/v1/data/account', { name: 'Phone Width Trading Co.' })
      .expect(201);
    const id = account.body.data.id as string;
    for (const lang of ['en', 'zh-CN'] as const) {
      const { ctx, page } = await langPage(stack.browser, lang, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      try {
        await fillLogin(page, stack.url, stack.tenant.slug, stack.tenant.token);
        await page.getByTestId('login-submit').click();
        await page.getByTestId('user-menu').waitFor();
        const screens: [string, string][] = [
          ['/o/account', 'list-account'],
          [`/o/account/r/${id}`, 'record-title'],
          ['/o/account/new', 'form-account'],
          ['/setup/objects', 'objects-table'],
          ['/setup/objects/account', 'fields-table'],
          ['/setup/versions', 'versions-table'],
        ];
        for (const [path, testId] of screens) {
          await page.goto(`${stack.url}${path}`);
          await page.getByTestId(testId).waitFor();
          // Nothing sticks out of the page, and no table hides columns behind a sideways scroll.
          const wide = await page.evaluate(() => {
            const out: string[] = [];
            if (document.documentElement.scrollWidth > window.innerWidth)
              out.push(`page ${document.documentElement.scrollWidth}px`);
            for (const el of document.querySelectorAll('.el-table__body-wrapper .el-scrollbar__wrap'))
              if (el.scrollWidth > el.clientWidth + 1)
                out.push(`table ${el.scrollWidth}/${el.clientWidth}px`);
            return out;
          });
          expect(wide, `${lang} ${path}`).toEqual([]);
        }
        // Navigation sits in a drawer.
        await page.getByTestId('nav-toggle').click();
        await page.getByTestId('nav-account').waitFor();
      } finally {
        await ctx.close();
      }
    }
  }, 180_000);

  it('drag and drop: fields and layout reorder by dragging, deploy through the plan', async () => {
    const { ctx, page } = await signedIn(stack, 'en');
    try {
      await page.goto(`${stack.url}/setup/objects/contact`);
      const table = page.getByTestId('fields-table');
      await table.waitFor();
      // Field list: drag "title" (third) above "name" (first).
      const order = () => rowNames(table.locator('tbody'), 'field-row-');
      const before = await order();
      expect(before.slice(0, 3)).toEqual(['name', 'account', 'title']);
      await drag(page, page.getByTestId('field-handle-title'), table.locator('tbody tr').first(), 'before');
      await poll(order).toEqual(['title', ...before.filter((n) => n !== 'title')]);
      await page.getByTestId('dirty').waitFor();

      // Layout: "department" to the top of its section, then "mobile" into the first section,
      // before "title".
      await page.getByRole('tab').nth(2).click();
      const first = page.getByTestId('layout-fields-0');
      const second = page.getByTestId('layout-fields-1');
      await first.waitFor();
      const inFirst = () => rowNames(first, 'layout-field-');
      const inSecond = () => rowNames(second, 'layout-field-');
      const first0 = await inFirst();
      const second0 = await inSecond();
      expect(first0.slice(0, 4)).toEqual(['name', 'account', 'title', 'department']);
      expect(second0).toContain('mobile');
      await drag(page, page.getByTestId('layout-handle-department'), page.getByTestId('layout-field-name'));
      await poll(inFirst).toEqual(['department', ...first0.filter((n) => n !== 'department')]);
      await drag(page, page.getByTestId('layout-handle-mobile'), page.getByTestId('layout-field-title'));
      const expectedFirst = [
        'department',
        'name',
        'account',
        'mobile',
        ...first0.slice(2).filter((n) => n !== 'department'),
      ];
      await poll(inFirst).toEqual(expectedFirst);
      const expectedSecond = second0.filter((n) => n !== 'mobile');
      await poll(inSecond).toEqual(expectedSecond);
      // "notes" off the form (into the pool), then the second section above the first.
      await drag(page, page.getByTestId('layout-handle-notes'), page.getByTestId('layout-pool'), 'into');
      await page.getByTestId('pool-field-notes').waitFor();
      await poll(() => rowNames(page.getByTestId('layout-fields-2'), 'layout-field-')).toEqual([]);
      await drag(page, page.getByTestId('section-handle-1'), page.getByTestId('layout-section-0'));
      await poll(inFirst).toEqual(expectedSecond);
      await poll(inSecond).toEqual(expectedFirst);

      // Deploy through the plan: no schema change, only metadata.
      await page.getByTestId('review-deploy').click();
      const plan = page.locator('.plan-dialog');
      await plan.locator('.el-empty').waitFor();
      await page.getByTestId('confirm-deploy').click();
      await plan.waitFor({ state: 'hidden' });
      await page.getByTestId('dirty').waitFor({ state: 'hidden' });

      const pkg = (await stack.tenant.get('/api/v1/meta').expect(200)).body.data.package as Pkg;
      const contact = pkg.objects.find((o) => o.name === 'contact')!;
      expect(contact.fields.map((f) => f.name).slice(0, 3)).toEqual(['title', 'name', 'account']);
      expect(contact.layout!.sections.map((x) => x.fields)).toEqual([expectedSecond, expectedFirst, []]);
      // The editor shows the deployed order.
      await poll(inFirst).toEqual(expectedSecond);
      await poll(inSecond).toEqual(expectedFirst);
      await page.getByTestId('pool-field-notes').waitFor();
    } finally {
      await ctx.close();
    }
  }, 240_000);
});
