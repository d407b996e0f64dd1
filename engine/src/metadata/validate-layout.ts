import type { FieldIssue } from '../core/errors.js';
import { pointer } from '../core/errors.js';
import { SYSTEM_FIELDS } from '../core/ident.js';
import { FORMAT_VERSION, type ObjectDef, type PackageDef } from '../core/model.js';

const SYSTEM = new Set<string>(SYSTEM_FIELDS);
const PROCESS_LISTS = ['businessTypes', 'pipelines', 'approvalFlows', 'automations', 'pools'] as const;

/**
 * What the layout schema cannot say: every field a layout names exists on its object (a renamed
 * or deleted field is refused with the pointer, not silently dropped from the screen), no field
 * is placed twice, related lists name a child object and its lookup to this object.
 */
export function checkLayouts(pkg: PackageDef, issues: FieldIssue[]) {
  const objects = new Map(pkg.objects.map((o) => [o.name, o]));
  const has = (o: ObjectDef, name: string) => SYSTEM.has(name) || o.fields.some((f) => f.name === name);
  const unknown = (at: string, o: ObjectDef, field: string) =>
    issues.push({ pointer: at, code: 'META_UNKNOWN_FIELD', params: { field, object: o.name } });
  pkg.objects.forEach((o, oi) => {
    const layout = o.layout;
    if (!layout) return;
    const at = pointer('objects', oi, 'layout');
    const placed = new Set<string>();
    layout.sections?.forEach((s, si) =>
      s.fields.forEach((name, fi) => {
        const p = `${at}/sections/${si}/fields/${fi}`;
        if (!has(o, name)) unknown(p, o, name);
        else if (placed.has(name))
          issues.push({ pointer: p, code: 'META_LAYOUT_TWICE', params: { field: name } });
        placed.add(name);
      }),
    );
    layout.compact?.fields.forEach((name, fi) => {
      if (!has(o, name)) unknown(`${at}/compact/fields/${fi}`, o, name);
    });
    layout.relatedLists?.forEach((rl, ri) => {
      const p = `${at}/relatedLists/${ri}`;
      const child = objects.get(rl.object);
      if (!child) {
        issues.push({ pointer: `${p}/object`, code: 'META_UNKNOWN_TARGET', params: { target: rl.object } });
        return;
      }
      const via = child.fields.find((f) => f.name === rl.field);
      if (!via || via.target !== o.name)
        issues.push({
          pointer: `${p}/field`,
          code: 'META_RELATED_LIST_VIA',
          params: { field: rl.field, object: rl.object, parent: o.name },
        });
      rl.columns?.forEach((c, ci) => {
        if (!has(child, c)) unknown(`${p}/columns/${ci}`, child, c);
      });
      const sort = rl.sort?.replace(/^-/, '');
      if (sort !== undefined && !has(child, sort)) unknown(`${p}/sort`, child, sort);
    });
  });
}

/** The format version, and the process lists' minimal checks: an existing object, unique names. */
export function checkFormatAndProcesses(pkg: PackageDef, issues: FieldIssue[]) {
  if (pkg.formatVersion !== undefined && pkg.formatVersion > FORMAT_VERSION)
    issues.push({
      pointer: '/formatVersion',
      code: 'META_FORMAT_VERSION',
      params: { version: pkg.formatVersion, supported: FORMAT_VERSION },
    });
  const objects = new Set(pkg.objects.map((o) => o.name));
  for (const list of PROCESS_LISTS) {
    const seen = new Set<string>();
    pkg[list]?.forEach((item, i) => {
      if (!objects.has(item.object))
        issues.push({
          pointer: pointer(list, i, 'object'),
          code: 'META_UNKNOWN_TARGET',
          params: { target: item.object },
        });
      if (seen.has(item.name))
        issues.push({
          pointer: pointer(list, i, 'name'),
          code: 'META_DUPLICATE_NAME',
          params: { name: item.name },
        });
      seen.add(item.name);
    });
  }
}
