import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object, opts } from '../helpers/packages.js';

/** Stored formulas are columns: they group and aggregate like the field type they return. */
let te: TestEngine;
let t: TestTenant;
beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant({
    name: 'tickets',
    objects: [
      object('ticket', [
        field('subject', 'text', { required: true }),
        field('priority', 'picklist', { options: opts('low', 'high') }),
        field('hours', 'integer'),
        field('cost', 'currency', { precision: 12, scale: 2 }),
        field('opened', 'date'),
        field('sla_met', 'formula', { returnType: 'boolean', expression: { '<=': [{ var: 'hours' }, 8] } }),
        field('bucket', 'formula', {
          returnType: 'text',
          expression: { if: [{ '>': [{ var: 'hours' }, 8] }, 'slow', 'fast'] },
        }),
        field('double_hours', 'formula', {
          returnType: 'integer',
          expression: { '*': [{ var: 'hours' }, 2] },
        }),
        field('opened_month', 'formula', {
          returnType: 'date',
          expression: { start_of_month: [{ var: 'opened' }] },
        }),
        field('cost_with_tax', 'formula', {
          returnType: 'currency',
          expression: { round: [{ '*': [{ var: 'cost' }, 1.1] }, 2] },
        }),
        field('closed_at', 'formula', { returnType: 'datetime', expression: { now: [] } }),
      ]),
    ],
  });
  const rows = [
    { subject: 'a', hours: 2, cost: 100, opened: '2026-01-05' },
    { subject: 'b', hours: 5, cost: 200, opened: '2026-01-20' },
    { subject: 'c', hours: 12, cost: 300, opened: '2026-02-03' },
  ];
  const r = await t.post('/api/v1/data/ticket/batch', { records: rows });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
});
afterAll(() => te?.close());

const agg = (body: object) => t.post('/api/v1/data/ticket/aggregate', body);

describe('formula fields as aggregate group keys and metrics', () => {
  it('groups by a boolean, text, integer and date formula', async () => {
    const r = await agg({ groupBy: ['sla_met'], metrics: [{ fn: 'count' }, { fn: 'sum', field: 'cost' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toEqual([
      { sla_met: false, count: 1, sum_cost: 300 },
      { sla_met: true, count: 2, sum_cost: 300 },
    ]);
    const byBucket = await agg({ groupBy: ['bucket', 'opened_month'], metrics: [{ fn: 'count' }] });
    expect(byBucket.status, JSON.stringify(byBucket.body)).toBe(200);
    expect(byBucket.body.data).toEqual([
      { bucket: 'fast', opened_month: '2026-01-01', count: 2 },
      { bucket: 'slow', opened_month: '2026-02-01', count: 1 },
    ]);
    const byInt = await agg({ groupBy: ['double_hours'], metrics: [{ fn: 'count' }] });
    expect(byInt.body.data.map((x: { double_hours: number }) => x.double_hours)).toEqual([4, 10, 24]);
  });

  it('numeric formulas are metrics; date formulas take min and max', async () => {
    const r = await agg({
      groupBy: ['sla_met'],
      metrics: [
        { fn: 'sum', field: 'cost_with_tax' },
        { fn: 'max', field: 'double_hours' },
        { fn: 'min', field: 'opened_month' },
      ],
      filter: { sla_met: { eq: true } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toEqual([
      { sla_met: true, sum_cost_with_tax: 330, max_double_hours: 10, min_opened_month: '2026-01-01' },
    ]);
  });

  it('formulas follow their return type: decimals and instants are not group keys', async () => {
    for (const key of ['cost_with_tax', 'closed_at']) {
      const r = await agg({ groupBy: [key] });
      expect([r.status, r.body.code]).toEqual([400, 'BAD_AGGREGATE']);
    }
    const text = await agg({ metrics: [{ fn: 'sum', field: 'bucket' }] });
    expect([text.status, text.body.code]).toEqual([400, 'BAD_AGGREGATE']);
  });
});
