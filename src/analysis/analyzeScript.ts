// Entry point of the static analysis: parses a Python training script and returns its TL001/TL002/TL007 diagnostics, never throwing.
import { parseScript } from './pythonSyntax';
import { type ScriptFacts, collectScriptFacts } from './scriptFacts';
import { checkSoftmaxBeforeCrossEntropy } from './softmaxCrossEntropyRule';
import type { RuleFinding, StaticDiagnostic } from './staticDiagnostic';
import { TrainingEffects } from './trainingEffects';
import { checkMissingZeroGrad, checkZeroGradBeforeStep } from './trainingLoopRules';

export type { StaticDiagnostic } from './staticDiagnostic';
export type { QuickFix, TextEdit } from './quickFixes';

type Rule = (facts: ScriptFacts, effects: TrainingEffects) => RuleFinding[];

const RULES: readonly Rule[] = [checkMissingZeroGrad, checkZeroGradBeforeStep, checkSoftmaxBeforeCrossEntropy];

/**
 * Diagnostics for one script, sorted by position. A file with syntax errors still gets the
 * diagnostics of the code that parses; a rule that fails on odd code is skipped, never thrown.
 */
export function analyzeScript(source: string, path: string): StaticDiagnostic[] {
  let facts: ScriptFacts;
  try {
    facts = collectScriptFacts(parseScript(source));
  } catch {
    return [];
  }
  const effects = new TrainingEffects(facts);
  const diagnostics: StaticDiagnostic[] = [];
  for (const rule of RULES) {
    try {
      for (const finding of rule(facts, effects)) diagnostics.push({ ...finding, path });
    } catch {
      // One rule's failure must not hide the others' findings.
    }
  }
  return diagnostics.sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
}
