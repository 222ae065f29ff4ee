// Localized text for Trainloop diagnostics: recovers a message's placeholder values from the catalog's English template and renders the template in the user's language; quick-fix titles likewise.
import { DIAGNOSTIC_CATALOG, type DiagnosticCode } from '../analysis/diagnosticCatalog';
import { RUNTIME_FINDING_TEMPLATES, isRuntimeFindingTemplateId } from '../runtime/runtimeFindingTemplates';
import { type Translate, fillPlaceholders } from './localization';

type TemplatePart = { literal: string } | { placeholder: string };

function splitTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let i = 0;
  for (;;) {
    const open = template.indexOf('{', i);
    const close = open < 0 ? -1 : template.indexOf('}', open + 1);
    if (open < 0 || close < 0) {
      parts.push({ literal: template.slice(i) });
      return parts;
    }
    parts.push({ literal: template.slice(i, open) });
    parts.push({ placeholder: template.slice(open + 1, close) });
    i = close + 1;
  }
}

/**
 * The values that, put into `template`, give `message` exactly; null when the message was not
 * made from that template. A placeholder used twice must get the same value both times.
 */
export function recoverPlaceholders(template: string, message: string): Record<string, string> | null {
  const parts = splitTemplate(template);
  const values: Record<string, string> = {};
  const matchFrom = (partIndex: number, at: number): boolean => {
    if (partIndex === parts.length) return at === message.length;
    const part = parts[partIndex];
    if ('literal' in part) {
      return message.startsWith(part.literal, at) && matchFrom(partIndex + 1, at + part.literal.length);
    }
    const name = part.placeholder;
    const known = values[name];
    if (known !== undefined) return message.startsWith(known, at) && matchFrom(partIndex + 1, at + known.length);
    const next = parts[partIndex + 1];
    const following = next && 'literal' in next ? next.literal : '';
    // Try the shortest value first; a later mismatch backtracks to a longer one.
    for (let end = following ? message.indexOf(following, at + 1) : message.length; end >= 0; end = following ? message.indexOf(following, end + 1) : -1) {
      values[name] = message.slice(at, end);
      if (matchFrom(partIndex + 1, end)) return true;
      if (!following) break;
    }
    delete values[name];
    return false;
  };
  return matchFrom(0, 0) ? values : null;
}

function isCatalogCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(DIAGNOSTIC_CATALOG, code);
}

/**
 * The message in the user's language. The analysis and the runtime write English from the
 * catalog's template; the translation of that template is filled with the recovered values.
 * A message that does not come from the template (a runtime with extra detail) stays as it is.
 */
export function localizeDiagnosticMessage(code: string, message: string, t: Translate): string {
  if (!isCatalogCode(code)) return message;
  const template = DIAGNOSTIC_CATALOG[code].messageTemplate;
  const values = recoverPlaceholders(template, message);
  return values ? t(template, values) : message;
}

/**
 * A runtime finding's message in the user's language: its runtime template (the record's `template`) translated and
 * filled with its `values`, when the English template filled with them is the message the agent sent (so nothing the
 * message says is lost); else as `localizeDiagnosticMessage` does.
 */
export function localizeRuntimeFinding(
  finding: { code: string; message: string; template?: string; values?: Readonly<Record<string, string | number>> },
  t: Translate,
): string {
  const { template, values } = finding;
  if (isRuntimeFindingTemplateId(template) && values && fillPlaceholders(RUNTIME_FINDING_TEMPLATES[template], values) === finding.message) {
    return t(RUNTIME_FINDING_TEMPLATES[template], values);
  }
  return localizeDiagnosticMessage(finding.code, finding.message, t);
}

/** The catalog's short title of a code, translated (for lists and hovers). */
export function localizedDiagnosticTitle(code: string, t: Translate): string {
  return isCatalogCode(code) ? t(DIAGNOSTIC_CATALOG[code].title) : code;
}

/**
 * English templates of the analysis's quick-fix titles, by code; their placeholders are those of
 * the code's message. Tests check that they still render the analysis's own titles.
 */
export const QUICK_FIX_TITLE_TEMPLATES: Readonly<Partial<Record<DiagnosticCode, string>>> = {
  TL001: 'Call {optimizer}.zero_grad() before backward()',
  TL002: 'Move {clear} after {optimizer}.step()',
  TL007: 'Remove {layer}: CrossEntropyLoss expects raw logits',
};

/** The quick fix's title in the user's language, from the diagnostic's English message; falls back to the analysis's title. */
export function localizeQuickFixTitle(code: string, message: string, englishTitle: string, t: Translate): string {
  if (!isCatalogCode(code)) return englishTitle;
  const template = QUICK_FIX_TITLE_TEMPLATES[code];
  const values = recoverPlaceholders(DIAGNOSTIC_CATALOG[code].messageTemplate, message);
  // Only when the template still says what the analysis says (the analysis's titles may change).
  if (!template || !values || fillPlaceholders(template, values) !== englishTitle) return englishTitle;
  return t(template, values);
}
