// ESLint for the TypeScript sources: typescript-eslint's recommended rules (no type information, so it stays fast) and the layering rules.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Only src/extension talks to VS Code; everything below it also runs in the CLI, the worker or a test. */
const noVscode = {
  name: 'vscode',
  message: 'Only src/extension may import vscode: the runtime, debug adapter, analysis and CLI run without VS Code.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Unused arguments and caught errors often name what a callback receives; `_` marks deliberately unused ones.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_' }],
    },
  },
  {
    // tfjs-node is found at run time (next to the user's script, or in the setup cache) and loaded by its path.
    files: ['src/runtime/nativeBindings.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/extension/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [{ group: ['**/extension', '**/extension/**'], message: 'The webview imports nothing from src/extension: it talks to it through panelProtocol.ts messages.' }],
        },
      ],
    },
  },
);
