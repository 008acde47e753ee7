import tseslint from 'typescript-eslint';

/** Layering: only shared/store/ talks to AWS and Redis; only shared/face/ and shared/image/ touch pixels and models. */
const STORAGE_SDKS = {
  group: ['@aws-sdk/*', '@upstash/redis', '**/store/redis.ts', '**/store/dynamo.ts', '**/store/s3.ts'],
  message: 'Only shared/store/ uses the AWS SDK and Redis: call a store (shared/store/*.ts) instead.',
};
const IMAGE_LIBRARIES = {
  group: ['@tensorflow/*', '@vladmandic/*', 'sharp'],
  message: 'Only shared/face/ and shared/image/ use tfjs, the face models and sharp: add a function there.',
};
const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

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
      ...restrictImports(STORAGE_SDKS, IMAGE_LIBRARIES),
    },
  },
  { files: ['shared/store/**'], rules: restrictImports(IMAGE_LIBRARIES) },
  { files: ['shared/face/**', 'shared/image/**'], rules: restrictImports(STORAGE_SDKS) },
  {
    // Tests inspect the emulators and build images directly; the stack scripts create the table and (web/build.ts: the favicon)
    // bucket; benchmarks and model tools drive tfjs and sharp themselves.
    files: ['**/*.test.ts', 'tests/**', 'scripts/**', 'bench/**', 'web/build.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Tests read API bodies whose shape is exactly what they assert on.
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
