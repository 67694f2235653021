// ESLint for vigil: typescript-eslint's strict, type-aware rules over the TypeScript sources.
// `npm test` runs it; see STYLE.md "TypeScript habits". Every rule turned off or relaxed says why.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Tests and the helpers only tests import. */
const TEST_FILES = ['**/*.test.ts', '**/*.test-helpers.ts', '**/test-support.ts', '**/test-fixtures.ts', 'test/**/*.ts'];

export default defineConfig(
  // Build output, installed packages, local service state and test fixtures are not our source.
  { ignores: ['dist/', 'node_modules/', '.services/', '.tap/', '**/testdata/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    // A disable comment that no longer disables anything is stale: an error, so it gets removed.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-console': 'error',
      // `import { type X }` inline, as the code already writes mixed imports.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // tap queues every t.test()/t.skip() and awaits it itself; its PromiseWithSubtest needs no await.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }],
      }],
      // With noUncheckedIndexedAccess, `xs[i]!` after a bounds check is the idiom here (~450 of them);
      // no-unnecessary-type-assertion still reports a `!` on a type that cannot be nullish.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `async` without `await` implements a Promise-returning interface so a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // Numbers in messages are the point of most messages; other types (objects, nullish) stay errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(err) => reject(err)` and `return refuse(...)` in a void function are idioms, not a confused void.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // Its narrowing ignores awaits and callbacks (state re-read after an await is "always falsy") and
      // flags defensive checks on wire values (an unknown gRPC code); no real finding in its 14 hits.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `Promise<SendResult | void>` lets a send function be an async function that returns nothing.
      '@typescript-eslint/no-invalid-void-type': 'off',
      // `{}` is an `unknown` narrowed by a check (not null, not an object): as unchecked as `unknown` itself.
      '@typescript-eslint/no-base-to-string': ['error', { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', '{}'] }],
      // `_name` marks an unused parameter or binding; `{ a: _a, ...rest }` is how a key is left out.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A timer declared before the closure that clears it, and set later, cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      // Tests read parsed JSON/YAML documents field by field; a wrong guess fails the assertion.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Tests compare methods with undefined and swap a consumer's `consume` for a stub.
      '@typescript-eslint/unbound-method': 'off',
      // Tests type a rejection as the error they assert on (grpc.ServiceError, ErrnoException).
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
    },
  },
  // This file is plain JS outside tsconfig: lint it without type information.
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
