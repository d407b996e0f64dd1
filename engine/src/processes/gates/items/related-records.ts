import type { FieldIssue } from '../../../core/errors.js';
import { formatMessage } from '../../../core/messages.js';
import type { I18nText, JsonValue } from '../../../core/model.js';
import { checkFilter } from '../../../metadata/filter-check.js';
import { catalogOf } from '../../../records/catalog.js';
import { applyFilter } from '../../../records/filter.js';
import type { GateItemKind } from '../registry.js';

const LOOKUPS = new Set(['lookup', 'master_detail']);
const DATES = new Set(['date', 'datetime']);
const DAY = 86_400_000;
/** Counted records named in the answer, at most. */
const SHOWN = 5;

const both = (code: string, params: Record<string, unknown>): I18nText => ({
  en: formatMessage(code, 'en', params),
  'zh-CN': formatMessage(code, 'zh-CN', params),
});

/**
 * At least `min` records of a child object (linked through its lookup or master-detail `via`)
 * matching a records-language filter, optionally dated since the record entered its current
 * stage or within the last `withinDays` days (by `dateField`, default created_at): "a site survey
 * visit", "an executive visit since 立项".
 *
 * In a write, the counted children are locked FOR SHARE until the move commits: a concurrent
 * delete or change of one waits, and one that committed first is not counted, so a record
 * never moves on the strength of a child that is gone at commit.
 */
export const relatedRecords: GateItemKind = {
  kind: 'related_records',
  label: { en: 'Related records', 'zh-CN': '相关记录' },
  configSchema: {
    properties: {
      object: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      via: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      filter: { type: 'object' },
      min: { type: 'integer', minimum: 1, maximum: 100 },
      since: { enum: ['stage_entered'] },
      withinDays: { type: 'integer', minimum: 1, maximum: 3650 },
      dateField: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
    },
    required: ['object', 'via'],
  },
  checkAtDeploy(def, ctx) {
    const issues: FieldIssue[] = [];
    const child = ctx.pkg.objects.find((o) => o.name === def.object);
    if (!child)
      return [
        { pointer: `${ctx.pointer}/object`, code: 'META_UNKNOWN_TARGET', params: { target: def.object } },
      ];
    const via = child.fields.find((f) => f.name === def.via);
    if (!via || !LOOKUPS.has(via.type) || via.target !== ctx.object.name)
      issues.push({
        pointer: `${ctx.pointer}/via`,
        code: 'GATE_BAD_VIA',
        params: { field: String(def.via), object: child.name, target: ctx.object.name },
      });
    if (def.dateField !== undefined && def.dateField !== 'created_at') {
      const d = child.fields.find((f) => f.name === def.dateField);
      if (!d || !(DATES.has(d.type) || (d.type === 'formula' && DATES.has(d.returnType ?? ''))))
        issues.push({
          pointer: `${ctx.pointer}/dateField`,
          code: 'GATE_BAD_DATE_FIELD',
          params: { field: String(def.dateField), object: child.name },
        });
    }
    if (def.filter !== undefined)
      issues.push(
        ...checkFilter(
          def.filter,
          new Map(child.fields.map((f) => [f.name, f])),
          child.name,
          `${ctx.pointer}/filter`,
        ),
      );
    return issues;
  },
  compile(def, name, model) {
    const child = model.objects.get(String(def.object))!;
    const via = child.fields.get(String(def.via))!;
    const dateColumn =
      def.dateField && def.dateField !== 'created_at'
        ? child.fields.get(def.dateField as string)!.column
        : 'created_at';
    const min = (def.min as number | undefined) ?? 1;
    const sinceStage = def.since === 'stage_entered';
    const withinDays = def.withinDays as number | undefined;
    const nameColumn = child.nameField ? child.fields.get(child.nameField)?.column : undefined;
    const objectLabel = child.def.pluralLabel;
    const scope: I18nText | '' = sinceStage
      ? both('GATE_SCOPE_SINCE_STAGE', {})
      : withinDays
        ? both('GATE_SCOPE_WITHIN_DAYS', { days: withinDays })
        : '';
    const params = { min, object: objectLabel, scope };
    return {
      kind: 'related_records',
      name,
      label: (def.label as I18nText | undefined) ?? both('GATE_RELATED_RECORDS_LABEL', params),
      related: true,
      async evaluate(ctx) {
        let rows: { id: string; name?: unknown }[] = [];
        if (ctx.recordId) {
          const q = ctx.db
            .withSchema(ctx.schema)
            .from(child.table)
            .where(via.column, ctx.recordId)
            .select(['id', ...(nameColumn ? [`${nameColumn} as name`] : [])])
            .orderBy('id')
            .limit(Math.max(min, SHOWN));
          if (def.filter !== undefined) applyFilter(q, def.filter, catalogOf(child));
          // dated since entering the current stage: a new record has no such children
          if (sinceStage) q.where(dateColumn, '>=', (ctx.since ?? ctx.now).toISOString());
          if (withinDays)
            q.where(dateColumn, '>=', new Date(ctx.now.getTime() - withinDays * DAY).toISOString());
          if (ctx.lock) q.forShare();
          rows = (await q) as typeof rows;
        }
        // Names only of the counted records the caller may read; the others by id.
        const visible = new Set<string>();
        if (rows.length && ctx.access.can(child, 'read')) {
          if (ctx.access.readsAll(child)) rows.forEach((r) => visible.add(r.id));
          else {
            const v = ctx.db
              .withSchema(ctx.schema)
              .from(child.table)
              .whereIn(
                'id',
                rows.map((r) => r.id),
              )
              .select('id');
            ctx.access.scopeRead(v, child, (n) => `${child.table}.${n}`);
            for (const r of (await v) as { id: string }[]) visible.add(r.id);
          }
        }
        const nameReadable = !!child.nameField && ctx.access.readable(child).has(child.nameField);
        const met = rows.length >= min;
        const counted: JsonValue[] = rows
          .slice(0, SHOWN)
          .map((r) => ({
            id: r.id,
            name: visible.has(r.id) && nameReadable ? ((r.name as string) ?? null) : null,
          }));
        return {
          met,
          code: met ? 'GATE_RELATED_RECORDS_MET' : 'GATE_RELATED_RECORDS',
          params: { ...params, count: rows.length },
          details: {
            object: child.name,
            via: via.name,
            min,
            count: rows.length,
            records: counted,
            ...(def.filter !== undefined ? { filter: def.filter as JsonValue } : {}),
            ...(sinceStage ? { since: ctx.since ? ctx.since.toISOString() : null } : {}),
            ...(withinDays ? { withinDays } : {}),
          },
        };
      },
    };
  },
};
