import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Workspace boundaries (docs/adr/0017-read-model-and-server-workspaces.md): which workspace may not
 * import which, by package name or by a relative path into its sources. Only server/ (the
 * composition root), tests/, bench/ and infra/ import everything.
 */
const importsOf = (workspace) => [`@primetrade/${workspace}`, `@primetrade/${workspace}/*`, `**/${workspace}/src/**`];
const testFiles = (workspace) => [
  `${workspace}/src/**/*.spec.ts`,
  `${workspace}/src/**/*.testkit.ts`,
  `${workspace}/src/**/*.contractSuite.ts`,
];
const forbid = (workspace, forbidden, why) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: forbidden.map((other) => ({
        group: importsOf(other),
        message: `${workspace} may not import ${other}: ${why} (docs/adr/0017-read-model-and-server-workspaces.md).`,
      })),
    },
  ],
});
const boundaries = [
  {
    files: ['platform/src/**/*.ts'],
    rules: forbid(
      'platform',
      ['read-model', 'projector', 'realtime', 'command-api', 'server'],
      'platform is the adapters every workspace builds on',
    ),
  },
  {
    files: ['read-model/src/**/*.ts'],
    rules: forbid(
      'read-model',
      ['projector', 'realtime', 'command-api', 'server'],
      'the read model is shared by its writer and its readers',
    ),
  },
  {
    files: ['projector/src/**/*.ts'],
    rules: forbid(
      'projector',
      ['realtime', 'command-api', 'server'],
      'the projector writes the read models and knows no reader',
    ),
  },
  {
    files: ['realtime/src/**/*.ts'],
    rules: forbid(
      'realtime',
      ['projector', 'command-api', 'server'],
      'realtime reads the read model; server/ wires it to the rest',
    ),
  },
  // Specs may fill the read models with the projector: a test fixture (devDependency), not a dependency.
  {
    files: testFiles('realtime'),
    rules: forbid('realtime', ['command-api', 'server'], 'realtime reads the read model; server/ wires it to the rest'),
  },
  {
    files: ['web/src/**/*.ts'],
    rules: forbid(
      'web',
      ['platform', 'read-model', 'projector', 'realtime', 'command-api', 'server'],
      "the browser client shares only the domain's wire contracts",
    ),
  },
  {
    files: ['command-api/src/**/*.ts'],
    rules: forbid(
      'command-api',
      ['projector', 'realtime', 'server'],
      'the API reads the read model; server/ injects what it needs of the projector',
    ),
  },
  {
    files: testFiles('command-api'),
    rules: forbid(
      'command-api',
      ['realtime', 'server'],
      'the API reads the read model; server/ injects what it needs of the projector',
    ),
  },
];

/** Files allowed past 300 lines, and why. */
const lineLimitExceptions = [
  {
    file: 'platform/src/config/config.ts',
    reason: 'the one table of settings, each with its description: docs/configuration.md is generated from it',
  },
  {
    file: 'bench/src/b7-end-to-end.ts',
    reason:
      'one benchmark scenario (cluster, clients, open loop, report) read top to bottom; its shared parts are in bench/src/lib',
  },
  {
    file: 'bench/src/b9-entry-point.ts',
    reason:
      'one benchmark scenario with its per-stage breakdown, read top to bottom; its shared parts are in bench/src/lib',
  },
  {
    file: 'projector/src/testing/boardHistory.testkit.ts',
    reason:
      'one scripted board history shared by the rebuild, backup and rebase specs, kept whole so it reads as a story',
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/dist-spec/**',
      '**/node_modules/**',
      'data/**',
      'web/public/**',
      'infra/.cache/**',
      'test-output/**',
      '.tmp/**',
      '.stryker-tmp/**',
      'reports/**',
      '**/*.js',
      'infra/**/*.mjs',
      'platform/scripts/*.mjs',
      'command-api/scripts/*.mjs',
      'infra/**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through platform config only.',
        },
      ],
    },
  },
  {
    files: ['domain/src/**/*.ts'],
    ignores: ['domain/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'os', 'http', '@primetrade/*'],
              message: 'The domain is pure: no I/O and no other packages.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Time arrives in command metadata.' },
        { name: 'crypto', message: 'Ids arrive in commands.' },
        { name: 'process', message: 'The domain is pure.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'The domain has no random source.' },
      ],
    },
  },
  ...boundaries,
  {
    // A module that grows past 300 lines is split along its seams (docs/architecture.md shows the
    // workspaces' parts). Specs are exempt: a spec lists one unit's behaviours, and splitting it by
    // size would scatter them. The exceptions below are named, each with its reason.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', ...lineLimitExceptions.map((exception) => exception.file)],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }] },
  },
  {
    // Configuration is read in one place; tests and benchmarks drive processes and may pass env on.
    files: [
      'platform/src/config/**/*.ts',
      'tests/**/*.ts',
      'bench/**/*.ts',
      'infra/cluster/src/main.ts',
      'infra/cluster/src/supervisor.ts',
      '**/*.spec.ts',
      '**/*.testkit.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
