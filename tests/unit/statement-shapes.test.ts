import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { bindShape, shapeOf, slot } from '../../engine/src/records/statement-shapes.js';

const k = knexFactory({ client: 'pg' });

describe('statement shapes', () => {
  it('builds the text once per key and binds each run into its slots, keeping constants', () => {
    const owner = {};
    const policy = {};
    let builds = 0;
    const build = () => {
      builds++;
      return k('t')
        .where('id', slot(1))
        .andWhere('kind', 'fixed')
        .update({ name: slot(0) })
        .returning('*');
    };
    const a = shapeOf(owner, policy, 'u|name', build);
    const b = shapeOf(owner, policy, 'u|name', build);
    expect(b).toBe(a);
    expect(builds).toBe(1);
    expect(a.sql).toBe('update "t" set "name" = ? where "id" = ? and "kind" = ? returning *');
    expect(bindShape(a, ['Ada', 'id-1'])).toEqual(['Ada', 'id-1', 'fixed']);
    expect(bindShape(a, [null, 'id-2'])).toEqual([null, 'id-2', 'fixed']);
  });

  it('keeps shapes apart per owner, per policy and per key', () => {
    const owner = {};
    const build = (v: string) => () => k('t').where('x', v);
    const p1 = {};
    const p2 = {};
    expect(shapeOf(owner, p1, 'k', build('one')).bindings).toEqual(['one']);
    expect(shapeOf(owner, p2, 'k', build('two')).bindings).toEqual(['two']);
    expect(shapeOf({}, p1, 'k', build('three')).bindings).toEqual(['three']);
    expect(shapeOf(owner, p1, 'other', build('four')).bindings).toEqual(['four']);
    expect(shapeOf(owner, p1, 'k', build('ignored')).bindings).toEqual(['one']);
  });

  it('a value can never pass for a slot marker', () => {
    // Slot markers start with NUL, which Postgres text cannot hold.
    expect(slot(3).charCodeAt(0)).toBe(0);
  });
});
