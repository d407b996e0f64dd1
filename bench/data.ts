import { PRODUCT_LINES, REGIONS, STAGES } from './package.js';

/** A small seeded PRNG (mulberry32): every target gets the same data distribution. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Opportunity = {
  name: string;
  amount: number;
  stage: string;
  close_date: string;
  probability: number;
  account: string;
  region: string;
  product_line: string;
  description: string;
  is_won: boolean;
};

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

/** Stage uniform over 7, amount uniform 0..100,000, close dates over two years. */
export function opportunity(r: () => number, accounts: readonly string[], n: number): Opportunity {
  const stage = pick(r, STAGES);
  const day = new Date(Date.UTC(2025, 0, 1) + Math.floor(r() * 730) * 86_400_000).toISOString().slice(0, 10);
  return {
    name: `Deal ${n}`,
    amount: Math.round(r() * 10_000_000) / 100,
    stage,
    close_date: day,
    probability: Math.floor(r() * 101),
    account: pick(r, accounts),
    region: pick(r, REGIONS),
    product_line: pick(r, PRODUCT_LINES),
    description: 'Renewal with an upsell of two modules, pending legal review.',
    is_won: stage === 'closed_won',
  };
}

export const randomStage = (r: () => number) => pick(r, STAGES);

/** The W3 list filter, as Tessera's API takes it. */
export const LIST_FILTER = { stage: { eq: 'negotiation' }, amount: { gt: 50000 } };
export const AGGREGATE_BODY = { groupBy: ['stage'], metrics: [{ fn: 'sum', field: 'amount' }] };
