/**
 * `npm run screenshots`: PNGs of the studio's main screens in screenshots/, on desktop and on a
 * 390 px phone, in English and Chinese, so anyone can look at the UI without starting it.
 * Starts its own engine (PGlite in memory) with the demo tenant, builds the studio if needed,
 * and drives Debian's Chromium (CHROMIUM_PATH to use another), with the e2e harness's helpers.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { createEngine } from '../engine/src/engine.js';
import { standardPackage } from '../engine/src/tenancy/standard-package.js';
import { seedDemo } from '../seeds/demo.js';
import { ensureCjkFont } from './cjk-font.js';
import { ensureStudioBuilt, fillLogin, langPage, launchChromium, listen } from '../tests/e2e/harness.js';

const OUT = resolve(import.meta.dirname, '../screenshots');
const TOKEN = 'tsr_screenshots_token_0123456789';

const CHANNEL_STAFF = {
  name: 'channel_staff_authorization',
  label: { en: 'Channel Staff Authorization', 'zh-CN': '渠道人员授权申请单' },
  pluralLabel: { en: 'Channel Staff Authorizations', 'zh-CN': '渠道人员授权申请单' },
  nameField: 'applicant_name',
  fields: [
    {
      name: 'applicant_name',
      label: { en: 'Applicant name', 'zh-CN': '申请人姓名' },
      type: 'text',
      required: true,
    },
    { name: 'partner', label: { en: 'Partner', 'zh-CN': '合作伙伴' }, type: 'lookup', target: 'account' },
    {
      name: 'authorization_level',
      label: { en: 'Authorization level', 'zh-CN': '授权级别' },
      type: 'picklist',
      options: [
        { value: 'basic', label: { en: 'Basic', 'zh-CN': '基础' }, order: 1 },
        { value: 'advanced', label: { en: 'Advanced', 'zh-CN': '高级' }, order: 2 },
      ],
    },
    { name: 'valid_until', label: { en: 'Valid until', 'zh-CN': '有效期至' }, type: 'date' },
    {
      name: 'annual_quota',
      label: { en: 'Annual quota', 'zh-CN': '年度额度' },
      type: 'currency',
      trackHistory: true,
    },
  ],
  layout: {
    sections: [
      { label: { en: 'Applicant', 'zh-CN': '申请人' }, columns: 2, fields: ['applicant_name', 'partner'] },
      {
        label: { en: 'Authorization', 'zh-CN': '授权' },
        columns: 2,
        fields: ['authorization_level', 'valid_until', 'annual_quota'],
      },
    ],
  },
};

async function main() {
  if (ensureCjkFont() === 'installed') console.log('Installed fonts-noto-cjk so Chinese renders.');
  mkdirSync(OUT, { recursive: true });
  await ensureStudioBuilt();
  const engine = await createEngine({});
  await seedDemo(engine, standardPackage(), TOKEN, 'screenshots-password');
  const http = await listen(engine.app);
  const { url } = http;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204
      ? null
      : ((await res.json()) as { data: Record<string, unknown> & Record<string, unknown>[] });
  };
  await api('PUT', '/api/v1/meta/objects/channel_staff_authorization', {
    ...CHANNEL_STAFF,
    comment: 'Channel staff authorization form',
  });
  const accounts = (await api('GET', '/api/v1/data/account?limit=3'))!.data as unknown as { id: string }[];
  let recordId = '';
  for (const [i, name] of ['Zhang Wei', 'Li Na', 'Wang Fang', 'Chen Jie'].entries()) {
    const r = await api('POST', '/api/v1/data/channel_staff_authorization', {
      applicant_name: name,
      partner: accounts[i % accounts.length]?.id,
      authorization_level: i % 2 ? 'basic' : 'advanced',
      valid_until: `2026-0${i + 3}-15`,
      annual_quota: 50000 + i * 25000,
    });
    if (!recordId) recordId = String((r!.data as Record<string, unknown>).id);
  }
  await api('PATCH', `/api/v1/data/channel_staff_authorization/${recordId}`, { annual_quota: 80000 });
  const opps = (await api('GET', '/api/v1/data/opportunity?limit=1'))!.data as unknown as { id: string }[];
  // A direct sale in 初步接洽 (prospecting): its path bar shows the 立项 gate, unmet.
  const prospecting = (await api(
    'GET',
    `/api/v1/data/opportunity?limit=1&filter=${encodeURIComponent(
      JSON.stringify({ stage: { eq: 'prospecting' }, business_type: { eq: 'direct_sale' } }),
    )}`,
  ))!.data as unknown as { id: string }[];

  const browser = await launchChromium();
  const shots: string[] = [];
  try {
    for (const lang of ['en', 'zh-CN'] as const) {
      for (const device of ['desktop', 'phone'] as const) {
        const { ctx, page } = await langPage(browser, lang, {
          viewport: device === 'phone' ? { width: 390, height: 844 } : { width: 1366, height: 860 },
          deviceScaleFactor: device === 'phone' ? 2 : 1,
          isMobile: device === 'phone',
          hasTouch: device === 'phone',
          timeout: 20_000,
        });
        const tag = `${lang === 'en' ? 'en' : 'zh'}-${device}`;
        const snap = async (name: string, full = false) => {
          await settle(page);
          const file = join(OUT, `${tag}-${name}.png`);
          await page.screenshot({ path: file, fullPage: full });
          shots.push(file);
        };
        await fillLogin(page, url, 'demo', TOKEN);
        await snap('01-login');
        await page.getByTestId('login-submit').click();
        await page.getByTestId('user-menu').waitFor();
        await snap('02-home');
        await page.goto(`${url}/o/channel_staff_authorization`);
        await page.getByTestId('list-channel_staff_authorization').waitFor();
        if (device === 'desktop') await page.getByTestId('toggle-filters').click();
        await snap('03-list');
        await page.goto(`${url}/o/channel_staff_authorization/r/${recordId}`);
        await page.getByTestId('record-title').waitFor();
        await snap('04-record', device === 'desktop');
        // Field history: the quota changed once (PATCH above), by the admin.
        await page.getByRole('tab').last().click();
        await page.getByTestId('history-who').first().waitFor();
        await snap('08-history');
        await page.goto(`${url}/o/channel_staff_authorization/new`);
        await page.getByTestId('form-channel_staff_authorization').waitFor();
        await page.getByTestId('save-record').click();
        await page.getByTestId('form-error').waitFor();
        await snap('05-form-errors');
        if (device === 'phone') {
          await page.goto(`${url}/`);
          await page.getByTestId('nav-toggle').click();
          await snap('06-nav-drawer');
        } else {
          await page.goto(`${url}/o/opportunity`);
          await page.getByTestId('list-opportunity').waitFor();
          await snap('06-opportunities');
          if (opps[0]) {
            await page.goto(`${url}/o/account`);
            await page.getByTestId('list-account').waitFor();
            await page.getByTestId('record-link').first().click();
            await page.getByTestId('record-title').waitFor();
            await page.getByRole('tab').nth(1).click();
            await snap('07-related-lists');
          }
        }
        // Stages: the kanban, the path bar (and a refused move), the create form's business type.
        await page.goto(`${url}/o/opportunity?view=kanban`);
        await page.getByTestId('kanban-opportunity').locator('article.card').first().waitFor();
        await snap('20-kanban');
        if (prospecting[0]) {
          await page.goto(`${url}/o/opportunity/r/${prospecting[0].id}`);
          await page.getByTestId('gate-checklist').waitFor();
          await snap('21-path-bar');
          await page.getByTestId('path-move').click();
          await page.getByTestId('path-refusal').waitFor();
          await snap('22-path-refused');
        }
        await page.goto(`${url}/o/opportunity/new`);
        await page.getByTestId('business-type').waitFor();
        await snap('23-new-with-type');
        await page.goto(`${url}/setup/processes`);
        await page.getByTestId('pipelines-table').waitFor();
        await snap('24-processes');
        await page.goto(`${url}/setup/processes/opportunity/pipelines/direct_sales`);
        await page.getByTestId('pipeline-editor').waitFor();
        await page.getByTestId('pl-stage-project').locator('.stage-row').click();
        await snap('25-pipeline-editor', device === 'desktop');
        await page.goto(`${url}/setup/objects`);
        await page.getByTestId('objects-table').waitFor();
        await snap('10-object-manager');
        await page.goto(`${url}/setup/objects/channel_staff_authorization`);
        await page.getByTestId('fields-table').waitFor();
        await snap('11-object-fields');
        await page.getByTestId('edit-field-authorization_level').click();
        await page.getByTestId('options-editor').waitFor();
        await snap('12-field-editor');
        await page.getByTestId('fe-label-en').fill('Authorization tier');
        await page.getByTestId('fe-save').click();
        await page.getByTestId('review-deploy').click();
        await page
          .locator('.plan-dialog [data-testid="plan-steps"], .plan-dialog .el-empty')
          .first()
          .waitFor();
        await snap('13-plan');
        await page.keyboard.press('Escape');
        await page.getByRole('tab').nth(2).click();
        await page.getByTestId('layout-editor').waitFor();
        await snap('14-layout-editor');
        await page.goto(`${url}/setup/versions`);
        await page.locator('[data-testid^="version-comment-"]').first().waitFor();
        await snap('15-versions');
        if (device === 'desktop') {
          await page.goto(`${url}/setup/objects/opportunity`);
          await page.getByTestId('fields-table').waitFor();
          await page.getByTestId('edit-field-amount').click();
          await page.getByTestId('fe-type').locator('.el-select__wrapper').click();
          await page.getByTestId('fe-type-date').click();
          await page.getByTestId('fe-save').click();
          await page.getByTestId('review-deploy').click();
          await page
            .locator('.plan-dialog [data-kind="refused"], .plan-dialog [data-testid="plan-issues"]')
            .first()
            .waitFor();
          await snap('16-plan-refused');
          // A conversion that existing rows block: the plan lists them.
          await page.goto(`${url}/setup/objects/channel_staff_authorization`);
          await page.getByTestId('fields-table').waitFor();
          await page.getByTestId('edit-field-annual_quota').click();
          await page.getByTestId('fe-precision').locator('input').fill('6');
          await page.getByTestId('fe-precision').locator('input').blur();
          await page.getByTestId('fe-save').click();
          await page.getByTestId('review-deploy').click();
          await page
            .locator('.plan-dialog [data-testid="plan-steps"], .plan-dialog [data-testid="plan-issues"]')
            .first()
            .waitFor();
          await snap('17-plan-blocking-rows');
        }
        await page.goto(`${url}/nowhere`);
        await page.getByTestId('error-notFound').waitFor();
        await snap('19-not-found');
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
    await http.close();
    await engine.close();
  }
  console.log(`${shots.length} screenshots in ${OUT}`);
}

/** Waits until requests, animations and loading masks are done. */
async function settle(page: Page) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page
    .locator('.el-loading-mask')
    .first()
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(350); // transitions (dialogs, drawers) finish
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
