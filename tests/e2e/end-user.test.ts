import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageDef } from '../../engine/src/core/model.js';
import demoData from '../../seeds/demo-data.json' with { type: 'json' };
import { CHROMIUM, startStack, type Stack } from './harness.js';

/**
 * The studio for a sales rep (no admin rights), in a real browser against a real engine: the
 * screens are built from GET /meta/objects, so the rep sees only what their profile allows —
 * no Setup, no hidden field, no Delete where they may not delete, read-only fields disabled —
 * and owners by name.
 */
const PASSWORD = 'demo-password-1';
const REP = demoData.users.find((u) => u.username === 'rep_east1')!;
const REP_NAME = REP.displayName; // 陈静 (Sales Rep, East)
/** Waits for the UI, never sleeps: retried until it holds (the machine may be busy). */
const poll = <V>(fn: () => Promise<V> | V) => expect.poll(fn, { timeout: 15_000, interval: 100 });

let stack: Stack;
let adminName = '';
const haveChromium = existsSync(CHROMIUM);

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startStack('endco');
  const t = stack.tenant;
  // Reps may no longer read an account's annual revenue (field-level security).
  const current = await t.get('/api/v1/meta').expect(200);
  const pkg = current.body.data.package as PackageDef;
  const rep = pkg.profiles!.find((p) => p.name === 'sales_rep')!;
  rep.fields = { ...rep.fields, account: { ...rep.fields?.account, annual_revenue: 'none' } };
  const d = await t.post('/api/v1/meta/deploy', { package: pkg, comment: 'hide annual revenue from reps' });
  expect(d.status, JSON.stringify(d.body)).toBe(201);
  for (const u of demoData.users) await t.post('/api/v1/users', { ...u, password: PASSWORD }).expect(201);
  // An East China account the admin owns: shared (read only) with the East team by the standard sharing rule.
  await t
    .post('/api/v1/data/account', { name: 'Shanghai Harbour Logistics', region: 'east', annual_revenue: 9e6 })
    .expect(201);
  const me = await t.get('/api/v1/me').expect(200);
  const names = await t.get(`/api/v1/users/lookup?ids=${me.body.data.userId as string}`).expect(200);
  adminName = names.body.data[0].name as string;
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

/** Signs in with a user name and password, as a person would. */
async function signInAs(username: string): Promise<Page> {
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
  await ctx.addInitScript(() => {
    localStorage.setItem('tessera.lang', 'en');
    localStorage.setItem('tessera.loginMode', 'password');
  });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${stack.url}/login`);
  await page.getByTestId('login-tenant').fill(stack.tenant.slug);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
  return page;
}

describe.skipIf(!haveChromium)('the studio for a sales rep', () => {
  it('navigates, lists, creates and edits within the profile; owners show by name', async () => {
    const page = await signInAs(REP.username);
    const failures: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
    });
    try {
      // Navigation from the objects the rep may read; no Setup.
      await page.getByTestId('nav-account').waitFor();
      await page.getByTestId('nav-opportunity').waitFor();
      expect(await page.getByTestId('nav-setup-objects').count()).toBe(0);

      // A list of accounts: the shared one, its owner by name, no hidden column.
      await page.getByTestId('nav-account').click();
      await page.getByTestId('list-account').waitFor();
      await poll(() => page.getByTestId('record-link').allInnerTexts()).toEqual([
        'Shanghai Harbour Logistics',
      ]);
      await poll(() => page.getByTestId('cell-owner').first().innerText()).toBe(adminName);
      await page.getByTestId('columns').click();
      const columnChoices = await page.locator('.col-list').innerText();
      expect(columnChoices).toContain('Account name');
      expect(columnChoices).not.toContain('Annual revenue');
      await page.keyboard.press('Escape');

      // Create: the hidden field is nowhere, the read-only one is not offered.
      await page.getByTestId('new-record').click();
      await page.getByTestId('form-account').waitFor();
      expect(await page.getByTestId('field-annual_revenue').count()).toBe(0);
      expect(await page.getByTestId('field-tax_id').count()).toBe(0);
      await page.getByTestId('field-name').locator('input').fill('Hangzhou Lakeside Trading');
      await page.getByTestId('field-short_name').locator('input').fill('Lakeside');
      await page.getByTestId('save-record').click();
      await poll(() => page.getByTestId('record-title').innerText()).toBe('Hangzhou Lakeside Trading');

      // The record page: owner by name, no hidden field, Edit but no Delete (reps may not delete).
      await poll(() => page.getByTestId('value-owner').innerText()).toContain(REP_NAME);
      expect(await page.getByTestId('value-created_by').innerText()).toContain(REP_NAME);
      expect(await page.getByTestId('value-annual_revenue').count()).toBe(0);
      await page.getByTestId('value-tax_id').waitFor();
      expect(await page.getByTestId('delete-record').count()).toBe(0);

      // Edit: the read-only field is shown but disabled; the owner is named.
      await page.getByTestId('edit-record').click();
      await page.getByTestId('form-account').waitFor();
      expect(await page.getByTestId('field-tax_id').locator('input').isDisabled()).toBe(true);
      expect(await page.getByTestId('field-annual_revenue').count()).toBe(0);
      await poll(() => page.getByTestId('field-owner').innerText()).toContain(REP_NAME);
      const short = page.getByTestId('field-short_name').locator('input');
      await poll(() => short.inputValue()).toBe('Lakeside');
      await short.fill('Lakeside Trading');
      await page.getByTestId('save-record').click();
      await poll(() => page.getByTestId('value-short_name').innerText()).toContain('Lakeside Trading');
      expect(await page.getByTestId('details-account').getAttribute('data-version')).toBe('2');

      // Back to the list: both accounts, each owner by name.
      await page.getByTestId('nav-account').click();
      await poll(() => page.getByTestId('record-link').count()).toBe(2);
      await poll(() => page.getByTestId('cell-owner').allInnerTexts()).toEqual(
        expect.arrayContaining([adminName, REP_NAME]),
      );

      // Contracts are read-only for reps: a list, but no New.
      await page.getByTestId('nav-contract').click();
      await page.getByTestId('list-contract').waitFor();
      await page.getByTestId('list-count').waitFor();
      expect(await page.getByTestId('new-record').count()).toBe(0);

      // Nothing the screens asked for was refused.
      expect(failures).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 240_000);
});
