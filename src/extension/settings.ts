// Reads the `trainloop.*` settings, with their defaults and bounds in one place.
import * as vscode from 'vscode';
import { DIAGNOSTIC_CATALOG, type DiagnosticCode } from '../analysis/diagnosticCatalog';
import { DEFAULT_UPDATE_RATE_HZ } from './panelUpdates';
import { RUNTIME_KINDS, type RuntimeKind } from '../debug/debugContract';

export type BackendSetting = 'auto' | 'wasm' | 'cpu' | 'tensorflow';

export const ALL_DETECTOR_CODES = Object.keys(DIAGNOSTIC_CATALOG) as DiagnosticCode[];

export interface TrainloopSettings {
  /** `trainloop.runtime`: which runtime a launch without its own `runtime` gets. */
  runtime: RuntimeKind;
  /** `trainloop.python`: the interpreter of the python runtime; empty: the Python extension's, else `python3`. */
  python: string;
  backend: BackendSetting;
  codeLensBatchCount: number;
  panelUpdateRateHz: number;
  enabledDetectors: ReadonlySet<string>;
  /** `trainloop.stopOnTrainingProblems`: the training problems (TL001…) the "Training Problems" exception filter stops on. */
  stopOnTrainingProblems: string[];
}

export function readSettings(scope?: vscode.ConfigurationScope): TrainloopSettings {
  const config = vscode.workspace.getConfiguration('trainloop', scope);
  const runtime = config.get<unknown>('runtime', 'auto');
  const python = config.get<unknown>('python', '');
  const backend = config.get<string>('backend', 'auto');
  const batchCount = config.get<number>('codeLens.batchCount', 10);
  const rate = config.get<number>('panel.updateRateHz', DEFAULT_UPDATE_RATE_HZ);
  const enabled = config.get<unknown>('detectors.enabled', ALL_DETECTOR_CODES);
  const stops = config.get<unknown>('stopOnTrainingProblems', []);
  return {
    runtime: typeof runtime === 'string' && (RUNTIME_KINDS as readonly string[]).includes(runtime) ? (runtime as RuntimeKind) : 'auto',
    python: typeof python === 'string' ? python.trim() : '',
    backend: backend === 'wasm' || backend === 'cpu' || backend === 'tensorflow' ? backend : 'auto',
    codeLensBatchCount: Number.isInteger(batchCount) && batchCount >= 1 ? Math.min(batchCount, 100_000) : 10,
    panelUpdateRateHz: typeof rate === 'number' && rate > 0 ? Math.min(Math.max(rate, 1), 60) : DEFAULT_UPDATE_RATE_HZ,
    enabledDetectors: new Set(Array.isArray(enabled) ? enabled.filter((c): c is string => typeof c === 'string') : ALL_DETECTOR_CODES),
    stopOnTrainingProblems: Array.isArray(stops) ? ALL_DETECTOR_CODES.filter((code) => stops.includes(code)) : [],
  };
}

/** The runtime detectors to switch off, as the launch configuration's `disabledDetectors`. */
export function disabledDetectors(settings: TrainloopSettings): string[] {
  return ALL_DETECTOR_CODES.filter((code) => !settings.enabledDetectors.has(code));
}
