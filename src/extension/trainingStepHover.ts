// Hovers over training-step calls (loss.backward(), optimizer.step()…): what the call does, and while a session runs, what it just did in this run.
import * as vscode from 'vscode';
import { describeLastEffect, explainTrainingStep, trainingStepCallAt } from './trainingStepCalls';
import { translate } from './staticDiagnostics';
import type { TrainingSessions } from './trainingSessions';

export class TrainingStepHover implements vscode.HoverProvider {
  constructor(private readonly sessions: TrainingSessions) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const call = trainingStepCallAt(document.getText(), position.line, position.character);
    if (!call) return undefined;
    const [what, why] = explainTrainingStep(call, translate);
    const markdown = new vscode.MarkdownString();
    markdown.appendCodeblock(call.text, 'python');
    markdown.appendMarkdown('\n');
    markdown.appendText(what);
    markdown.appendMarkdown('  \n');
    markdown.appendText(why);
    const training = this.sessions.forProgram(document.uri);
    if (training) {
      const effect = describeLastEffect(call, training.lastReport, training.backend, translate, training.measured);
      if (effect) {
        markdown.appendMarkdown('\n\n---\n\n');
        markdown.appendText(effect);
      }
    }
    return new vscode.Hover(markdown, new vscode.Range(call.startLine, call.startCol, call.endLine, call.endCol));
  }
}
