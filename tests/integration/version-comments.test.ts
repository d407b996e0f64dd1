import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, salesPackage } from '../helpers/packages.js';

/**
 * A rollback's default comment is stored language-neutral (`@rollback:<version>`, the studio reads
 * it in each reader's language), and the audit log still knows it for a rollback.
 */
let te: TestEngine;
let t: TestTenant;

beforeAll(async () => {
  te = await startEngine();
  t = await te.tenant(salesPackage(), 'versionco');
});
afterAll(() => te?.close());

describe('rollback comments', () => {
  it('stores @rollback:<n> by default and audits a rollback, with or without the studio’s comment', async () => {
    const pkg = salesPackage();
    pkg.objects[0].fields.push(field('phone', 'phone'));
    await t.post('/api/v1/meta/deploy', { package: pkg, comment: 'add phone' }).expect(201);
    await t.post('/api/v1/meta/rollback/1', {}).expect(201);
    await t.post('/api/v1/meta/rollback/2', { comment: '@rollback:2' }).expect(201);
    const versions = (await t.get('/api/v1/meta/versions').expect(200)).body.data as { comment: string }[];
    expect(versions.slice(0, 2).map((v) => v.comment)).toEqual(['@rollback:2', '@rollback:1']);
    const log = (await t.get('/api/v1/audit').expect(200)).body.data as { action: string }[];
    expect(log.filter((e) => e.action === 'metadata.rolled_back')).toHaveLength(2);
  });
});
