// ESLint for vigil: typescript-eslint's strict, type-aware rules over the TypeScript sources.
// `npm test` runs it; see STYLE.md "TypeScript habits".
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Build output, installed packages, local service state and test fixtures are not our source.
  { ignores: ['dist/', 'node_modules/', '.services/', '.tap/', '**/testdata/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
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
      // `(err) => reject(err)` and `() => resolve()` are the Node callback idiom, not a confused void.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  // This file is plain JS outside tsconfig: lint it without type information.
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
