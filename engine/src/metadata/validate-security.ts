import { pointer, type FieldIssue } from '../core/errors.js';
import { identProblem } from '../core/ident.js';
import type { PackageDef } from '../core/model.js';
import { checkFilter } from './filter-check.js';

/** Roles, profiles and sharing rules: names unique and valid, every reference resolvable, no cycles. */
export function checkSecurity(pkg: PackageDef, issues: FieldIssue[]): void {
  const roles = new Map<string, number>();
  (pkg.roles ?? []).forEach((r, i) => {
    const at = pointer('roles', i, 'name');
    if (identProblem(r.name) === 'pattern')
      issues.push({ pointer: at, code: 'META_BAD_NAME', params: { name: r.name } });
    if (roles.has(r.name))
      issues.push({ pointer: at, code: 'META_DUPLICATE_NAME', params: { name: r.name } });
    roles.set(r.name, i);
  });
  (pkg.roles ?? []).forEach((r, i) => {
    if (r.parent === undefined) return;
    if (!roles.has(r.parent))
      issues.push({
        pointer: pointer('roles', i, 'parent'),
        code: 'META_UNKNOWN_ROLE',
        params: { role: r.parent },
      });
    // Walk up: meeting ourselves again means a cycle.
    const seen = new Set([r.name]);
    for (
      let p: string | undefined = r.parent;
      p !== undefined;
      p = pkg.roles?.find((x) => x.name === p)?.parent
    ) {
      if (seen.has(p)) {
        issues.push({
          pointer: pointer('roles', i, 'parent'),
          code: 'META_ROLE_CYCLE',
          params: { role: r.name },
        });
        break;
      }
      seen.add(p);
    }
  });

  const objects = new Map(pkg.objects.map((o) => [o.name, o]));
  const profiles = new Set<string>();
  (pkg.profiles ?? []).forEach((p, i) => {
    if (profiles.has(p.name))
      issues.push({
        pointer: pointer('profiles', i, 'name'),
        code: 'META_DUPLICATE_NAME',
        params: { name: p.name },
      });
    profiles.add(p.name);
    for (const name of Object.keys(p.objects))
      if (!objects.has(name))
        issues.push({
          pointer: pointer('profiles', i, 'objects', name),
          code: 'META_UNKNOWN_TARGET',
          params: { target: name },
        });
    for (const [name, fields] of Object.entries(p.fields ?? {})) {
      const o = objects.get(name);
      if (!o)
        issues.push({
          pointer: pointer('profiles', i, 'fields', name),
          code: 'META_UNKNOWN_TARGET',
          params: { target: name },
        });
      else
        for (const f of Object.keys(fields))
          if (!o.fields.some((x) => x.name === f))
            issues.push({
              pointer: pointer('profiles', i, 'fields', name, f),
              code: 'META_UNKNOWN_FIELD',
              params: { field: f, object: name },
            });
    }
  });

  pkg.objects.forEach((o, oi) =>
    (o.sharing?.rules ?? []).forEach((rule, ri) => {
      const at = pointer('objects', oi, 'sharing', 'rules', ri);
      if (!roles.has(rule.role))
        issues.push({ pointer: `${at}/role`, code: 'META_UNKNOWN_ROLE', params: { role: rule.role } });
      issues.push(
        ...checkFilter(rule.filter, new Map(o.fields.map((f) => [f.name, f])), o.name, `${at}/filter`),
      );
    }),
  );
}
