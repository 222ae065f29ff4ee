// Makes `import * as vscode from 'vscode'` load the test double (import this before any extension module).
import Module from 'node:module';

const moduleWithResolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = moduleWithResolver._resolveFilename;
const fake = require.resolve('./fakeVscode');
moduleWithResolver._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? fake : resolveFilename.call(this, request, ...rest);
};
