import type { Knex } from 'knex';
import type { PackageDef } from '../engine/src/core/model.js';
import type { Scope } from '../engine/src/records/service.js';
import type { Engine } from '../engine/src/engine.js';
import processes from './demo-processes.json' with { type: 'json' };

type Data = Record<string, unknown>;
const DAY = 86_400_000;

/** The standard package with the demo's two business types and their pipelines (业务类型, 阶段推进). */
export function withDemoProcesses(pkg: PackageDef): PackageDef {
  return { ...pkg, ...(structuredClone(processes) as Pick<PackageDef, 'businessTypes' | 'pipelines'>) };
}

const CONTACTS = ['张伟', '王芳', '李强', '刘洋', '陈静', '杨磊', '赵敏', '黄涛', '周杰', '吴娟'];
const PARTNERS = [
  {
    name: '华东机电分销有限公司',
    short_name: '华东机电',
    type: 'distributor',
    region: 'east',
    industry: 'manufacturing',
  },
  {
    name: '北方暖通设备经销公司',
    short_name: '北方暖通',
    type: 'distributor',
    region: 'north',
    industry: 'manufacturing',
  },
];

/**
 * The demo's opportunities, in every stage of both pipelines, some of them stale. Each is created
 * in the first stage and walked forward through the records API like a rep would: a site survey
 * visit and the decision maker before 立项, the solution document before 方案, the bid deadline
 * before 招投标. Then (demo data only) the stays are spread over the past weeks, so days in stage,
 * stale records and the stage statistics look like a team that has been at it for a while.
 */
export async function seedOpportunities(
  engine: Engine,
  scopeOf: (owner: string) => Scope,
  accounts: Map<string, string>,
  opportunities: (Data & { account: string; owner: string })[],
  tenantSchema: string,
): Promise<void> {
  const admin = scopeOf('admin');
  const contacts = new Map<string, string>();
  let n = 0;
  for (const [name, id] of accounts) {
    const { record } = await engine.records.create(admin, 'contact', {
      name: CONTACTS[n++ % CONTACTS.length],
      account: id,
      title: '总经理',
      is_decision_maker: true,
    });
    contacts.set(name, record!.id as string);
  }
  const partners: string[] = [];
  for (const p of PARTNERS)
    partners.push((await engine.records.create(admin, 'account', p)).record!.id as string);

  const pipelines = new Map(processes.pipelines.map((p) => [p.name, p]));
  const types = processes.businessTypes;
  const slots = (t: (typeof types)[number]) => pipelines.get(t.pipeline)!.stages.map((s) => s.value);
  const moved: { id: string; stale: boolean; maxDays: Map<string, number> }[] = [];
  for (const [i, o] of opportunities.entries()) {
    const type = types[i % 2];
    const stages = slots(type);
    const target = stages[Math.floor(i / 2) % stages.length];
    const { account, owner, business_type: _t, stage: _s, ...data } = o;
    void _t;
    void _s;
    const s = scopeOf(owner);
    const allowed = new Set(type.picklists.source);
    const { record } = await engine.records.create(s, 'opportunity', {
      ...data,
      source: allowed.has(data.source as string) ? data.source : type.picklists.source[0],
      account: accounts.get(account),
      business_type: type.name,
      ...(type.name === 'distribution' ? { channel_partner: partners[i % partners.length] } : {}),
    });
    const id = record!.id as string;
    const path = target === 'closed_lost' ? stages.slice(1, 3) : stages.slice(1, stages.indexOf(target) + 1);
    for (const stage of [...path, ...(target === 'closed_lost' ? ['closed_lost'] : [])]) {
      const extra: Data = {};
      if (stage === 'project') {
        await engine.records.create(s, 'activity', {
          subject: '现场勘察 / Site survey',
          type: 'visit',
          behaviour: 'site_survey',
          start_at: new Date(Date.now() - 20 * DAY).toISOString(),
          account: accounts.get(account),
          opportunity: id,
        });
        extra.decision_maker = contacts.get(account);
      }
      if (stage === 'solution') extra.solution_doc_url = `https://docs.example.com/solutions/${i + 1}.pdf`;
      if (stage === 'bidding')
        extra.bid_deadline = new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10);
      if (stage === 'closed_won') extra.is_won = true;
      if (stage === 'closed_lost') extra.loss_reason = '价格高于竞争对手 / Price above the competition';
      await engine.records.update(s, 'opportunity', id, { ...extra, stage });
    }
    const p = pipelines.get(type.pipeline)!;
    moved.push({
      id,
      // every third open deal has sat too long in its stage
      stale: i % 3 === 0 && !target.startsWith('closed'),
      maxDays: new Map(p.stages.map((x) => [x.value, (x as { maxDays?: number }).maxDays ?? 0])),
    });
  }
  await spreadStays(engine.db.knex, tenantSchema, moved);
}

/** Demo data only: stays of 3–17 days each, ending now; a stale deal's current stay runs past its maximum. */
async function spreadStays(
  knex: Knex,
  schema: string,
  deals: { id: string; stale: boolean; maxDays: Map<string, number> }[],
) {
  await knex.transaction(async (trx) => {
    for (const [k, d] of deals.entries()) {
      const rows = (await trx
        .withSchema(schema)
        .from('_stage_history')
        .where('record_id', d.id)
        .orderBy('seq')
        .select('seq', 'to_stage')) as { seq: number; to_stage: string }[];
      let end = Date.now();
      for (let j = rows.length - 1; j >= 0; j--) {
        const current = j === rows.length - 1;
        const max = d.maxDays.get(rows[j].to_stage) ?? 0;
        const days = current
          ? d.stale && max
            ? max + 3 + (k % 6)
            : 1 + (k % Math.max(1, max - 1 || 5))
          : 3 + ((k * 7 + j * 5) % 15);
        const entered = new Date(end - days * DAY - (k % 7) * 3_600_000);
        await trx
          .withSchema(schema)
          .table('_stage_history')
          .where('seq', rows[j].seq)
          .update({ entered_at: entered, left_at: current ? null : new Date(end) });
        if (current)
          await trx
            .withSchema(schema)
            .table('opportunity')
            .where('id', d.id)
            .update({
              stage_entered_at: entered,
              stage_due_at: max ? new Date(entered.getTime() + max * DAY) : null,
            });
        end = entered.getTime();
      }
    }
  });
}
