import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/dist-spec/**', '**/node_modules/**', 'data/**', 'web/public/**', 'infra/.cache/**', 'test-output/**', '.tmp/**', '.stryker-tmp/**', 'reports/**', '**/*.js', 'infra/**/*.mjs', 'platform/scripts/*.mjs', 'infra/**/*.d.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through platform config only.' }],
    },
  },
  {
    files: ['domain/src/**/*.ts'],
    ignores: ['domain/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'os', 'http', '@primetrade/*'], message: 'The domain is pure: no I/O and no other packages.' }] }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Time arrives in command metadata.' }, { name: 'crypto', message: 'Ids arrive in commands.' }, { name: 'process', message: 'The domain is pure.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'The domain has no random source.' }],
    },
  },
  {
    // Configuration is read in one place; tests and benchmarks drive processes and may pass env on.
    files: ['platform/src/config/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'infra/cluster/src/main.ts', 'infra/cluster/src/supervisor.ts', '**/*.spec.ts', '**/*.testkit.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
