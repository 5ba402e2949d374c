// Lint run by `npm test`: TypeScript with typescript-eslint's type-checked rules, the .mjs scripts
// with ESLint's recommended rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout',
    'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'structuredClone', 'fetch',
    'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder', 'performance', 'queueMicrotask',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  // host-page.ts runs in the browser and is outside tsconfig.json (as the views are).
  { ignores: ['dist/**', 'node_modules/**', 'test/apps/host-page.ts'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: nodeGlobals },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `xs[0]!` marks an index that may miss; without noUncheckedIndexedAccess the rule calls every one unnecessary.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Promise-returning interfaces (ledger, approval store, test doubles) are implemented with async bodies so a throw is a rejection.
      '@typescript-eslint/require-await': 'off',
      // `_name` and rest siblings drop fields on purpose (`const { ConfirmToken: _t, ...rest } = args`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Handing a caught reason on unchanged (a race's loser, a retry's last failure) is not inventing a non-Error one.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read structuredContent loosely (ToolResult in test/helpers/stack.ts); the SDK client checks it against the output schema.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Tests assert that control characters are gone, so their regular expressions name them.
      'no-control-regex': 'off',
    },
  },
);
