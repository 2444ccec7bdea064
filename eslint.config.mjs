// Lint gate: zero warnings. Type-aware rules catch unawaited promises and
// non-exhaustive switches over union types (event kinds, error codes).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import dependencyDirection from './eslint.dependencies.cjs';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'libs/receiver/dist/',
      '.herald/',
      'coverage/',
      'infra/kafka/lib/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through libs/platform config only.',
        },
      ],
    },
  },
  {
    files: [
      'libs/platform/src/config/**/*.ts',
      'libs/platform/src/bootstrap/**/*.ts',
      'test/**/*.ts',
      '**/*.spec.ts',
      'infra/**/*.ts',
      'apps/cli/src/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Raw SQL results in tests are untyped rows; the assertions are what check their shape.
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...dependencyDirection,
);
