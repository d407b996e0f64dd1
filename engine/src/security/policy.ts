import type { Knex } from 'knex';
import type { ObjectPermissions, ProfileDef, SharingRuleDef } from '../core/model.js';
import type { CompiledModel, CompiledObject } from '../metadata/compile.js';
import { crossObjectSources } from '../metadata/formula-sources.js';
import type { AccessPolicy, ObjectOp } from '../records/access.js';
import { ALLOW_ALL } from '../records/access.js';
import { catalogOf } from '../records/catalog.js';
import { applyFilter } from '../records/filter.js';
import { RECORD_SHARES, USERS } from '../schema-sync/ddl.js';
import { subordinatesOf } from './roles.js';

/** Who asks, as far as authorisation cares. */
export interface Subject {
  userId: string;
  isAdmin: boolean;
  role: string | null;
  profile: string | null;
}

const NONE: ObjectPermissions = {};

interface ObjectRules {
  perms: ObjectPermissions;
  readable: ReadonlySet<string>;
  editable: ReadonlySet<string>;
  /** Sharing rules that reach this subject, by the access they give. */
  readRules: SharingRuleDef[];
  editRules: SharingRuleDef[];
}

/**
 * The access policy of one subject under one metadata version: profile permissions (object and
 * field level), organisation-wide defaults, the role hierarchy, sharing rules and record teams.
 * Built once per (version, user) and cached with the model.
 */
export function policyFor(model: CompiledModel, s: Subject, schema: string): AccessPolicy {
  if (s.isAdmin) return ALLOW_ALL;
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  const key = `${s.userId}|${s.role ?? ''}|${s.profile ?? ''}|${schema}`;
  let p = perModel.get(key);
  if (!p) perModel.set(key, (p = build(model, s, schema)));
  return p;
}

const cache = new WeakMap<CompiledModel, Map<string, AccessPolicy>>();

function build(model: CompiledModel, s: Subject, schema: string): AccessPolicy {
  const profile: ProfileDef | undefined = (model.pkg.profiles ?? []).find((p) => p.name === s.profile);
  const below = s.role ? (subordinatesOf(model.pkg).get(s.role) ?? []) : [];
  // Roles whose members a rule shared with role R reaches: R, plus those below R when asked.
  const reaches = (rule: SharingRuleDef) =>
    s.role !== null &&
    (rule.role === s.role ||
      (!!rule.includeSubordinates && (subordinatesOf(model.pkg).get(rule.role) ?? []).includes(s.role)));
  const rules = new Map<CompiledObject, ObjectRules>();
  const rulesOf = (o: CompiledObject): ObjectRules => {
    let r = rules.get(o);
    if (r) return r;
    const perms = profile?.objects?.[o.name] ?? NONE;
    const fls = profile?.fields?.[o.name] ?? {};
    const names = o.fieldList.map((f) => f.name);
    const shared = (o.def.sharing?.rules ?? []).filter(reaches);
    r = {
      perms,
      readable: new Set(perms.read ? names.filter((n) => fls[n] !== 'none') : []),
      editable: new Set(
        perms.edit || perms.create
          ? names.filter((n) => (fls[n] ?? 'edit') === 'edit' && o.fields.get(n)!.type.writable)
          : [],
      ),
      readRules: shared,
      editRules: shared.filter((x) => x.access === 'edit'),
    };
    rules.set(o, r);
    return r;
  };
  const owd = (o: CompiledObject) => o.def.sharing?.default ?? 'private';

  // A formula that reads another record through a lookup shows that record's data: the reader
  // sees it only if they may read the lookup, the object it points at and every field read there
  // (which, for a formula there, is decided the same way).
  const derived = new Map<CompiledObject, ReadonlySet<string>>();
  const deriving = new Set<CompiledObject>();
  const readableOf = (o: CompiledObject): ReadonlySet<string> => {
    const done = derived.get(o);
    if (done) return done;
    const base = rulesOf(o).readable;
    const sources = crossObjectSources(model, o);
    if (!sources.size) return base;
    // formulas reading each other across objects: inside the loop, the other side's cross-object formulas stay hidden
    if (deriving.has(o)) return new Set([...base].filter((n) => !sources.has(n)));
    deriving.add(o);
    const out = new Set(base);
    for (const [formula, list] of sources)
      if (
        out.has(formula) &&
        !list.every((x) => {
          const target = model.objects.get(x.target);
          return (
            !!target && base.has(x.lookup) && rulesOf(target).perms.read && readableOf(target).has(x.field)
          );
        })
      )
        out.delete(formula);
    deriving.delete(o);
    derived.set(o, out);
    return out;
  };

  /** Rows the subject reaches through ownership, the hierarchy, sharing rules or a record team. */
  const reachable = (
    qb: Knex.QueryBuilder,
    o: CompiledObject,
    col: (n: string) => string,
    sharingRules: SharingRuleDef[],
    needEdit: boolean,
  ) => {
    qb.where((w) => {
      w.where(col('owner'), s.userId);
      if (below.length)
        w.orWhereIn(col('owner'), (sub) =>
          sub.withSchema(schema).from(USERS).select('id').whereIn('role', below),
        );
      // `id in (uncorrelated subquery)`, not a correlated EXISTS: Postgres runs it once as a hashed
      // subplan either way, but costs the EXISTS per row (~200× too high), which kept aggregates
      // off parallel plans (docs/performance.md, "Aggregates").
      w.orWhereIn(col('id'), (sub) => {
        sub
          .withSchema(schema)
          .from(RECORD_SHARES)
          .select('record_id')
          .where('object_id', o.id)
          .where('user_id', s.userId);
        if (needEdit) sub.where('access', 'edit');
      });
      for (const rule of sharingRules)
        w.orWhere((x) => applyFilter(x, rule.filter, catalogOf(o), qualifier(col)));
    });
  };

  return {
    profile: s.profile,
    can: (o: CompiledObject, op: ObjectOp) => !!rulesOf(o).perms[op],
    readable: readableOf,
    editable: (o) => rulesOf(o).editable,
    readsAll(o) {
      const r = rulesOf(o);
      return !!r.perms.read && (!!r.perms.viewAll || !!r.perms.modifyAll || owd(o) !== 'private');
    },
    scopeRead(qb, o, col) {
      const r = rulesOf(o);
      if (!r.perms.read) return void qb.whereRaw('false');
      if (r.perms.viewAll || r.perms.modifyAll || owd(o) !== 'private') return;
      reachable(qb, o, col, r.readRules, false);
    },
    scopeEdit(qb, o, col) {
      const r = rulesOf(o);
      if (!r.perms.edit && !r.perms.delete) return void qb.whereRaw('false');
      if (r.perms.modifyAll || owd(o) === 'public_read_write') return;
      reachable(qb, o, col, r.editRules, true);
    },
  };
}

/** applyFilter qualifies columns with a table name; recover it from the column function. */
function qualifier(col: (n: string) => string): string | undefined {
  const c = col('id');
  return c.includes('.') ? c.slice(0, c.lastIndexOf('.')) : undefined;
}
