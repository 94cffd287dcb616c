// Lint: the recommended TypeScript rules, React hooks rules, and the layout's import direction.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import path from 'node:path';

const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

// DESIGN.md: app/ may use server/<capability> and db/ only from loaders, actions and *.server.ts
// (the Remix build drops those, and whatever only they use, from the browser's code), and
// server/common/ anywhere. A value imported from server/ or db/ into app/ must be used only there;
// a type import costs the browser nothing.
const root = path.dirname(new URL(import.meta.url).pathname);
const serverOnlyExports = new Set(['loader', 'action', 'headers']);
const isServerModule = (file, source) => {
  if (!source.startsWith('.')) return false;
  const target = path.relative(root, path.resolve(path.dirname(file), source));
  return (target.startsWith('server/') && !target.startsWith('server/common/')) || target.startsWith('db/');
};
/** The names a top-level statement declares, and whether it exports them. */
const declared = (statement) => {
  const exported = statement.type === 'ExportNamedDeclaration';
  const declaration = exported ? statement.declaration : statement;
  if (!declaration) return { names: [], exported };
  if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration')
    return { names: declaration.id ? [declaration.id.name] : [], exported };
  if (declaration.type === 'VariableDeclaration')
    return {
      names: declaration.declarations.flatMap((d) => (d.id.type === 'Identifier' ? [d.id.name] : [])),
      exported,
    };
  return { names: [], exported };
};
const serverOnlyImports = {
  meta: {
    type: 'problem',
    messages: {
      browser:
        '{{name}} from {{source}} would reach the browser: use it only in a loader or an action, move it to a *.server.ts module, or move a pure module to server/common/ (DESIGN.md).',
    },
  },
  create(context) {
    const { sourceCode } = context;
    const program = sourceCode.ast;
    const topLevelOf = (node) =>
      sourceCode
        .getAncestors(node)
        .concat(node)
        .find((n) => n.parent === program);
    /** A use that survives compilation (`typeof x` in a type does not). */
    const isValueUse = (reference) =>
      reference.isValueReference &&
      !sourceCode.getAncestors(reference.identifier).some((n) => n.type === 'TSTypeQuery');
    // Whether every use of a top-level name is inside a loader or an action, directly or through other such names.
    const serverOnly = (name, seen = new Set()) => {
      if (serverOnlyExports.has(name)) return true;
      if (seen.has(name)) return true;
      seen.add(name);
      const variable =
        sourceCode.scopeManager.globalScope.childScopes[0]?.set.get(name) ??
        sourceCode.scopeManager.globalScope.set.get(name);
      if (!variable) return false;
      return variable.references.filter(isValueUse).every((reference) => usedOnServer(reference.identifier, seen));
    };
    const usedOnServer = (node, seen) => {
      const statement = topLevelOf(node);
      if (!statement || statement.type === 'ImportDeclaration') return false;
      const { names, exported } = declared(statement);
      if (names.length === 0) return false;
      if (exported) return names.every((name) => serverOnlyExports.has(name));
      return names.every((name) => serverOnly(name, seen));
    };
    const file = context.filename;
    if (/\.server\.tsx?$/.test(file)) return {};
    return {
      ImportDeclaration(node) {
        if (node.importKind === 'type' || !isServerModule(file, node.source.value)) return;
        for (const specifier of node.specifiers) {
          if (specifier.importKind === 'type') continue;
          const [variable] = sourceCode.getDeclaredVariables(specifier);
          if (
            variable?.references.filter(isValueUse).every((reference) => usedOnServer(reference.identifier, new Set()))
          )
            continue;
          context.report({
            node: specifier,
            messageId: 'browser',
            data: { name: specifier.local.name, source: node.source.value },
          });
        }
      },
      ImportExpression(node) {
        if (node.source.type !== 'Literal' || !isServerModule(file, node.source.value) || usedOnServer(node, new Set()))
          return;
        context.report({ node, messageId: 'browser', data: { name: 'import()', source: node.source.value } });
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['build/', 'node_modules/', '.data/', '.ci/.tools/', 'public/build/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // One block per file set: a later `no-restricted-imports` replaces an earlier one, it does not add.
  // Tests may drive app/ routes the way a browser does; code may not import app/.
  {
    files: ['server/http/**', 'server/main.ts'],
    ignores: ['**/*.test.ts'],
    rules: noImport(['**/app/**'], 'Nothing imports app/ (DESIGN.md).'),
  },
  {
    files: ['server/**'],
    ignores: ['server/http/**', 'server/main.ts', '**/*.test.ts'],
    rules: noImport(
      ['**/app/**', 'express', '@tus/*', '**/http/**'],
      'Nothing imports app/ (DESIGN.md); only server/http and server/main.ts know Express or tus.',
    ),
  },
  {
    files: ['server/**/*.test.ts'],
    ignores: ['server/http/**'],
    rules: noImport(['express', '@tus/*'], 'Only server/http and server/main.ts know Express or tus.'),
  },
  {
    files: ['workers/**'],
    ignores: ['**/*.test.ts'],
    rules: noImport(
      ['**/app/**', '**/server/http/**', 'express', '@tus/*'],
      'Workers never import app/ or server/http.',
    ),
  },
  // Migrations are frozen against the schema of their day, not today's types (STYLE.md).
  { files: ['db/migrations/**', 'db/migrate.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['app/**'],
    ignores: ['**/*.test.ts', '**/*.test.tsx', 'app/entry.server.tsx'],
    plugins: { kabinet: { rules: { 'server-only-imports': serverOnlyImports } } },
    rules: { 'kabinet/server-only-imports': 'error' },
  },
  // server/common/ is what the browser and the server share: no Node APIs, no database, no packages;
  // only its own modules, and types from anywhere.
  {
    files: ['server/common/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              allowTypeImports: true,
              message:
                'server/common/ imports only server/common/ (types from anywhere): the browser loads it (DESIGN.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['db/**'],
    rules: noImport(['**/app/**', '**/server/**', '**/workers/**'], 'db/ imports none of our code.'),
  },
);
