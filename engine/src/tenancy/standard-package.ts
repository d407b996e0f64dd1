import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObjectDef, PackageDef } from '../core/model.js';

const STANDARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../metadata/standard');

let cached: PackageDef | null = null;

/** The standard CRM objects every new tenant starts with (metadata/standard/). */
export function standardPackage(): PackageDef {
  if (cached) return structuredClone(cached);
  const index = JSON.parse(readFileSync(join(STANDARD_DIR, 'index.json'), 'utf8')) as {
    formatVersion: number;
    name: string;
    description: string;
    objects: string[];
  };
  const objects = index.objects.map(
    (name) => JSON.parse(readFileSync(join(STANDARD_DIR, `${name}.json`), 'utf8')) as ObjectDef,
  );
  // Roles and profiles that come with the standard objects (security.json).
  const security = JSON.parse(readFileSync(join(STANDARD_DIR, 'security.json'), 'utf8')) as Pick<
    PackageDef,
    'roles' | 'profiles'
  >;
  cached = {
    formatVersion: index.formatVersion,
    name: index.name,
    description: index.description,
    objects,
    ...security,
  };
  return structuredClone(cached);
}
