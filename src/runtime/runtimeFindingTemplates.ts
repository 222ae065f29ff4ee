// The runtime detectors' own wording (TL001…TL011), one English template per kind of finding: the code, or
// `code.variant` where a detector finds a code two ways. The agent fills them (diagnostics.py's MESSAGE_TEMPLATES, the
// same texts: test/runtime/detectors.test.ts compares them) and sends the template's id and values with each
// `diagnostic` record, so that the editor renders the message in the user's language (the templates are l10n keys).
// They differ from the static analysis's catalog text (src/analysis/diagnosticCatalog.ts), which says what the source
// lacks: these say what the run measured.

export const RUNTIME_FINDING_TEMPLATES = {
  'TL001':
    "Gradients accumulate across batches: {parameter}.grad equals the sum of the gradients of the last {passes} backward() calls (largest difference {error}), and its norm grew {norms}. Each {optimizer}.step() applies earlier batches' gradients again: call {optimizer}.zero_grad() once per iteration.",
  'TL002':
    "{clear} cleared the gradients after backward() and before {optimizer}.step(): at batch {batch} the step found every gradient {state} and moved {parameter} by at most {change}. Move {clear} after {optimizer}.step().",
  'TL003.loss':
    "The loss is not finite ({value}) at batch {batch}, and {count} of {total} gradients are not finite. Check the learning rate, the inputs and any log/division in the loss.",
  'TL003.gradient':
    "The gradient of {parameter} is not finite ({value}) at batch {batch}; {count} of {total} gradients are not finite. Check the learning rate, the inputs and any log/division in the loss.",
  'TL004':
    "Exploding gradients: the gradient norm grew on each of the last {steps} measured steps, {factor}× in all, to {norm} at batch {batch} (last norms: {recent}), while the loss rose from {loss_first} to {loss_last}. Lower the learning rate or clip gradients (torch.nn.utils.clip_grad_norm_).",
  'TL004.iteration':
    "Exploding gradients: the gradient norm grew on each of the last {steps} measured steps, {factor}× in all, to {norm} at iteration {iteration} (last norms: {recent}), while the loss rose from {loss_first} to {loss_last}. Lower the learning rate or clip gradients (torch.nn.utils.clip_grad_norm_).",
  'TL005':
    "Vanishing gradients: at batch {batch} the gradient norm of the first layer's {first} is {first_norm}, {ratio} times that of the last layer's {last} ({last_norm}), below 1e-3 on {steps} measured steps in a row. Check activations, initialisation and depth.",
  'TL006':
    "Dying ReLU: {dead} of the {units} units of {layer} ({percent}%) output nothing positive in {window} batches up to batch {batch}, so they pass no gradient. Lower the learning rate or use LeakyReLU.",
  'TL007.softmax':
    "CrossEntropyLoss gets probabilities from {layer} at batch {batch}: every row of its {classes} classes lies in [0, 1] and sums to 1 (largest difference {error}). CrossEntropyLoss applies log-softmax itself, so they are squashed twice: remove the softmax and feed CrossEntropyLoss the raw logits.",
  'TL007.log_softmax':
    "CrossEntropyLoss gets log-probabilities from {layer} at batch {batch}: every value of its {classes} classes is ≤ 0 and each row's logsumexp is 0 (largest difference {error}). CrossEntropyLoss applies log-softmax itself: remove the log-softmax and feed CrossEntropyLoss the raw logits.",
  'TL008.eval':
    "The model is in training mode while it is evaluated under torch.no_grad(): {calls} calls with {layers} in training mode (Dropout still drops, BatchNorm still updates its statistics). Call model.eval() first.",
  'TL008.train':
    "The model is in evaluation mode while it is trained: at batch {batch} optimizer.step() updated it with {layers} in eval mode. Call model.train() first.",
  'TL009.sum':
    "{expression} keeps the loss with its autograd graph: {variable} grew by {multiple} × the loss in each of {batches} batches in a row (now {value}), so memory grows with every batch. Accumulate {remedy} (a Python number) instead.",
  'TL009.list':
    "{expression} keeps every batch's loss with its autograd graph: {variable} holds {length} of them after growing in {batches} batches in a row, so memory grows with every batch. Keep {remedy} (a Python number) instead.",
  'TL010.no_step':
    "Gradients are computed but the parameters do not change: backward() ran in {batches} batches in a row up to batch {batch} without an optimizer.step(), and {parameter} stayed the same. Call optimizer.step() after loss.backward().",
  'TL010.no_optimizer':
    "Gradients are computed but the parameters do not change: backward() ran in {batches} batches in a row up to batch {batch} and no optimizer was created, so {parameter} stayed the same. Create an optimizer and call its step() after loss.backward().",
  'TL010.unoptimized':
    "Gradients are computed but {count} parameters ({parameters}) belong to no optimizer: they got gradients in {steps} steps and did not change. Pass them to the optimizer, or set requires_grad=False.",
  'TL011.lower':
    "Learning rate {lr} is too high: each {optimizer}.step() changed the weights by {ratio} of their size (‖ΔW‖/‖W‖, median of {count} measurements in a row, last: {recent}), far above 1e-3. Try a lower learning rate (around {suggested}).",
  'TL011.higher':
    "Learning rate {lr} is too low: each {optimizer}.step() changed the weights by {ratio} of their size (‖ΔW‖/‖W‖, median of {count} measurements in a row, last: {recent}), far below 1e-3, and the loss fell by only {progress} over them. Try a higher learning rate, ×10 at a time while the loss keeps falling.",
} as const satisfies Record<string, string>;

export type RuntimeFindingTemplateId = keyof typeof RUNTIME_FINDING_TEMPLATES;

export function isRuntimeFindingTemplateId(id: unknown): id is RuntimeFindingTemplateId {
  return typeof id === 'string' && Object.hasOwn(RUNTIME_FINDING_TEMPLATES, id);
}

/** The code a template reports: `TL003` for `TL003.loss`. */
export function templateCode(id: RuntimeFindingTemplateId): string {
  return id.split('.')[0];
}
