import type { I18nText, RoleDef } from '../../api/types';

export interface RoleNode {
  name: string;
  label: I18nText;
  children: RoleNode[];
}

/** The hierarchy as a forest: top roles (no parent, or a parent that is missing) first. */
export function roleTree(roles: RoleDef[]): RoleNode[] {
  const nodes = new Map(
    roles.map((r) => [r.name, { name: r.name, label: r.label, children: [] } as RoleNode]),
  );
  const top: RoleNode[] = [];
  for (const r of roles) {
    const n = nodes.get(r.name)!;
    const parent = r.parent !== undefined ? nodes.get(r.parent) : undefined;
    if (parent && parent !== n) parent.children.push(n);
    else top.push(n);
  }
  return top;
}

/** Every role below `name` (children, their children…). */
export function below(roles: RoleDef[], name: string): Set<string> {
  const out = new Set<string>();
  const walk = (n: string) => {
    for (const r of roles)
      if (r.parent === n && !out.has(r.name)) {
        out.add(r.name);
        walk(r.name);
      }
  };
  walk(name);
  return out;
}

/** May `name` report to `parent`? Not to itself nor to a role below it (that would be a loop). */
export const canReparent = (roles: RoleDef[], name: string, parent: string | undefined) =>
  parent === undefined || (parent !== name && !below(roles, name).has(parent));

/** The roles with `name` moved under `parent` (undefined: to the top). */
export function reparent(roles: RoleDef[], name: string, parent: string | undefined): RoleDef[] {
  if (!canReparent(roles, name, parent)) throw new Error(`role ${name} cannot report to ${parent}`);
  return roles.map((r) => {
    if (r.name !== name) return r;
    const next: RoleDef = { ...r };
    if (parent === undefined) delete next.parent;
    else next.parent = parent;
    return next;
  });
}

/** Why a role cannot be removed: roles below it, users in it, sharing rules naming it. */
export function removeBlockers(
  roles: RoleDef[],
  name: string,
  usersIn: number,
  rulesNaming: number,
): { children: number; users: number; rules: number } | null {
  const children = roles.filter((r) => r.parent === name).length;
  return children || usersIn || rulesNaming ? { children, users: usersIn, rules: rulesNaming } : null;
}
