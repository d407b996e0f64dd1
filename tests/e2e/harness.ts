import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { standardPackage } from '../../engine/src/tenancy/standard-package.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'studio/dist/index.html');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the studio when studio/dist is missing or older than its sources. */
export async function ensureStudioBuilt() {
  const stale =
    !existsSync(DIST) ||
    statSync(DIST).mtimeMs <
      Math.max(newest(join(ROOT, 'studio/src')), statSync(join(ROOT, 'studio/index.html')).mtimeMs);
  if (!stale) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'studio/vite.config.ts'), logLevel: 'warn' });
}

/** Headless Chromium (Debian's, or CHROMIUM_PATH), quiet: no network of its own, no GPU. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serves an app (the engine's express app) on a free port of the loopback address. */
export async function listen(app: RequestListener): Promise<Listening> {
  const server = createServer(app);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  isMobile?: boolean;
  hasTouch?: boolean;
  /** Playwright's default timeout for the page's actions and waits. */
  timeout?: number;
}

/** A fresh browser context (own localStorage) with the UI language preset, and a page in it. */
export async function langPage(
  browser: Browser,
  lang: 'en' | 'zh-CN',
  { timeout = 15_000, ...opts }: PageOptions = {},
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ ...opts, locale: lang === 'zh-CN' ? 'zh-CN' : 'en-US' });
  await ctx.addInitScript((l) => {
    if (!localStorage.getItem('tessera.lang')) localStorage.setItem('tessera.lang', l);
  }, lang);
  const page = await ctx.newPage();
  page.setDefaultTimeout(timeout);
  return { ctx, page };
}

/** Opens the sign-in page and fills in the tenant and the API token, without submitting. */
export async function fillLogin(page: Page, url: string, slug: string, token: string) {
  await page.goto(`${url}/login`);
  await page.getByTestId('login-tenant').fill(slug);
  // The screen opens on the password tab (unless the token tab was used last).
  const tokenBox = page.getByTestId('login-token');
  if (!(await tokenBox.isVisible()))
    await page.getByTestId('login-mode').locator('.el-segmented__item').last().click();
  await tokenBox.fill(token);
}

export interface Stack {
  te: TestEngine;
  tenant: TestTenant;
  server: Server;
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** A real engine (in-memory PGlite) with a tenant on the standard objects, served on a free port, and headless Chromium. */
export async function startStack(slug = 'acme'): Promise<Stack> {
  await ensureStudioBuilt();
  const te = await startEngine();
  const tenant = await te.tenant(standardPackage(), slug);
  const http = await listen(te.engine.app);
  const browser = await launchChromium();
  return {
    te,
    tenant,
    server: http.server,
    url: http.url,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await http.close();
      await te.close();
    },
  };
}

/** A fresh browser context (own localStorage) with the UI language preset, signed in with the tenant's API token. */
export async function signedIn(
  stack: Stack,
  lang: 'en' | 'zh-CN',
  viewport = { width: 1280, height: 860 },
): Promise<{ ctx: BrowserContext; page: Page }> {
  const { ctx, page } = await langPage(stack.browser, lang, { viewport });
  await fillLogin(page, stack.url, stack.tenant.slug, stack.tenant.token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
  return { ctx, page };
}

/** Picks an option of an Element Plus select: opens it, clicks the visible option with this text. */
export async function pick(
  page: Page,
  select: ReturnType<Page['locator']>,
  option: string,
  opts: { type?: boolean } = {},
) {
  await select.locator('.el-select__wrapper').click();
  if (opts.type) await select.locator('input').fill(option);
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

/**
 * Types the start of a name into a lookup box and picks the match, then checks the choice stuck:
 * the search's results can re-render the list between Playwright's check and its click, which
 * swallows the click (seen under load), so it tries again up to three times.
 */
export async function chooseLookup(page: Page, box: Locator, name: string, typed = name.slice(0, 4)) {
  for (let attempt = 0; attempt < 3; attempt++) {
    await box.locator('.el-select__wrapper').click();
    await box.locator('input').fill(typed);
    await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click();
    try {
      await expect
        .poll(() => box.locator('.el-select__placeholder:not(.is-transparent)').first().innerText(), {
          timeout: 3_000,
        })
        .toContain(name);
      return;
    } catch {
      /* try again */
    }
  }
  throw new Error(`could not choose ${name}`);
}
