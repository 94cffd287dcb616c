// Lint: the recommended TypeScript rules, React hooks rules, and the layout's import direction.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

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
  { files: ['server/http/**', 'server/main.ts'], ignores: ['**/*.test.ts'], rules: noImport(['**/app/**'], 'Nothing imports app/ (DESIGN.md).') },
  {
    files: ['server/**'],
    ignores: ['server/http/**', 'server/main.ts', '**/*.test.ts'],
    rules: noImport(['**/app/**', 'express', '@tus/*', '**/http/**'], 'Nothing imports app/ (DESIGN.md); only server/http and server/main.ts know Express or tus.'),
  },
  { files: ['server/**/*.test.ts'], ignores: ['server/http/**'], rules: noImport(['express', '@tus/*'], 'Only server/http and server/main.ts know Express or tus.') },
  { files: ['workers/**'], ignores: ['**/*.test.ts'], rules: noImport(['**/app/**', '**/server/http/**', 'express', '@tus/*'], 'Workers never import app/ or server/http.') },
  // Migrations are frozen against the schema of their day, not today's types (STYLE.md).
  { files: ['db/migrations/**', 'db/migrate.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['db/**'], rules: noImport(['**/app/**', '**/server/**', '**/workers/**'], 'db/ imports none of our code.') },
);
