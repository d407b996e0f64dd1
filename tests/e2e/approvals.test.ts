import { existsSync } from 'node:fs';
import request from 'supertest';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { field, l, object, opts } from '../helpers/packages.js';
import { CHROMIUM, langPage, startStack, type Stack } from './harness.js';

/**
 * Approvals in a real browser against a real engine: a two-step flow (a manager, then finance
 * AND legal in parallel, all must approve) is deployed through the API. A rep submits an expense
 * claim on its record page; the manager finds it in the inbox (nav badge) and approves; finance
 * opens it from the bell and approves; legal rejects; the rep sees the decision in the bell and
 * every decision and comment in the timeline, as the API reports them. In English and in Chinese,
 * then a phone-width (375px) check of the panel, timeline, inbox and bell.
 */
type Lang = 'en' | 'zh-CN';
const PEOPLE = ['claimer', 'mgr', 'fin', 'legal'] as const;
type Who = (typeof PEOPLE)[number];
const pw = (u: string) => `password-${u}-1`;
const haveChromium = existsSync(CHROMIUM);
const poll = <V>(fn: () => Promise<V> | V) => expect.poll(fn, { timeout: 15_000, interval: 150 });

let stack: Stack;
const tokens = {} as Record<Who, string>;
const ids = {} as Record<Who, string>;
const claims: Record<Lang, string> = { en: '', 'zh-CN': '' };
const NAME: Record<Lang, string> = { en: 'Trade fair travel', 'zh-CN': '广交会差旅报销' };

const as = (who: Who, method: 'get' | 'post', path: string) =>
  request(stack.te.engine.app)[method](path).set('Authorization', `Bearer ${tokens[who]}`);

function claimsPackage(base: PackageDef, withFlow: boolean): PackageDef {
  return {
    ...base,
    objects: [
      ...base.objects,
      object(
        'expense_claim',
        [
          field('name', 'text', { required: true }),
          field('amount', 'number', { precision: 14, scale: 2 }),
          field('approval_status', 'picklist', {
            options: opts('pending', 'approved', 'rejected', 'recalled'),
          }),
        ],
        {
          sharing: { default: 'private' },
          label: l('Expense claim', '费用报销'),
          pluralLabel: l('Expense claims', '费用报销'),
        },
      ),
    ],
    profiles: [
      ...(base.profiles ?? []),
      {
        name: 'claims',
        label: l('Claims', '报销'),
        objects: { expense_claim: { create: true, read: true, edit: true, delete: true } },
      },
    ],
    approvalFlows: withFlow
      ? [
          {
            name: 'claim_flow',
            label: l('Expense approval', '报销审批'),
            object: 'expense_claim',
            statusField: 'approval_status',
            steps: [
              {
                name: 'manager',
                label: l('Manager', '经理审批'),
                approvers: [{ kind: 'user', users: ['mgr'] }],
              },
              {
                name: 'finance_legal',
                label: l('Finance and legal', '财务和法务会签'),
                mode: 'all',
                approvers: [{ kind: 'user', users: ['fin', 'legal'] }],
              },
            ],
          },
        ]
      : (base.approvalFlows ?? []),
  };
}

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startStack('apprco');
  const t = stack.tenant;
  const base = (await t.get('/api/v1/meta').expect(200)).body.data.package as PackageDef;
  const d1 = await t.post('/api/v1/meta/deploy', { package: claimsPackage(base, false) });
  expect(d1.status, JSON.stringify(d1.body)).toBe(201);
  for (const u of PEOPLE) {
    const r = await t.post('/api/v1/users', {
      username: u,
      displayName: `${u[0]!.toUpperCase()}${u.slice(1)} Person`,
      password: pw(u),
      profile: 'claims',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    ids[u] = r.body.data.id as string;
    const login = await request(stack.te.engine.app)
      .post('/api/v1/auth/login')
      .send({ tenant: t.slug, username: u, password: pw(u) })
      .expect(200);
    tokens[u] = login.body.data.access_token as string;
  }
  const d2 = await t.post('/api/v1/meta/deploy', {
    package: claimsPackage(base, true),
    comment: 'claim flow',
  });
  expect(d2.status, JSON.stringify(d2.body)).toBe(201);
  for (const lang of ['en', 'zh-CN'] as const) {
    const c = await as('claimer', 'post', '/api/v1/data/expense_claim').send({
      name: NAME[lang],
      amount: 3200,
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    claims[lang] = c.body.data.id as string;
  }
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

async function signIn(who: Who, lang: Lang, phone = false): Promise<Page> {
  const { ctx, page } = await langPage(stack.browser, lang, {
    viewport: phone ? { width: 375, height: 812 } : { width: 1280, height: 860 },
    isMobile: phone,
    hasTouch: phone,
  });
  await ctx.addInitScript(() => localStorage.setItem('tessera.loginMode', 'password'));
  await page.goto(`${stack.url}/login`);
  await page.getByTestId('login-tenant').fill(stack.tenant.slug);
  await page.getByTestId('login-username').fill(who);
  await page.getByTestId('login-password').fill(pw(who));
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
  return page;
}

/** Opens the dialog of an action, writes the comment, confirms, and waits for it to close. */
async function act(page: Page, action: string, comment: string) {
  await page.getByTestId(`approval-${action}`).click();
  await page.getByTestId('approval-comment').fill(comment);
  await page.getByTestId('approval-confirm').click();
  await page.getByTestId('approval-confirm').waitFor({ state: 'hidden' });
}

const statusOf = (page: Page) => page.getByTestId('approval-status').getAttribute('data-status');

async function flow(lang: Lang) {
  const id = claims[lang];
  // Each run counts from zero: what the run before left unread is read.
  for (const u of PEOPLE) await as(u, 'post', '/api/v1/notifications/read').send({ all: true }).expect(200);
  const record = `${stack.url}/o/expense_claim/r/${id}`;
  const zh = lang === 'zh-CN';
  const errors: string[] = [];

  // The rep submits with a comment: pending at the manager, the record locked for them.
  const rep = await signIn('claimer', lang);
  rep.on('pageerror', (e) => errors.push(e.message));
  await rep.goto(record);
  await poll(() => statusOf(rep)).toBe('none');
  await act(rep, 'submit', zh ? '请审批差旅费' : 'Please approve the travel');
  await poll(() => statusOf(rep)).toBe('pending');
  await expect(rep.getByTestId('approval-step').innerText()).resolves.toContain(zh ? '经理审批' : 'Manager');
  await rep.getByTestId(`approver-${ids.mgr}`).waitFor();
  await expect(rep.getByTestId('approval-lock').getAttribute('data-mode')).resolves.toBe('record');
  await expect(rep.getByTestId('edit-record').isDisabled()).resolves.toBe(true);
  await rep.getByTestId('locked-amount').waitFor();
  await rep.getByTestId('approval-recall').waitFor();
  // The edit form (reached by its address) shows the locked fields disabled.
  await rep.goto(`${record}/edit`);
  await poll(() => rep.getByTestId('field-amount').locator('input').first().isDisabled()).toBe(true);
  await poll(() => rep.getByTestId('field-name').locator('input').first().isDisabled()).toBe(true);
  await rep.close();

  // The manager: the badge in the nav and the bell count it; the inbox lists it; approve.
  const mgr = await signIn('mgr', lang);
  mgr.on('pageerror', (e) => errors.push(e.message));
  await poll(() => mgr.getByTestId('nav-inbox-count').innerText()).toBe('1');
  await poll(() => mgr.getByTestId('notif-count').locator('sup').innerText()).toBe('1');
  await mgr.getByTestId('nav-inbox').click();
  await mgr.getByTestId(`inbox-row-${id}`).click();
  await mgr.waitForURL(`**/o/expense_claim/r/${id}`);
  await expect(mgr.getByTestId('approval-lock').getAttribute('data-mode')).resolves.toBe('record');
  await act(mgr, 'approve', zh ? '同意，金额合理' : 'Fine by me');
  // Their decision ends the read share it gave them (the claim is private): back to the inbox.
  await mgr.waitForURL('**/inbox');
  // Decided: gone from the pending tab, in the done tab.
  await poll(async () => (await mgr.getByTestId('nav-inbox-count').count()) === 0).toBe(true);
  await mgr.goto(`${stack.url}/inbox?box=done`);
  await mgr.getByTestId(`inbox-row-${id}`).waitFor();
  await mgr.close();

  // Finance opens it from the bell (which marks it read) and approves.
  const fin = await signIn('fin', lang);
  fin.on('pageerror', (e) => errors.push(e.message));
  await poll(() => fin.getByTestId('notif-count').locator('sup').innerText()).toBe('1');
  await fin.getByTestId('notif-bell').click();
  const item = fin.getByTestId('notif-list').getByTestId('notif-item').first();
  await expect(item.getAttribute('data-read')).resolves.toBe('false');
  await item.click();
  await fin.waitForURL(`**/o/expense_claim/r/${id}`);
  await poll(async () => (await fin.getByTestId('notif-count').locator('sup').isVisible()) === false).toBe(
    true,
  );
  await act(fin, 'approve', zh ? '财务无异议' : 'Budget ok');
  await fin.waitForURL('**/inbox');
  await fin.close();

  // Legal rejects from the inbox.
  const legal = await signIn('legal', lang);
  legal.on('pageerror', (e) => errors.push(e.message));
  await legal.goto(`${stack.url}/inbox`);
  await legal.getByTestId(`inbox-row-${id}`).click();
  await legal.waitForURL(`**/o/expense_claim/r/${id}`);
  // Finance has approved; the parallel step still waits for legal.
  await poll(() => legal.getByTestId(`approver-${ids.fin}`).getAttribute('data-status')).toBe('approved');
  await expect(legal.getByTestId(`approver-${ids.legal}`).getAttribute('data-status')).resolves.toBe(
    'pending',
  );
  await expect(statusOf(legal)).resolves.toBe('pending');
  await expect(legal.getByTestId('approval-step').innerText()).resolves.toContain(
    zh ? '财务和法务会签' : 'Finance and legal',
  );
  await act(legal, 'reject', zh ? '缺少发票' : 'Receipts missing');
  await legal.waitForURL('**/inbox');
  await legal.close();

  // The rep: notified of the decision; the timeline shows every decision and comment, as the API does.
  const back = await signIn('claimer', lang);
  back.on('pageerror', (e) => errors.push(e.message));
  await poll(() => back.getByTestId('notif-count').locator('sup').innerText()).toBe('1');
  await back.goto(record);
  await poll(() => statusOf(back)).toBe('rejected');
  expect(await back.getByTestId('approval-lock').count()).toBe(0);
  await expect(back.getByTestId('edit-record').isDisabled()).resolves.toBe(false);
  await back.getByTestId('approval-tab').click();
  const timeline = back.getByTestId('approval-timeline');
  await timeline.getByTestId('approval-decision').first().waitFor();
  const api = (await as('claimer', 'get', `/api/v1/data/expense_claim/${id}/approvals`).expect(200)).body
    .data;
  const actions = await timeline
    .getByTestId('approval-decision')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
  expect(actions).toEqual(api.rounds[0].decisions.map((d: { action: string }) => d.action));
  expect(actions.filter((a) => a === 'approve')).toHaveLength(2);
  expect(actions).toContain('reject');
  const comments = await timeline.getByTestId('decision-comment').allInnerTexts();
  expect(comments.join(' ')).toContain(zh ? '缺少发票' : 'Receipts missing');
  expect(comments.join(' ')).toContain(zh ? '财务无异议' : 'Budget ok');
  const text = await timeline.innerText();
  expect(text).toContain(zh ? '驳回' : 'rejected');
  expect(text).toContain(zh ? '第 1 轮' : 'Round 1');
  expect(text).toContain('Legal Person');
  // Rejected: it may be submitted again.
  await back.getByTestId('approval-submit').waitFor();
  await back.close();
  expect(errors).toEqual([]);
}

describe.skipIf(!haveChromium)('approvals in the browser', () => {
  it('English: submit, approve from the inbox, approve from the bell, reject; the timeline shows it', async () => {
    await flow('en');
  }, 180_000);

  it('Chinese: the same flow in zh-CN', async () => {
    await flow('zh-CN');
  }, 180_000);

  it('375px wide: panel, timeline, inbox cards and bell fit the phone', async () => {
    const page = await signIn('claimer', 'zh-CN', true);
    const fits = async () =>
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.goto(`${stack.url}/o/expense_claim/r/${claims['zh-CN']}`);
    await page.getByTestId('approval-panel').waitFor();
    await page.getByTestId('approval-submit').waitFor();
    await fits();
    await page.getByTestId('approval-tab').click();
    await page.getByTestId('approval-timeline').getByTestId('approval-decision').first().waitFor();
    await fits();
    await page.goto(`${stack.url}/inbox?box=submitted`);
    const card = page.getByTestId(`inbox-row-${claims['zh-CN']}`);
    await card.waitFor();
    await expect(card.innerText()).resolves.toContain(NAME['zh-CN']);
    await fits();
    await page.getByTestId('notif-bell').click();
    await page.getByTestId('notif-list').getByTestId('notif-item').first().waitFor();
    const box = (await page.getByTestId('notif-list').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    await page.getByTestId('notif-mark-all').click();
    await poll(async () => (await page.getByTestId('notif-count').locator('sup').isVisible()) === false).toBe(
      true,
    );
    await fits();
    await page.close();
  }, 120_000);
});
