import { describe, expect, it } from 'vitest';
import { debianFonts, ensureCjkFont, type FontSystem } from '../../scripts/cjk-font.js';

/** `npm run screenshots` makes sure Chinese renders: a CJK font is there, or it installs one. */
function fake(fonts: string, canInstall: boolean, installs = 'Noto Sans CJK SC') {
  const calls: string[] = [];
  let have = fonts;
  const sys: FontSystem = {
    listChinese: () => have,
    canInstall: () => canInstall,
    install: () => {
      calls.push('install');
      have = installs;
    },
  };
  return { sys, calls };
}

describe('CJK font for screenshots', () => {
  it('uses the font that is there', () => {
    const { sys, calls } = fake('Noto Sans CJK SC', true);
    expect(ensureCjkFont(sys)).toBe('present');
    expect(calls).toEqual([]);
  });
  it('installs fonts-noto-cjk when none is present and it may', () => {
    const { sys, calls } = fake('', true);
    expect(ensureCjkFont(sys)).toBe('installed');
    expect(calls).toEqual(['install']);
  });
  it('says how to install one when it may not', () => {
    const { sys } = fake('', false);
    expect(() => ensureCjkFont(sys)).toThrow(/apt-get install fonts-noto-cjk/);
  });
  it('finds the font this machine has (fonts-noto-cjk is installed here)', () => {
    expect(debianFonts.listChinese()).toMatch(/CJK|Noto|WenQuanYi|Droid/i);
  });
});
