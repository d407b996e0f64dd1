import { pointer, type FieldIssue } from '../core/errors.js';
import type { I18nText, PackageDef, ProfileDef } from '../core/model.js';
import { fieldType, withDefaults } from '../fields/registry.js';

/**
 * What a deploy allows but will hurt someone: shown with the plan, never blocking it.
 *
 * REQUIRED_NOT_EDITABLE: a field a create must fill (`required`, or `requiredIf` — required in
 * some cases) that a profile with create access on the object may not edit (field-level
 * security `read` or `none`): every create by those users fails, or fails in those cases. A
 * `default` or `defaultExpression` fills the field for them, so it is not reported.
 */
export function planWarnings(pkg: PackageDef): FieldIssue[] {
  const out: FieldIssue[] = [];
  const profiles = pkg.profiles ?? [];
  pkg.objects.forEach((o, oi) => {
    const creators = profiles.filter((p) => p.objects?.[o.name]?.create);
    if (!creators.length) return;
    o.fields.forEach((raw, fi) => {
      const f = withDefaults(raw);
      if (!fieldType(f.type).writable) return;
      const always = f.required === true;
      if (!always && f.requiredIf === undefined) return;
      if (f.default !== undefined || f.defaultExpression !== undefined) return;
      const blocked = creators.filter((p) => (p.fields?.[o.name]?.[f.name] ?? 'edit') !== 'edit');
      if (!blocked.length) return;
      out.push({
        pointer: pointer('objects', oi, 'fields', fi, always ? 'required' : 'requiredIf'),
        code: always ? 'REQUIRED_NOT_EDITABLE' : 'REQUIRED_IF_NOT_EDITABLE',
        params: { object: o.label, field: f.label, profiles: labelList(blocked) },
        detail: { object: o.name, field: f.name, profiles: blocked.map((p) => p.name) },
      });
    });
  });
  return out;
}

/** Profile labels as one text per language ("Sales Rep, Support" / "销售代表、客服"). */
const labelList = (ps: ProfileDef[]): I18nText => ({
  en: ps.map((p) => `“${p.label.en}”`).join(', '),
  'zh-CN': ps.map((p) => `“${p.label['zh-CN']}”`).join('、'),
});
