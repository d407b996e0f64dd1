import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The architecture's guard rails are lint rules; these tests make sure they keep biting.
const eslint = new ESLint({ cwd: process.cwd() });
const lint = async (code: string, file: string) => {
  const [r] = await eslint.lintText(code, { filePath: file });
  return r.messages.map((m) => m.ruleId);
};

describe('lint guard rails', () => {
  it('rejects SQL built by interpolation outside schema-sync/ddl.ts', async () => {
    const code =
      "import type { Knex } from 'knex';\nexport const f = (k: Knex, t: string) => k.raw(`select * from ${t}`);\n";
    expect(await lint(code, 'engine/src/records/probe.ts')).toContain('no-restricted-syntax');
    expect(
      await lint(code.replace('`select * from ${t}`', "'select * from ' + t"), 'engine/src/records/probe.ts'),
    ).toContain('no-restricted-syntax');
    expect(await lint(code, 'engine/src/schema-sync/ddl.ts')).not.toContain('no-restricted-syntax');
    expect(
      await lint(
        "import type { Knex } from 'knex';\nexport const f = (k: Knex, t: string) => k.raw('select * from ??', [t]);\n",
        'engine/src/records/probe.ts',
      ),
    ).toEqual([]);
  });

  it('rejects imports that point up the layers', async () => {
    expect(
      await lint(
        "import { createApp } from '../api/app.js';\nvoid createApp;\n",
        'engine/src/records/probe.ts',
      ),
    ).toContain('no-restricted-imports');
    expect(
      await lint("import { plan } from '../schema-sync/plan.js';\nvoid plan;\n", 'engine/src/db/probe.ts'),
    ).toContain('no-restricted-imports');
    expect(
      await lint("import { ident } from '../core/ident.js';\nvoid ident;\n", 'engine/src/records/probe.ts'),
    ).toEqual([]);
  });

  it('keeps node, knex and pg out of the pure layers the studio imports', async () => {
    expect(
      await lint(
        "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n",
        'engine/src/fields/probe.ts',
      ),
    ).toContain('no-restricted-imports');
    expect(await lint("import knex from 'knex';\nvoid knex;\n", 'engine/src/metadata/probe.ts')).toContain(
      'no-restricted-imports',
    );
    expect(
      await lint(
        "import { x } from '../../engine/src/records/service.js';\nvoid x;\n",
        'studio/src/probe.ts',
      ),
    ).toContain('no-restricted-imports');
  });
});
