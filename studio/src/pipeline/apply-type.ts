import type { JsonObject, ObjectDef } from '../api/types';
import type { StagesInfo } from './types';
import { pipelineFor } from './store';

/**
 * The object as a record of business type `type` sees it: the type's layout, only the picklist
 * options the type allows, the stage field's options in its pipeline's order, and the fields the
 * type requires marked required. The form generator needs nothing else to follow the type.
 */
export function withBusinessType(
  o: ObjectDef,
  s: StagesInfo | null | undefined,
  type: string | null,
): ObjectDef {
  if (!s) return o;
  const t = s.businessTypes.find((x) => x.name === type);
  const pipeline = pipelineFor(s, type);
  if (!t && !pipeline) return o;
  const required = new Set(t?.required ?? []);
  // A type's layout decides what its records show; fields it leaves out stay out, unless a
  // record could not be saved without them (required), which then land in "Other".
  const placed = t?.layout ? layoutFields(t.layout) : null;
  const shown = placed
    ? o.fields.filter(
        (f) => placed.has(f.name) || f.required || required.has(f.name) || f.name === s.stageField,
      )
    : o.fields;
  const fields = shown.map((f) => {
    let out = f;
    if (pipeline && f.name === s.stageField && f.options) {
      const byValue = new Map(f.options.map((x) => [x.value, x]));
      const options = pipeline.stages.flatMap((st) => {
        const opt = byValue.get(st.value);
        return opt ? [{ ...opt, label: opt.label ?? st.label }] : [];
      });
      out = { ...out, options };
    } else if (t?.picklists[f.name] && f.options) {
      const allowed = new Set(t.picklists[f.name]);
      out = { ...out, options: f.options.filter((x) => allowed.has(x.value)) };
    }
    if (required.has(f.name)) out = { ...out, required: true };
    return out;
  });
  return { ...o, fields, ...(t?.layout ? { layout: t.layout } : {}) };
}

function layoutFields(layout: JsonObject): Set<string> {
  const sections = (layout as { sections?: { fields?: unknown }[] }).sections;
  return new Set(
    (Array.isArray(sections) ? sections : []).flatMap((s) =>
      Array.isArray(s?.fields) ? s.fields.filter((n): n is string => typeof n === 'string') : [],
    ),
  );
}
