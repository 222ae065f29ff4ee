// The extension-host tests for the standard harness (@vscode/test-cli): `npm run test:vscode` builds them into out/host-tests and runs them in VS Code.
// VSCODE_EXECUTABLE_PATH=/path/to/code uses an installed VS Code; without it, the harness downloads the latest stable release.
import { defineConfig } from '@vscode/test-cli';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(fileURLToPath(import.meta.url));
const executable = process.env.VSCODE_EXECUTABLE_PATH;

export default defineConfig({
  label: 'extension-host',
  files: 'out/host-tests/**/*.test.js',
  extensionDevelopmentPath: repo,
  workspaceFolder: repo,
  ...(executable ? { useInstallation: { fromPath: executable } } : {}),
  // A fresh profile: no other extensions, so the results depend on Trainloop alone.
  launchArgs: ['--disable-extensions'],
  mocha: {
    ui: 'tdd',
    // Activation, the first debug session and webviews are slow on a cold VS Code.
    timeout: 120_000,
    slow: 10_000,
  },
});
