// A copy of the PyTorch quickstart for real PyTorch: Fashion-MNIST unpacked beside it (torchvision reads root="data"),
// and for torch before 2.6 the tutorial's older device line (torch.accelerator came in 2.6).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackFashionMnist } from './fashionMnist';

export const QUICKSTART = join(__dirname, '../../examples/quickstart.py');

/** The quickstart's text, its device line as the tutorial wrote it before torch 2.6 when `beforeTorch26`. */
export function quickstartText(beforeTorch26: boolean): string {
  const text = readFileSync(QUICKSTART, 'utf8');
  if (!beforeTorch26) return text;
  const adapted = text.replace(/^device = torch\.accelerator\..*$/m, 'device = "cuda" if torch.cuda.is_available() else "cpu"');
  if (adapted === text) throw new Error('the quickstart has no torch.accelerator device line to adapt');
  return adapted;
}

/** Writes the quickstart into `folder` (a new temporary one by default) with its data; returns the script's path. */
export function quickstartCopy(beforeTorch26: boolean, folder = mkdtempSync(join(tmpdir(), 'trainloop-quickstart-'))): string {
  unpackFashionMnist(join(folder, 'data'));
  const script = join(folder, 'quickstart.py');
  writeFileSync(script, quickstartText(beforeTorch26));
  return script;
}
