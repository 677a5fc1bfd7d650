// Flat config: typescript-eslint's recommended rules, plus the one-way dependency rule from
// DESIGN.md: domain code never imports Temporal or MongoDB; workflow code never does I/O.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const domainDirs = ['schemas', 'materials', 'models', 'optimize', 'lab', 'data', 'ml', 'md'];

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.crucible/**', 'schemas/json/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: domainDirs.map((d) => `${d}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@temporalio/*', 'mongodb', '*/activities/*', '*/workflows/*', '*/store/*'] },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'mongodb',
            'fs',
            'node:*',
            '*/store/*',
            '@temporalio/client',
            '@temporalio/worker',
            '@temporalio/activity',
          ],
        },
      ],
    },
  },
);
