import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, signedIn, startStack, type Stack } from './harness.js';

/**
 * The built studio runs under the engine's Content-Security-Policy (helmet, api/headers.ts):
 * every screen renders and the browser reports no violation, in both languages.
 */
let stack: Stack;
const haveChromium = existsSync(CHROMIUM);

beforeAll(async () => {
  if (haveChromium) stack = await startStack('cspco');
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

it.runIf(haveChromium).each(['en', 'zh-CN'] as const)(
  'the studio loads and works under the CSP (%s)',
  async (lang) => {
    const { ctx, page } = await signedIn(stack, lang);
    await ctx.addInitScript(() => {
      const w = window as unknown as { cspViolations: string[] };
      w.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text());
    });
    const main = await page.goto(`${stack.url}/`);
    expect(main?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    for (const path of ['/', '/o/account', '/o/account/new', '/setup/objects', '/setup/objects/account']) {
      await page.goto(`${stack.url}${path}`);
      await page.getByTestId('nav').waitFor();
      await page.waitForLoadState('networkidle');
    }
    // The screens drew their content (Element Plus styles applied inline, scripts from 'self').
    await page.goto(`${stack.url}/o/account`);
    await page.locator('.el-table, [data-testid="list"]').first().waitFor();
    const violations = await page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    );
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    // The watch works, and the policy bites: an injected inline script is refused and reported.
    const ran = await page.evaluate(async () => {
      const w = window as unknown as { cspViolations: string[]; injected?: boolean };
      const s = document.createElement('script');
      s.textContent = 'window.injected = true';
      document.head.appendChild(s);
      await new Promise((r) => setTimeout(r, 200));
      return { injected: w.injected === true, violations: w.cspViolations };
    });
    expect(ran.injected).toBe(false);
    expect(ran.violations.join(' ')).toMatch(/script-src/);
    await ctx.close();
  },
  120_000,
);
