import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.serverless/',
      '.esbuild*/',
      '.build/',
      '.data/',
      'test-artifacts/',
      '**/dist/',
      'web/vendor/',
      '.scratch/',
      'examples/miniprogram/lib/' /* generated (core/build.ts) */,
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read API bodies whose shape is exactly what they assert on.
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
