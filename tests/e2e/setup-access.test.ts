import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, langPage, pick, signedIn, startStack, type Stack } from './harness.js';

/**
 * An administrator finishes setup alone, in a real browser against a real engine: creates an
 * object, gives the Sales Rep profile access in the studio (while creating the object in English;
 * afterwards, in Setup → Profiles, in Chinese), creates a rep in Setup → Users, and the rep signs
 * in with their password, sees the new object and creates a record of it. Then every setup screen
 * at phone width, without sideways scrolling.
 */
const PASSWORD = 'rep-password-1';
const T = {
  en: {
    object: { en: 'Site Inspection', zh: '现场检查', plural: 'Site Inspections' },
    name: 'site_inspection',
    field: { en: 'Inspector', zh: '检查人' },
    rep: { username: 'rep_en', name: 'Wang Fang' },
    granted: 'Sales Rep gains Read, Create, Edit on Site Inspections',
    emptyList: /No Site Inspections yet|No records|No data/i,
    profile: 'Sales Rep',
    role: 'Sales Rep, East',
  },
  'zh-CN': {
    object: { en: 'Service Ticket', zh: '服务工单', plural: 'Service Tickets' },
    name: 'service_ticket',
    field: { en: 'Subject', zh: '主题' },
    rep: { username: 'rep_zh', name: '李娜' },
    granted: '销售代表获得“服务工单”的查看、新建、编辑权限',
    emptyList: /暂无|没有/,
    profile: '销售代表',
    role: '华东销售代表',
  },
} as const;
type Lang = keyof typeof T;

/** Waits for the UI, never sleeps: retried until it holds (the machine may be busy). */
const poll = <V>(fn: () => Promise<V> | V) => expect.poll(fn, { timeout: 15_000, interval: 100 });
let stack: Stack;
const haveChromium = existsSync(CHROMIUM);

beforeAll(async () => {
  if (haveChromium) stack = await startStack('setupco');
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

/** Object manager → New object, with one required text field; stops before Review & deploy. */
async function draftObject(page: Page, lang: Lang) {
  const o = T[lang];
  await page.getByTestId('nav-setup-objects').click();
  await page.getByTestId('new-object').click();
  await page.getByTestId('obj-label-en').fill(o.object.en);
  await page.getByTestId('obj-label-zh').fill(o.object.zh);
  await page.getByTestId('obj-plural-en').fill(o.object.plural);
  await poll(() => page.getByTestId('obj-name').inputValue()).toBe(o.name);
  await page.getByRole('tab').nth(1).click();
  await page.getByTestId('add-field').click();
  const dlg = page.getByTestId('field-editor').locator('visible=true').first();
  await page.getByTestId('fe-label-en').fill(o.field.en);
  await page.getByTestId('fe-label-zh').fill(o.field.zh);
  await page.getByTestId('fe-required').click();
  await page.getByTestId('fe-save').click();
  await dlg.waitFor({ state: 'hidden' });
}

/** Review & deploy → the plan (with what changes for whom) → Deploy. Returns the summary's text. */
async function deployPlan(page: Page): Promise<string> {
  const plan = page.locator('.plan-dialog');
  await plan.waitFor();
  await page.getByTestId('confirm-deploy').and(page.locator(':not([disabled])')).waitFor();
  const summary = plan.getByTestId('change-summary');
  const text = (await summary.count()) ? await summary.innerText() : '';
  await page.getByTestId('confirm-deploy').click();
  await plan.waitFor({ state: 'hidden' });
  return text;
}

/** Setup → Users → New user, with a password, the Sales Rep profile and an East role. */
async function createRep(page: Page, lang: Lang) {
  const o = T[lang];
  await page.getByTestId('nav-setup-users').click();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('new-user').click();
  const dlg = page.getByTestId('user-dialog').locator('visible=true').first();
  // Saving an empty form names what is missing, and each error goes as soon as it is fixed.
  await page.getByTestId('user-save').click();
  const nameItem = page.getByTestId('user-dialog').locator('.el-form-item', {
    has: page.getByTestId('user-display-name'),
  });
  await nameItem.locator('.el-form-item__error').waitFor();
  await page.getByTestId('user-display-name').fill(o.rep.name);
  await poll(() => nameItem.locator('.el-form-item__error').count()).toBe(0);
  await page.getByTestId('user-username').fill(o.rep.username);
  await page.getByTestId('user-password').fill(PASSWORD);
  await pick(page, page.getByTestId('user-profile'), o.profile);
  await pick(page, page.getByTestId('user-role'), o.role);
  await page.getByTestId('user-save').click();
  await dlg.waitFor({ state: 'hidden' });
  await page.getByTestId(`user-row-${o.rep.username}`).waitFor();
  expect(await page.getByTestId('users-table').innerText()).toContain(o.profile);
}

/** The rep signs in with their password in a browser of their own (a fresh one: no remembered tab). */
async function signInAsRep(lang: Lang): Promise<Page> {
  const { page } = await langPage(stack.browser, lang, { viewport: { width: 1280, height: 860 } });
  await page.goto(`${stack.url}/login`);
  // A fresh browser opens on the password tab: people sign in with a password.
  expect(await page.getByTestId('login-password').isVisible()).toBe(true);
  expect(await page.getByTestId('login-token').count()).toBe(0);
  await page.getByTestId('login-tenant').fill(stack.tenant.slug);
  await page.getByTestId('login-username').fill(T[lang].rep.username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
  return page;
}

/** The rep opens the new object from the navigation and creates a record of it. */
async function repCreatesRecord(page: Page, lang: Lang) {
  const o = T[lang];
  await page.getByTestId(`nav-${o.name}`).click();
  await page.getByTestId(`list-${o.name}`).waitFor();
  await page.getByTestId('new-record').click();
  await page.getByTestId(`form-${o.name}`).waitFor();
  const value = `${o.rep.name} · 2027-03-01`;
  await page.getByTestId(`field-${o.field.en.toLowerCase()}`).locator('input').fill(value);
  await page.getByTestId('save-record').click();
  await poll(() => page.getByTestId('record-title').innerText()).toBe(value);
  // No Setup for a rep.
  expect(await page.getByTestId('nav-setup-objects').count()).toBe(0);
  // The header search finds it among everything the rep may read, and opens it.
  await page.getByTestId('nav-home').click();
  await page.getByTestId('global-search').fill(o.rep.name);
  const hit = page.getByTestId(`search-hit-${o.name}`);
  await poll(() => hit.count()).toBeGreaterThan(0);
  expect(await page.getByTestId('global-search-results').innerText()).toContain(
    lang === 'en' ? o.object.plural : o.object.zh,
  );
  await hit.first().click();
  await poll(() => page.getByTestId('record-title').innerText()).toBe(value);
}

describe.skipIf(!haveChromium)('an administrator grants a new object to reps, in the studio', () => {
  it('in English: access chosen while creating the object', async () => {
    const { page } = await signedIn(stack, 'en');
    await draftObject(page, 'en');
    // Access: Sales Rep may read, create and edit; deployed with the object, in one plan.
    await page.getByRole('tab', { name: 'Access' }).click();
    await page.getByTestId('access-nobody').waitFor();
    await page.getByTestId('access-sales_rep-edit').click();
    await poll(() => page.getByTestId('access-nobody').count()).toBe(0);
    await page.getByTestId('review-deploy').click();
    const summary = await deployPlan(page);
    expect(summary).toContain(T.en.granted);
    await page.getByTestId(`nav-${T.en.name}`).waitFor();

    await createRep(page, 'en');
    const rep = await signInAsRep('en');
    await repCreatesRecord(rep, 'en');
    await rep.context().close();
    await page.context().close();
  }, 180_000);

  it('in Chinese: deployed for administrators only, then granted in Setup → Profiles', async () => {
    const { page } = await signedIn(stack, 'zh-CN');
    await createRep(page, 'zh-CN');
    await draftObject(page, 'zh-CN');
    // Deploying an object nobody may use asks first; the admin deploys it for administrators only.
    await page.getByTestId('review-deploy').click();
    const ask = page.locator('.el-message-box');
    expect(await ask.innerText()).toContain('谁可以使用新对象？');
    await ask.getByRole('button', { name: '仅对管理员部署' }).click();
    await deployPlan(page);
    await page.getByTestId(`nav-${T['zh-CN'].name}`).waitFor();

    // The rep does not see it yet.
    const rep = await signInAsRep('zh-CN');
    await rep.getByTestId('nav-account').waitFor();
    expect(await rep.getByTestId(`nav-${T['zh-CN'].name}`).count()).toBe(0);

    // Setup → Profiles → Sales Rep: create (read comes with it) and edit.
    await page.getByTestId('nav-setup-profiles').click();
    await page.getByTestId('profile-sales_rep').click();
    const perm = (k: string) => page.getByTestId(`perm-${T['zh-CN'].name}-${k}`);
    await perm('create').click();
    await perm('edit').click();
    await poll(() => perm('read').locator('input').isChecked()).toBe(true);
    await page.getByTestId('review-deploy').click();
    const summary = await deployPlan(page);
    expect(summary).toContain(T['zh-CN'].granted);
    await poll(() => page.getByTestId('dirty').count()).toBe(0);

    // The rep's next page load shows the object; they create a record.
    await rep.reload();
    await rep.getByTestId(`nav-${T['zh-CN'].name}`).waitFor();
    await repCreatesRecord(rep, 'zh-CN');
    await rep.context().close();
    await page.context().close();
  }, 180_000);

  it('every setup screen fits a phone (390 px) without sideways scrolling, in both languages', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      // Signed in on a wide screen (the navigation is a drawer on a phone), then a phone's width.
      const { page } = await signedIn(stack, lang);
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of ['/setup/users', '/setup/roles', '/setup/profiles/sales_rep', '/setup/sharing']) {
        await page.goto(`${stack.url}${path}`);
        await page.locator('.content h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${lang} ${path}`).toBeLessThanOrEqual(0);
      }
      await page.context().close();
    }
  }, 180_000);
});
