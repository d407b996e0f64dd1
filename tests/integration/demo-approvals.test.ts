import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../seeds/demo.js';
import { standardPackage } from '../../engine/src/tenancy/standard-package.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';

let te: TestEngine;
let password: string;

beforeAll(async () => {
  te = await startEngine();
  const info = await seedDemo(te.engine, standardPackage());
  password = info.password!;
});
afterAll(() => te?.close());

async function as(username: string) {
  const login = await request(te.engine.app)
    .post('/api/v1/auth/login')
    .send({ tenant: 'demo', username, password });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const token = login.body.data.access_token as string;
  return (path: string) => request(te.engine.app).get(path).set('Authorization', `Bearer ${token}`);
}

describe('demo tenant approvals', () => {
  it('the region managers and the sales director have requests waiting in their inboxes', async () => {
    const east = await as('mgr_east');
    const inbox = (await east('/api/v1/approvals?box=pending')).body.data as {
      object: string;
      recordName: string;
      currentStep: { name: string };
    }[];
    expect(inbox.map((x) => x.recordName).sort()).toEqual(['吴刚', '郑丽']);
    expect(inbox.every((x) => x.currentStep.name === 'region_manager')).toBe(true);
    const north = await as('mgr_north');
    expect((await north('/api/v1/approvals?box=pending')).body.data).toHaveLength(1);
    const director = await as('director');
    const quotes = (await director('/api/v1/approvals?box=pending&object=quote')).body.data as {
      recordId: string;
    }[];
    expect(quotes).toHaveLength(1);
    // the quote's submit action set its status; the discount is locked for its owner
    const rep = await as('rep_east1');
    expect((await rep(`/api/v1/data/quote/${quotes[0].recordId}`)).body.data.status).toBe('submitted');
    expect((await rep('/api/v1/notifications/unread-count')).body.data.unread).toBe(0);
    expect((await east('/api/v1/notifications/unread-count')).body.data.unread).toBe(2);
  });
});
