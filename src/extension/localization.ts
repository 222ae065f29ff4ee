// How the editor's vscode-free modules ask for translated text: a `Translate` function (vscode.l10n.t in the extension, plain English in tests).

/** Looks up `message` (the English text, also the l10n key) and fills its `{name}` placeholders. */
export type Translate = (message: string, args?: Readonly<Record<string, string | number>>) => string;

/** Fills `{name}` placeholders; unknown names stay visible. The fallback when no translation is loaded. */
export function fillPlaceholders(message: string, args?: Readonly<Record<string, string | number>>): string {
  if (!args) return message;
  let out = '';
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf('{', i);
    if (open < 0) break;
    const close = message.indexOf('}', open + 1);
    if (close < 0) break;
    const name = message.slice(open + 1, close);
    out += message.slice(i, open);
    out += Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : `{${name}}`;
    i = close + 1;
  }
  return out + message.slice(i);
}

/** English text, no bundle: what tests and the CLI see. */
export const english: Translate = (message, args) => fillPlaceholders(message, args);

/** A translator backed by a bundle of `English text → translation` (the format of l10n/bundle.l10n.*.json). */
export function translatorFromBundle(bundle: Readonly<Record<string, string | { message: string }>> | undefined): Translate {
  return (message, args) => {
    const entry = bundle?.[message];
    const text = entry === undefined ? message : typeof entry === 'string' ? entry : entry.message;
    return fillPlaceholders(text, args);
  };
}
