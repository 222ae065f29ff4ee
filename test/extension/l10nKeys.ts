// Finds every message the editor and the debug adapter localize: string literals passed to `t(…)`, `this.t(…)`, `l10n.t(…)` or `vscode.l10n.t(…)` in src/extension, src/webview and src/debug, plus the catalog texts rendered through a translator (the agent's stop sentences among them).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { DIAGNOSTIC_CATALOG } from '../../src/analysis/diagnosticCatalog';
import { QUICK_FIX_TITLE_TEMPLATES } from '../../src/extension/diagnosticText';
import { RUNTIME_FINDING_TEMPLATES } from '../../src/runtime/runtimeFindingTemplates';
import { AGENT_TEXT_TEMPLATES } from '../../src/runtime/agentTextTemplates';
import { RUNTIME_CHOICE_TEMPLATES } from '../../src/runtime/runtimeChoice';
import { RUNTIME_TEXT_TEMPLATES } from '../../src/runtime/runtimeTextTemplates';

export const repoRoot = resolve(__dirname, '..', '..');

function typescriptFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...typescriptFiles(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

function isTranslateCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === 't' || callee.text === 'translate';
  if (ts.isPropertyAccessExpression(callee)) {
    // The adapter keeps its translator as `this.t` (src/debug/adapterText.ts).
    return callee.name.text === 't' && (/(^|\.)l10n$/.test(callee.expression.getText()) || callee.expression.kind === ts.SyntaxKind.ThisKeyword);
  }
  return false;
}

export interface LocalizedMessage {
  message: string;
  file: string;
}

/** Literal messages in code. A call whose first argument is not a literal is reported in `dynamic`. */
export function messagesInCode(): { messages: LocalizedMessage[]; dynamic: string[] } {
  const messages: LocalizedMessage[] = [];
  const dynamic: string[] = [];
  const folders = ['extension', 'webview', 'debug'].map((folder) => join(repoRoot, 'src', folder));
  for (const file of folders.flatMap(typescriptFiles)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && isTranslateCall(node) && node.arguments.length > 0) {
        const first = node.arguments[0];
        if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) messages.push({ message: first.text, file });
        else dynamic.push(`${file}: ${first.getText()}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { messages, dynamic };
}

/** Messages translated through a variable: the diagnostic catalog's templates and titles, the quick-fix titles, the runtime findings' templates, the agent's own sentences (stop messages), the runtime choice's and the runtimes' own (the interpreter probe's problems, a run's failure lines). */
export function catalogMessages(): string[] {
  const out: string[] = [];
  for (const entry of Object.values(DIAGNOSTIC_CATALOG)) out.push(entry.messageTemplate, entry.title);
  for (const template of Object.values(QUICK_FIX_TITLE_TEMPLATES)) if (template) out.push(template);
  out.push(...Object.values(RUNTIME_FINDING_TEMPLATES));
  out.push(...Object.values(AGENT_TEXT_TEMPLATES));
  out.push(...Object.values(RUNTIME_CHOICE_TEMPLATES));
  out.push(...Object.values(RUNTIME_TEXT_TEMPLATES));
  return out;
}

export function allMessages(): string[] {
  return [...new Set([...messagesInCode().messages.map((m) => m.message), ...catalogMessages()])];
}

if (require.main === module) {
  const { dynamic } = messagesInCode();
  console.log(JSON.stringify({ messages: allMessages(), dynamic }, null, 2));
}
