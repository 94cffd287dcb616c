// The lint rules that keep DESIGN.md's dependency directions: what reaches the browser, and what
// server/common/ may import. Each case is linted as if it were a file at its path.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();
const problems = async (filePath: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId);
};

describe('imports into app/', () => {
  it('refuses a server value used by a component, which would ship it to the browser', async () => {
    const code = `import { can } from '../../server/auth/permissions.ts';\nexport const Shown = () => (can(null, 'cabinet.view', null as never) ? 'yes' : 'no');\n`;
    expect(await problems('app/components/shown.tsx', code)).toContain('kabinet/server-only-imports');
  });

  it('refuses a dynamic import of a server module outside a loader', async () => {
    const code = `export const load = () => import('../server/reports/recount.ts');\n`;
    expect(await problems('app/loaders.ts', code)).toContain('kabinet/server-only-imports');
  });

  it('accepts a server value used only by a loader and an action, directly or through a helper', async () => {
    const code = [
      `import { can } from '../../server/auth/permissions.ts';`,
      `import { currentTerm } from '../../server/cabinets/term.ts';`,
      `const allowed = (user: unknown) => can(user as never, 'cabinet.view', null as never);`,
      `export async function loader() { return { term: await currentTerm(null as never), allowed: allowed(null) }; }`,
      `export const action = async () => allowed(null);`,
      `export default function Page() { return null; }`,
      '',
    ].join('\n');
    expect(await problems('app/routes/page.tsx', code)).not.toContain('kabinet/server-only-imports');
  });

  it('counts `typeof` in a type as no use', async () => {
    const code = [
      `import { z } from 'zod';`,
      `import { itemFieldsSchema } from '../../server/cabinets/items.ts';`,
      `const schema = z.object({ intent: z.literal('x') }).merge(itemFieldsSchema);`,
      `type Input = z.infer<typeof schema>;`,
      `export const action = (input: Input) => schema.parse(input);`,
      `export default function Page() { return null; }`,
      '',
    ].join('\n');
    expect(await problems('app/routes/page.tsx', code)).not.toContain('kabinet/server-only-imports');
  });

  it('refuses a helper that a loader and the page component both use', async () => {
    const code = [
      `import { can } from '../../server/auth/permissions.ts';`,
      `const allowed = () => can(null, 'cabinet.view', null as never);`,
      `export const loader = () => allowed();`,
      `export default function Page() { return allowed() ? 'yes' : null; }`,
      '',
    ].join('\n');
    expect(await problems('app/routes/page.tsx', code)).toContain('kabinet/server-only-imports');
  });

  it('accepts server/common/ anywhere, types from anywhere, and anything in a *.server.ts module', async () => {
    const common = `import { levelOf } from '../../server/common/report-measures.ts';\nimport type { Principal } from '../../server/auth/permissions.ts';\nexport const level = (p: Principal | null) => (p ? levelOf(1) : 'none');\n`;
    expect(await problems('app/components/level.ts', common)).toEqual([]);
    const glue = `import { can } from '../server/auth/permissions.ts';\nexport const allowed = () => can(null, 'cabinet.view', null as never);\n`;
    expect(await problems('app/guards.server.ts', glue)).toEqual([]);
  });
});

describe('imports into server/common/', () => {
  it('refuses Node APIs, packages and the rest of the server; accepts its own modules and types', async () => {
    expect(await problems('server/common/x.ts', `import fs from 'node:fs';\nexport const x = fs;\n`)).toContain(
      'no-restricted-imports',
    );
    expect(await problems('server/common/x.ts', `import { sql } from 'kysely';\nexport const x = sql;\n`)).toContain(
      'no-restricted-imports',
    );
    expect(
      await problems('server/common/x.ts', `import { can } from '../auth/permissions.ts';\nexport const x = can;\n`),
    ).toContain('no-restricted-imports');
    const fine = `import { locales } from './locales.ts';\nimport type { Locale } from '../../db/schema.ts';\nexport const first: Locale = locales[0];\n`;
    expect(await problems('server/common/x.ts', fine)).toEqual([]);
  });
});
