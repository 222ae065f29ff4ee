// The debug adapter's user-visible words in the client's language: the English text is the key, looked up in the
// extension's own l10n bundles (the same files vscode.l10n reads), picked by DAP's `initialize` `locale` (VS Code sends
// its display language there), since the adapter has no vscode import and answers `initialize` before any launch.
import chineseBundle from '../../l10n/bundle.l10n.zh-cn.json';
import { isRenderableAgentText, renderAgentText } from '../runtime/agentTextTemplates';

/** Looks up `message` (the English text, also the key) and fills its `{name}` placeholders. */
export type AdapterText = (message: string, args?: Readonly<Record<string, string | number>>) => string;

const BUNDLES: Readonly<Record<string, Readonly<Record<string, string>>>> = { 'zh-cn': chineseBundle };

/** The bundle for a DAP locale (`zh-cn`, `zh-CN`, `zh-Hans`, `zh`); undefined for English and languages we lack. */
function bundleFor(locale: string | undefined): Readonly<Record<string, string>> | undefined {
  const tag = (locale ?? '').toLowerCase().replace('_', '-');
  if (tag === 'zh' || tag === 'zh-cn' || tag === 'zh-sg' || tag.startsWith('zh-hans')) return BUNDLES['zh-cn'];
  return undefined;
}

function fill(text: string, args?: Readonly<Record<string, string | number>>): string {
  if (!args) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : whole));
}

export function adapterText(locale?: string): AdapterText {
  const bundle = bundleFor(locale);
  return (message, args) => fill(bundle?.[message] ?? message, args);
}

/** English: what a client that sends no locale gets. */
export const englishText: AdapterText = adapterText();

/** The debugger's scope names by their presentation hint (Python names them in English). */
export function scopeName(hint: string | undefined, name: string, t: AdapterText): string {
  switch (hint) {
    case 'locals':
      return t('Locals');
    case 'globals':
      return t('Globals');
    case 'model':
      return t('Model');
    case 'training':
      return t('Training');
    case 'nonfinite':
      return t('Non-finite value');
    default:
      return name;
  }
}

/** The agent's labels for rows of its scopes (never a Python name: each holds a space), in the client's language. */
export function rowName(name: string, t: AdapterText): string {
  switch (name) {
    case 'This batch':
      return t('This batch');
    case 'last loss':
      return t('last loss');
    case 'loss history':
      return t('loss history');
    case 'monitor reports':
      return t('monitor reports');
    case 'learning rate':
      return t('learning rate');
    case 'update ratio':
      return t('update ratio');
    case '(result)':
      return t('(result)');
    case '(not described)':
      return t('(not described)');
    default:
      return name;
  }
}

/**
 * A stop's description or text from the debugger, in the client's language where it has a known form: `batch N`
 * (after stepBatch) and `CODE (line N): message` (a training problem, whose message stays as the monitor wrote it).
 */
export function stopText(text: string | undefined, t: AdapterText): string | undefined {
  if (text === undefined) return undefined;
  const batch = /^batch (-?\d+)$/.exec(text.trim());
  if (batch) return t('batch {batch}', { batch: batch[1] });
  const problem = /^(TL\d{3}) \(line (\d+)\): ([\s\S]*)$/.exec(text);
  if (problem) return t('{code} (line {line}): {message}', { code: problem[1], line: problem[2], message: problem[3] });
  return text;
}

/**
 * A runtime finding as the Debug Console shows it, in the form problem matchers read (`path:line:col: warning: message
 * [TL001]`): the message in the client's language when the record's template and values reproduce its English.
 */
export function diagnosticLine(record: { path?: unknown; line?: unknown; column?: unknown; severity?: unknown; message?: unknown; code?: unknown; template?: unknown; values?: unknown }, t: AdapterText): string {
  const text = { id: record.template, values: record.values };
  const english = String(record.message);
  const message = isRenderableAgentText(text) && renderAgentText(text, englishText) === english ? renderAgentText(text, t) : english;
  return `${record.path}:${record.line}:${record.column ?? 1}: ${record.severity ?? 'warning'}: ${message} [${record.code}]\n`;
}
