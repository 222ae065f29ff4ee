// Debugger helpers for Python editors: the expression a hover evaluates (`model.fc.weight.grad` as a whole) and `shape dtype` inline values beside the tensor variables of the paused function.
import * as vscode from 'vscode';
import { DEBUG_TYPE } from './debugConfiguration';
import { evaluatableExpressionAt, namesBoundBefore } from './pythonExpressions';
import { formatShapeAndDtype, parseTensorSummary } from './tensorSummary';

export class PythonEvaluatableExpressions implements vscode.EvaluatableExpressionProvider {
  provideEvaluatableExpression(document: vscode.TextDocument, position: vscode.Position): vscode.EvaluatableExpression | undefined {
    const found = evaluatableExpressionAt(document.getText(), position.line, position.character);
    if (!found) return undefined;
    return new vscode.EvaluatableExpression(new vscode.Range(found.startLine, found.startCol, found.endLine, found.endCol), found.expression);
  }
}

interface DapScope {
  name: string;
  presentationHint?: string;
  variablesReference: number;
  expensive?: boolean;
}

interface DapVariable {
  name: string;
  value: string;
  type?: string;
}

/** Scopes whose variables are the frame's own names (not the Model/Training scopes). */
function isNameScope(scope: DapScope): boolean {
  if (scope.presentationHint === 'locals') return true;
  const name = scope.name.toLowerCase();
  return name === 'locals' || name === 'globals' || name === 'local' || name === 'global';
}

export class TensorInlineValues implements vscode.InlineValuesProvider {
  async provideInlineValues(
    document: vscode.TextDocument,
    viewPort: vscode.Range,
    context: vscode.InlineValueContext,
  ): Promise<vscode.InlineValue[]> {
    const session = vscode.debug.activeDebugSession;
    if (!session || session.type !== DEBUG_TYPE) return [];
    const stopLine = context.stoppedLocation.start.line;
    const names = namesBoundBefore(document.getText(), stopLine).filter((n) => n.startLine >= viewPort.start.line && n.startLine <= viewPort.end.line);
    if (names.length === 0) return [];
    const values = await this.frameValues(session, context.frameId);
    if (!values) {
      // The adapter did not answer with scopes: let VS Code evaluate the names itself.
      return names.map((n) => new vscode.InlineValueEvaluatableExpression(new vscode.Range(n.startLine, n.startCol, n.endLine, n.endCol), n.name));
    }
    const inline: vscode.InlineValue[] = [];
    for (const n of names) {
      const value = values.get(n.name);
      const tensor = value === undefined ? null : parseTensorSummary(value);
      if (!tensor) continue;
      inline.push(new vscode.InlineValueText(new vscode.Range(n.startLine, n.startCol, n.endLine, n.endCol), `${n.name}: ${formatShapeAndDtype(tensor)}`));
    }
    return inline;
  }

  /** The frame's variables by name (locals first), from the adapter's own summaries. */
  private async frameValues(session: vscode.DebugSession, frameId: number): Promise<Map<string, string> | null> {
    try {
      const { scopes } = (await session.customRequest('scopes', { frameId })) as { scopes: DapScope[] };
      const values = new Map<string, string>();
      for (const scope of scopes.filter(isNameScope)) {
        if (scope.expensive || scope.variablesReference <= 0) continue;
        const { variables } = (await session.customRequest('variables', { variablesReference: scope.variablesReference })) as { variables: DapVariable[] };
        for (const v of variables) if (!values.has(v.name)) values.set(v.name, v.value);
      }
      return values;
    } catch {
      return null;
    }
  }
}
