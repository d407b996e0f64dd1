import { ident, internalIdent, type Ident } from '../core/ident.js';
import type { FieldDef, ObjectDef, PackageDef } from '../core/model.js';
import type { FieldType, Storage } from '../fields/field-type.js';
import { fieldType, withDefaults } from '../fields/registry.js';

export interface CompiledField {
  readonly id: string;
  readonly name: string;
  readonly def: FieldDef;
  readonly type: FieldType;
  readonly column: Ident;
  readonly storage: Storage;
}

export interface CompiledObject {
  readonly id: string;
  readonly name: string;
  readonly def: ObjectDef;
  readonly table: Ident;
  readonly fields: ReadonlyMap<string, CompiledField>;
  readonly fieldList: readonly CompiledField[];
  /** The field that names a record in lists and lookups. */
  readonly nameField: string | null;
  /** Lookups of other objects that point here: for related lists and delete checks. */
  readonly children: readonly { object: string; field: string }[];
  /**
   * Engine columns beyond the system ones, kept by process features: `business_type` when the
   * object has business types, `stage_entered_at` and `stage_due_at` when it has a pipeline.
   */
  readonly processColumns: readonly ProcessColumn[];
  /** The picklist field its pipelines move through, or null. */
  readonly stageField: string | null;
  /** Whether its writes leave change events in the outbox: `changeEvents`, or an automation on it. */
  readonly changeEvents: boolean;
}

export interface ProcessColumn {
  readonly name: Ident;
  readonly pg: 'text' | 'timestamptz';
}

/** A validated package with identifiers minted: built once per tenant metadata version. */
export interface CompiledModel {
  readonly version: number;
  readonly hash: string;
  readonly pkg: PackageDef;
  readonly objects: ReadonlyMap<string, CompiledObject>;
}

/** Compiles a package that passed validatePackage and assignIds. */
export function compileModel(pkg: PackageDef, version: number, hash: string): CompiledModel {
  const objects = new Map<string, CompiledObject>();
  const children = new Map<string, { object: string; field: string }[]>();
  for (const o of pkg.objects)
    for (const f of o.fields)
      if (f.target)
        children.set(f.target, [...(children.get(f.target) ?? []), { object: o.name, field: f.name }]);
  const typed = new Set((pkg.businessTypes ?? []).map((t) => t.object));
  const stageFields = new Map((pkg.pipelines ?? []).map((p) => [p.object, p.field]));
  const automated = new Set((pkg.automations ?? []).map((a) => a.object));
  for (const o of pkg.objects) {
    const stageField = stageFields.get(o.name) ?? null;
    const processColumns: ProcessColumn[] = [
      ...(typed.has(o.name) ? [{ name: internalIdent('business_type'), pg: 'text' as const }] : []),
      ...(stageField
        ? [
            { name: internalIdent('stage_entered_at'), pg: 'timestamptz' as const },
            { name: internalIdent('stage_due_at'), pg: 'timestamptz' as const },
          ]
        : []),
    ];
    const fieldList = o.fields.map((raw): CompiledField => {
      const def = withDefaults(raw);
      const type = fieldType(def.type);
      return Object.freeze({
        id: def.id!,
        name: def.name,
        def,
        type,
        column: ident(def.name),
        storage: type.storage(def),
      });
    });
    const nameField =
      o.nameField ??
      fieldList.find((f) => f.def.type === 'text' || f.def.type === 'auto_number')?.name ??
      null;
    objects.set(
      o.name,
      Object.freeze({
        id: o.id!,
        name: o.name,
        def: o,
        table: ident(o.name),
        fields: new Map(fieldList.map((f) => [f.name, f])),
        fieldList,
        nameField,
        children: children.get(o.name) ?? [],
        processColumns,
        stageField,
        changeEvents: o.changeEvents === true || automated.has(o.name),
      }),
    );
  }
  return Object.freeze({ version, hash, pkg, objects });
}
