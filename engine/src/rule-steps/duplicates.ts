import type { Knex } from 'knex';
import { DomainError } from '../core/errors.js';
import type { DuplicateNormalize, DuplicateRuleDef } from '../core/model.js';
import type { CompiledObject } from '../metadata/compile.js';
import type { RecordStep, WriteContext } from '../records/pipeline.js';
import { rulesFor } from './compiled.js';

// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space become their half-width forms;
// CJK punctuation outside that block is dropped. Same translation on both sides of a comparison.
const FULL = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0xff01 + i)).join('') + '\u3000';
const HALF = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('') + ' ';
const CJK_PUNCT = '。、「」『』【】〔〕《》〈〉“”‘’·・…—～';
const PUNCT = '[[:space:]!-/:-@[-`{-~]+';
// Company names: punctuation first (every run of it, CJK included, becomes one space), then the
// legal form, then the spaces. So "上海艾可美（有限公司）" and "Acme (Inc.)" lose their legal form
// like "上海艾可美有限公司" and "Acme Inc". English forms are whole words ("Franco" keeps its
// "co"); Chinese ones need no space. A branch (分公司) stays a branch: the head company's legal form
// before it goes ("X有限公司北京分公司" = "X北京分公司"), the 分公司 does not.
const CJK_TO_SPACE = ' '.repeat(CJK_PUNCT.length);
const LEGAL_BEFORE_BRANCH = '(股份有限公司|有限责任公司|有限公司)(?=.*分公司$)';
const COMPANY_SUFFIX =
  '[[:space:]]*((^|[[:space:]])(co[[:space:]]*ltd|company[[:space:]]+limited|limited|ltd|incorporated|inc|l[[:space:]]?l[[:space:]]?c|corporation|corp|gmbh|company|co)|股份有限公司|有限责任公司|有限公司|集团|(?<!分)公司)[[:space:]]*$';

/**
 * The SQL that normalises a column for matching. Built from constant SQL and bound values only;
 * the same expression is applied to the new record and to the stored ones, so they always agree.
 */
export function normalized(k: Knex, column: string, how: DuplicateNormalize): Knex.Raw {
  const half = k.raw('translate(??::text, ?, ?)', [column, FULL + CJK_PUNCT, HALF]);
  switch (how) {
    case 'none':
      return k.raw('??::text', [column]);
    case 'phone': {
      const digits = k.raw("regexp_replace(?, '[^0-9]', '', 'g')", [half]);
      return k.raw("regexp_replace(?, '^(0086|86)(1[0-9]{10})$', '\\2')", [digits]);
    }
    case 'email':
      return k.raw('lower(btrim(?))', [half]);
    case 'company': {
      const halfSpaced = k.raw('translate(??::text, ?, ?)', [column, FULL + CJK_PUNCT, HALF + CJK_TO_SPACE]);
      const words = k.raw("btrim(regexp_replace(lower(?), ?, ' ', 'g'))", [halfSpaced, PUNCT]);
      const branch = k.raw("regexp_replace(?, ?, '', 'g')", [words, LEGAL_BEFORE_BRANCH]);
      const once = k.raw("regexp_replace(?, ?, '')", [branch, COMPANY_SUFFIX]);
      const twice = k.raw("regexp_replace(?, ?, '')", [once, COMPANY_SUFFIX]);
      return k.raw("regexp_replace(?, '[[:space:]]+', '', 'g')", [twice]);
    }
    default:
      return k.raw("regexp_replace(lower(?), ?, '', 'g')", [half, PUNCT]);
  }
}

const defaultNormalize = (o: CompiledObject, field: string): DuplicateNormalize => {
  const t = o.fields.get(field)!.def.type;
  return t === 'phone'
    ? 'phone'
    : t === 'email'
      ? 'email'
      : t === 'text' || t === 'textarea'
        ? 'text'
        : 'none';
};

export interface DuplicateOptions {
  /** Schema of pg_trgm's similarity(), or null when the extension is unavailable (similar → exact). */
  trigramSchema: () => string | null;
}

interface Match {
  newId: string;
  id: string;
  name: unknown;
}

/**
 * Duplicate rules, after persist in the write's transaction (so records of the same batch are
 * compared too). Exact rules first take an advisory lock per normalised key: of two concurrent
 * writers of the same customer, the second waits and then sees the first. Matching runs with
 * system visibility; the answer lists only the matches the caller may read.
 */
export function duplicatesStep(opts: DuplicateOptions): RecordStep {
  return {
    name: 'duplicates',
    // Concurrent writers of the same customer wait on a lock held to commit.
    needsTransaction: (ctx) => rulesFor(ctx.model, ctx.object).duplicates.length > 0,
    needsBefore: (ctx) => rulesFor(ctx.model, ctx.object).duplicates.length > 0,
    // Synchronous for objects without duplicate rules (most): the pipeline then awaits nothing.
    run(ctx) {
      const rules = rulesFor(ctx.model, ctx.object).duplicates;
      if (rules.length) return checkDuplicates(ctx, rules, opts);
    },
  };
}

async function checkDuplicates(ctx: WriteContext, rules: DuplicateRuleDef[], opts: DuplicateOptions) {
  const o = ctx.object;
  for (const rule of rules) {
    const fields = rule.match.map((m) => m.field);
    const items = ctx.items.filter(
      (i) => i.after && (i.op === 'create' || fields.some((f) => f in i.values)),
    );
    if (!items.length) continue;
    const ids = items.map((i) => i.after!.id as string);
    const matches = await findMatches(ctx, rule, ids, opts.trigramSchema());
    if (!matches.length) continue;
    for (const item of items) {
      const mine = matches.filter((m) => m.newId === item.after!.id);
      if (!mine.length) continue;
      if (rule.action === 'warn' && item.override) {
        ctx.events.push({
          type: 'record.duplicate_override',
          object: o.name,
          recordId: item.after!.id as string,
          payload: { rule: rule.name, reason: item.override, duplicates: mine.map((m) => m.id) },
        });
        continue;
      }
      const visible = await readable(
        ctx,
        mine.map((m) => m.id),
      );
      const duplicates = mine
        .filter((m) => visible.has(m.id))
        .map((m) => ({ id: m.id, object: o.name, name: m.name ?? null, rule: rule.name }));
      throw new DomainError(
        409,
        rule.action === 'block' ? 'DUPLICATE_BLOCKED' : 'DUPLICATE_WARNING',
        { count: mine.length, rule: rule.name },
        [],
        {
          duplicates,
          hiddenDuplicates: mine.length - duplicates.length,
          index: item.index,
          ...(rule.action === 'warn' ? { override: '$override' } : {}),
        },
      );
    }
  }
}

async function findMatches(
  ctx: WriteContext,
  rule: DuplicateRuleDef,
  ids: string[],
  trgm: string | null,
): Promise<Match[]> {
  const o = ctx.object;
  const k = ctx.trx;
  const table = () => k.from(k.raw('??.?? as ??', [ctx.schema, o.table, '_n']));
  const norm = (alias: string, m: DuplicateRuleDef['match'][number]) =>
    normalized(k, `${alias}.${o.fields.get(m.field)!.column}`, m.normalize ?? defaultNormalize(o, m.field));
  const exact = rule.match.every((m) => m.similarity === undefined || !trgm);
  if (exact) {
    // one advisory lock per rule and normalised key, taken in key order
    const key = rule.match.reduce(
      (acc, m) => k.raw("? || '|' || ?", [acc, norm('_n', m)]),
      k.raw('?::text', [rule.name]),
    );
    const keyQ = table()
      .whereIn('_n.id', ids)
      .distinct(k.raw('hashtext(?) as k', [key]));
    const keys = ((await keyQ) as { k: number | null }[])
      .map((r) => r.k)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    if (keys.length)
      await k.raw('select pg_advisory_xact_lock(?, k) from unnest(?::int[]) as k', [hashInt(o.id), keys]);
  }
  const nameCol = o.nameField ? o.fields.get(o.nameField)?.column : undefined;
  const q = table()
    .join(k.raw('??.?? as ??', [ctx.schema, o.table, '_c']), (j) => {
      j.on('_c.id', '<>', '_n.id');
      for (const m of rule.match) {
        if (m.similarity !== undefined && trgm)
          j.andOn(k.raw('??.similarity(?, ?) >= ?', [trgm, norm('_n', m), norm('_c', m), m.similarity]));
        else j.andOn(k.raw('? = ?', [norm('_n', m), norm('_c', m)]));
      }
    })
    .whereIn('_n.id', ids)
    .limit(50)
    .select({ newId: '_n.id', id: '_c.id' }, ...(nameCol ? [{ name: `_c.${nameCol}` }] : []));
  for (const m of rule.match)
    q.whereNotNull(`_n.${o.fields.get(m.field)!.column}`).andWhere(k.raw("? <> ''", [norm('_n', m)]));
  return (await q) as Match[];
}

/** The matches the caller may read (sharing rules, ownership). */
async function readable(ctx: WriteContext, ids: string[]): Promise<Set<string>> {
  if (ctx.access === ctx.unrestricted) return new Set(ids);
  const o = ctx.object;
  const q = ctx.trx.withSchema(ctx.schema).from(o.table).whereIn('id', ids).select('id');
  ctx.access.scopeRead(q, o, (n) => `${o.table}.${n}`);
  return new Set(((await q) as { id: string }[]).map((r) => r.id));
}

function hashInt(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
