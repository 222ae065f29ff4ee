// The one catalog of Trainloop diagnostic codes (TL001…TL011) and their one text form, shared by the static analysis, the runtime monitors, the editor and the CLI.

export type DiagnosticCode =
  | 'TL001'
  | 'TL002'
  | 'TL003'
  | 'TL004'
  | 'TL005'
  | 'TL006'
  | 'TL007'
  | 'TL008'
  | 'TL009'
  | 'TL010'
  | 'TL011';

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

export interface DiagnosticCatalogEntry {
  code: DiagnosticCode;
  /** A few words, for lists, hovers and documentation. */
  title: string;
  /**
   * The English message with `{placeholder}` slots; fill it with `renderMessage`.
   * Every placeholder a template uses is listed in `placeholders`.
   */
  messageTemplate: string;
  placeholders: readonly string[];
  severity: DiagnosticSeverity;
  /** Whether the code is found by reading the script (`static`) or by watching it run (`runtime`). */
  detectedBy: 'static' | 'runtime';
}

function entry(
  code: DiagnosticCode,
  title: string,
  messageTemplate: string,
  detectedBy: 'static' | 'runtime',
): DiagnosticCatalogEntry {
  return { code, title, messageTemplate, placeholders: placeholdersOf(messageTemplate), severity: 'warning', detectedBy };
}

export const DIAGNOSTIC_CATALOG: Readonly<Record<DiagnosticCode, DiagnosticCatalogEntry>> = {
  TL001: entry(
    'TL001',
    'Gradient accumulation: zero_grad() missing',
    'Gradients accumulate across batches: this loop calls backward() and {optimizer}.step() but never clears the gradients. Call {optimizer}.zero_grad() once per iteration (for example before backward()).',
    'static',
  ),
  TL002: entry(
    'TL002',
    'Gradients cleared between backward() and step()',
    '{clear} runs after backward() and before {optimizer}.step(), so the step sees no gradients and the parameters do not learn. Move {clear} after {optimizer}.step() (or before the forward pass).',
    'static',
  ),
  TL003: entry(
    'TL003',
    'Non-finite loss or gradients',
    '{quantity} is not finite ({value}) at batch {batch}. Check the learning rate, the inputs and any log/division in the loss.',
    'runtime',
  ),
  TL004: entry(
    'TL004',
    'Exploding gradients',
    'Exploding gradients: the gradient norm of {parameter} is {norm} at batch {batch}. Lower the learning rate or clip gradients (torch.nn.utils.clip_grad_norm_).',
    'runtime',
  ),
  TL005: entry(
    'TL005',
    'Vanishing gradients',
    'Vanishing gradients: the gradient of {parameter} is {ratio} times the size of its weights (below 1e-3) at batch {batch}. Check activations, initialisation and depth.',
    'runtime',
  ),
  TL006: entry(
    'TL006',
    'Dying ReLU',
    'Dying ReLU: {percent}% of the outputs of {layer} are zero at batch {batch}. Lower the learning rate or use LeakyReLU.',
    'runtime',
  ),
  TL007: entry(
    'TL007',
    'Softmax/log-softmax fed to CrossEntropyLoss',
    "{layer} is the model's last layer and its output goes to CrossEntropyLoss, which applies log-softmax itself: the probabilities are squashed twice and training slows down. Remove {layer} and feed CrossEntropyLoss the raw logits.",
    'static',
  ),
  TL008: entry(
    'TL008',
    'Evaluating in training mode / training in eval mode',
    'The model is in {mode} mode while {activity}. Call model.{remedy}() first (Dropout and BatchNorm behave differently in each mode).',
    'runtime',
  ),
  TL009: entry(
    'TL009',
    'Loss accumulated with its graph',
    '{expression} accumulates the loss together with its autograd graph, so memory grows with every batch. Accumulate {remedy} (a Python number) instead.',
    'runtime',
  ),
  TL010: entry(
    'TL010',
    'backward() without optimizer.step() / parameters no optimizer updates',
    'Gradients are computed but the parameters do not change: {detail}.',
    'runtime',
  ),
  TL011: entry(
    'TL011',
    'Learning rate out of range',
    'Learning rate {lr} looks out of range: the update-to-weight ratio lr·‖ΔW‖/‖W‖ of {parameter} is {ratio}, far from 1e-3. Try a learning rate {direction}.',
    'runtime',
  ),
};

/** Fills a catalog template; a placeholder without a value stays visible as `{name}`. */
export function renderMessage(code: DiagnosticCode, values: Readonly<Record<string, string | number>>): string {
  const template = DIAGNOSTIC_CATALOG[code].messageTemplate;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) break;
    const close = template.indexOf('}', open + 1);
    if (close < 0) break;
    const name = template.slice(open + 1, close);
    out += template.slice(i, open);
    out += Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : `{${name}}`;
    i = close + 1;
  }
  return out + template.slice(i);
}

function placeholdersOf(template: string): string[] {
  const names: string[] = [];
  let i = 0;
  for (;;) {
    const open = template.indexOf('{', i);
    if (open < 0) return names;
    const close = template.indexOf('}', open + 1);
    if (close < 0) return names;
    const name = template.slice(open + 1, close);
    if (!names.includes(name)) names.push(name);
    i = close + 1;
  }
}

/** What `formatDiagnostic` needs; line and col are 0-based (like VS Code positions). */
export interface FormattableDiagnostic {
  path: string;
  line: number;
  col: number;
  severity: DiagnosticSeverity;
  message: string;
  code: DiagnosticCode;
}

/** The one text form, read by VS Code problem matchers: `path:line:col: warning: message [TL001]`, 1-based. */
export function formatDiagnostic(d: FormattableDiagnostic): string {
  return `${d.path}:${d.line + 1}:${d.col + 1}: ${d.severity}: ${d.message} [${d.code}]`;
}
