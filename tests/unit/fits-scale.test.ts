import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitsScale } from '../../engine/src/core/ajv.js';

/** The definition fitsScale stands for: the number's shortest text has at most `scale` decimals. */
function byText(value: number, scale: number): boolean {
  const s = String(value);
  if (s.includes('e')) return Number(value.toFixed(scale)) === value;
  const dot = s.indexOf('.');
  return dot < 0 || s.length - dot - 1 <= scale;
}

describe('fitsScale (the x-scale keyword: at most n decimals)', () => {
  it('answers as the number written out does', () => {
    for (const [v, scale, ok] of [
      [12.5, 2, true],
      [12.34, 2, true],
      [12.345, 2, false],
      [0.1 + 0.2, 2, false], // 0.30000000000000004
      [0.3, 1, true],
      [-99999999999.99, 2, true],
      [0.001, 2, false],
      [1e-7, 6, false],
      [1e-7, 7, true],
      [1234567.5, 0, false],
      [4503599627370495.5, 2, true],
    ] as const)
      expect([v, scale, fitsScale(v, scale)]).toEqual([v, scale, ok]);
  });

  it('agrees with the text of every decimal, money-like or not', () => {
    const money = fc
      .tuple(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 6 }))
      .map(([k, d]) => k / 10 ** d);
    fc.assert(
      fc.property(
        fc.oneof(money, fc.double({ noNaN: true, noDefaultInfinity: true })),
        fc.integer({ min: 0, max: 18 }),
        (v, scale) => {
          expect(fitsScale(v, scale)).toBe(byText(v, scale));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
