import { pointer, type FieldIssue } from '../../core/errors.js';
import { PROCESS_FIELDS } from '../../core/ident.js';
import type { ObjectDef, PackageDef } from '../../core/model.js';
import { fieldType } from '../../fields/registry.js';
import { checkGateItem } from '../gates/registry.js';
import { itemName } from './compiled.js';

const PICKLISTS = new Set(['picklist', 'multi_picklist']);

/**
 * Business types and pipelines, checked at deploy (after the package's own validation): every
 * object, field, option, profile, pipeline and stage they name exists and fits, and every gate
 * item passes its kind's checks. Each issue points into the package.
 */
export function checkProcesses(pkg: PackageDef): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const objects = new Map(pkg.objects.map((o) => [o.name, o]));
  const profiles = new Set((pkg.profiles ?? []).map((p) => p.name));
  const pipelines = new Map((pkg.pipelines ?? []).map((p) => [p.name, p]));
  const typed = new Set((pkg.businessTypes ?? []).map((t) => t.object));
  const push = (at: string, code: string, params: Record<string, unknown> = {}) =>
    issues.push({ pointer: at, code, params });
  const fieldsTaken = (o: ObjectDef, names: readonly string[]) => {
    const oi = pkg.objects.indexOf(o);
    o.fields.forEach((f, fi) => {
      if (names.includes(f.name))
        push(pointer('objects', oi, 'fields', fi, 'name'), 'PROCESS_FIELD_TAKEN', { name: f.name });
    });
  };

  // pipelines
  const stageFieldOf = new Map<string, string>();
  const seenPipelines = new Set<string>();
  (pkg.pipelines ?? []).forEach((p, pi) => {
    const at = pointer('pipelines', pi);
    if (seenPipelines.has(p.name)) push(`${at}/name`, 'META_DUPLICATE_NAME', { name: p.name });
    seenPipelines.add(p.name);
    const o = objects.get(p.object);
    if (!o) return push(`${at}/object`, 'META_UNKNOWN_TARGET', { target: p.object });
    const field = o.fields.find((f) => f.name === p.field);
    if (!field || field.type !== 'picklist')
      return push(`${at}/field`, 'PIPELINE_BAD_FIELD', { field: p.field, object: o.name });
    const other = stageFieldOf.get(o.name);
    if (other && other !== p.field) push(`${at}/field`, 'PIPELINE_FIELD_DIFFERS', { field: other });
    else if (other && !typed.has(o.name)) push(at, 'PIPELINE_NEEDS_TYPES', { object: o.name });
    if (!other) {
      stageFieldOf.set(o.name, p.field);
      fieldsTaken(
        o,
        PROCESS_FIELDS.filter((n) => n !== 'business_type'),
      );
    }
    const options = new Set((field.options ?? []).map((x) => x.value));
    const values = new Set<string>();
    p.stages.forEach((s, si) => {
      const sat = `${at}/stages/${si}`;
      if (!options.has(s.value)) push(`${sat}/value`, 'PIPELINE_NOT_AN_OPTION', { value: s.value });
      if (values.has(s.value)) push(`${sat}/value`, 'META_DUPLICATE_OPTION', { value: s.value });
      values.add(s.value);
      const names = new Set<string>();
      (s.gate ?? []).forEach((item, ii) => {
        const iat = `${sat}/gate/${ii}`;
        const name = itemName(item.kind, item.name, ii);
        if (names.has(name)) push(`${iat}/name`, 'META_DUPLICATE_NAME', { name });
        names.add(name);
        issues.push(...checkGateItem(item, { pkg, object: o, pointer: iat }));
      });
    });
    if ((p.stages[0]?.category ?? 'open') !== 'open')
      push(`${at}/stages/0/category`, 'PIPELINE_FIRST_NOT_OPEN');
  });

  // business types
  const seenTypes = new Set<string>();
  const defaults = new Set<string>();
  (pkg.businessTypes ?? []).forEach((t, ti) => {
    const at = pointer('businessTypes', ti);
    const key = `${t.object}.${t.name}`;
    if (seenTypes.has(key)) push(`${at}/name`, 'META_DUPLICATE_NAME', { name: t.name });
    seenTypes.add(key);
    const o = objects.get(t.object);
    if (!o) return push(`${at}/object`, 'META_UNKNOWN_TARGET', { target: t.object });
    if (![...seenTypes].some((k) => k !== key && k.startsWith(`${t.object}.`)))
      fieldsTaken(o, ['business_type']);
    if (t.default) {
      if (defaults.has(o.name)) push(`${at}/default`, 'BUSINESS_TYPE_TWO_DEFAULTS', { object: o.name });
      defaults.add(o.name);
    }
    (t.profiles ?? []).forEach((p, i) => {
      if (!profiles.has(p)) push(`${at}/profiles/${i}`, 'META_UNKNOWN_PROFILE', { profile: p });
    });
    (t.defaultFor ?? []).forEach((p, i) => {
      if (!profiles.has(p)) push(`${at}/defaultFor/${i}`, 'META_UNKNOWN_PROFILE', { profile: p });
      else if (t.profiles && !t.profiles.includes(p))
        push(`${at}/defaultFor/${i}`, 'BUSINESS_TYPE_DEFAULT_NOT_USABLE', { profile: p });
    });
    const fields = new Map(o.fields.map((f) => [f.name, f]));
    for (const [name, values] of Object.entries(t.picklists ?? {})) {
      const pat = `${at}/picklists/${pointer(name).slice(1)}`;
      const f = fields.get(name);
      if (!f) {
        push(pat, 'META_UNKNOWN_FIELD', { field: name, object: o.name });
        continue;
      }
      if (!PICKLISTS.has(f.type)) push(pat, 'BUSINESS_TYPE_NOT_A_PICKLIST', { field: name });
      else if (name === stageFieldOf.get(o.name)) push(pat, 'BUSINESS_TYPE_STAGE_OPTIONS', { field: name });
      else {
        const options = new Set((f.options ?? []).map((x) => x.value));
        values.forEach((v, i) => {
          if (!options.has(v)) push(`${pat}/${i}`, 'NOT_AN_OPTION', { value: v });
        });
      }
    }
    (t.required ?? []).forEach((name, i) => {
      const f = fields.get(name);
      if (!f) push(`${at}/required/${i}`, 'META_UNKNOWN_FIELD', { field: name, object: o.name });
      else if (!fieldType(f.type).writable)
        push(`${at}/required/${i}`, 'BUSINESS_TYPE_REQUIRED_COMPUTED', { field: name });
    });
    const sections = (t.layout as { sections?: { fields?: unknown }[] } | undefined)?.sections;
    if (Array.isArray(sections))
      sections.forEach((s, si) =>
        (Array.isArray(s?.fields) ? s.fields : []).forEach((n: unknown, fi: number) => {
          if (typeof n !== 'string' || !fields.has(n))
            push(`${at}/layout/sections/${si}/fields/${fi}`, 'META_UNKNOWN_FIELD', {
              field: String(n),
              object: o.name,
            });
        }),
      );
    if (t.pipeline !== undefined) {
      const p = pipelines.get(t.pipeline);
      if (!p || p.object !== o.name)
        push(`${at}/pipeline`, 'BUSINESS_TYPE_UNKNOWN_PIPELINE', { pipeline: t.pipeline, object: o.name });
    }
  });
  return issues;
}
