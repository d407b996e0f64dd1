import { describe, expect, it } from 'vitest';
import { nextRun, spreadOffset } from '../../engine/src/jobs/schedules.js';

const FIVE_MIN = 5 * 60_000;
const ids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('spread of per-tenant system schedules', () => {
  it('gives each tenant a fixed offset inside the period', () => {
    for (const id of ids) {
      const off = spreadOffset(id, 'outbox.sweep', FIVE_MIN);
      expect(off).toBeGreaterThanOrEqual(0);
      expect(off).toBeLessThan(FIVE_MIN);
      expect(spreadOffset(id, 'outbox.sweep', FIVE_MIN)).toBe(off);
    }
    expect(spreadOffset(ids[0]!, 'outbox.sweep', 0)).toBe(0);
  });

  it('spreads 1,000 tenants over the five minutes instead of one minute', () => {
    const perMinute = [0, 0, 0, 0, 0];
    for (const id of ids) perMinute[Math.floor(spreadOffset(id, 'outbox.sweep', FIVE_MIN) / 60_000)]! += 1;
    // Evenly: 200 a minute expected; a burst (all in one minute) would fail this at once.
    for (const n of perMinute) {
      expect(n).toBeGreaterThan(150);
      expect(n).toBeLessThan(250);
    }
  });

  it('offset runs keep the cron period', () => {
    const off = spreadOffset(ids[7]!, 'outbox.sweep', FIVE_MIN);
    const first = nextRun('*/5 * * * *', 'UTC', new Date('2026-01-01T10:00:30Z')).getTime() + off;
    const second = nextRun('*/5 * * * *', 'UTC', new Date(first - off)).getTime() + off;
    expect(second - first).toBe(FIVE_MIN);
  });
});
