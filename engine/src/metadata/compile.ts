import { ident, type Ident } from '../core/ident.js';
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
  for (const o of pkg.objects) {
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
      }),
    );
  }
  return Object.freeze({ version, hash, pkg, objects });
}
