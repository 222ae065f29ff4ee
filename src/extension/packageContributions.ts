// package.json's `contributes`, `activationEvents` and `capabilities`, generated from the debug contract and the diagnostic catalog; `npx tsx src/extension/packageContributions.ts --write` rewrites package.json and package.nls.json's generated keys.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CATALOG, type DiagnosticCode } from '../analysis/diagnosticCatalog';
import { DEBUG_TYPE, INITIAL_CONFIGURATION, LAUNCH_ATTRIBUTES, RUNTIME_KINDS } from '../debug/debugContract';
import { COMMANDS as COMMAND_IDS } from './trainingLoopLenses';
import { DEFAULT_UPDATE_RATE_HZ } from './panelUpdates';

const CODES = Object.keys(DIAGNOSTIC_CATALOG) as DiagnosticCode[];

/** English texts of package.json's `%key%` placeholders that come from other sources of truth. */
export function generatedNlsEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(LAUNCH_ATTRIBUTES.properties)) entries[`debugger.launch.${name}`] = attribute.description;
  entries['debugger.initialConfiguration.name'] = INITIAL_CONFIGURATION.name;
  for (const code of CODES) entries[`configuration.detectors.${code}`] = `${code}: ${DIAGNOSTIC_CATALOG[code].title}`;
  return entries;
}

function launchAttributes(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(LAUNCH_ATTRIBUTES.properties)) {
    properties[name] = { ...attribute, description: `%debugger.launch.${name}%` };
  }
  return { required: [...LAUNCH_ATTRIBUTES.required], properties };
}


export function packageContributions(): { activationEvents: string[]; capabilities: unknown; contributes: unknown; l10n: string } {
  const initial = { ...INITIAL_CONFIGURATION, name: '%debugger.initialConfiguration.name%' };
  return {
    activationEvents: [
      'onLanguage:python',
      `onDebugResolve:${DEBUG_TYPE}`,
      `onDebugDynamicConfigurations:${DEBUG_TYPE}`,
      `onDebugInitialConfigurations`,
      'onWebviewPanel:trainloop.trainingPanel',
    ],
    capabilities: {
      // A workspace's own trainloop.python names a program to run: VS Code ignores it until the workspace is trusted.
      untrustedWorkspaces: { supported: 'limited', description: '%capabilities.untrustedWorkspaces%', restrictedConfigurations: ['trainloop.python'] },
      virtualWorkspaces: { supported: 'limited', description: '%capabilities.virtualWorkspaces%' },
    },
    l10n: './l10n',
    contributes: {
      commands: [
        { command: COMMAND_IDS.trainOneBatch, title: '%command.trainOneBatch%', category: 'Trainloop', icon: '$(debug-start)' },
        { command: COMMAND_IDS.trainBatches, title: '%command.trainBatches%', category: 'Trainloop', icon: '$(run-all)' },
        { command: COMMAND_IDS.stop, title: '%command.stop%', category: 'Trainloop', icon: '$(debug-stop)' },
        { command: COMMAND_IDS.showPanel, title: '%command.showTrainingPanel%', category: 'Trainloop', icon: '$(graph-line)' },
        { command: COMMAND_IDS.evaluate, title: '%command.evaluate%', category: 'Trainloop', icon: '$(play)' },
        // Not Step Over's icon: a batch runs many lines (and calls) to the end of the loop body, "run the block below".
        { command: COMMAND_IDS.stepBatch, title: '%command.stepBatch%', category: 'Trainloop', icon: '$(run-below)' },
        { command: COMMAND_IDS.openQuickstart, title: '%command.openQuickstart%', category: 'Trainloop' },
        { command: COMMAND_IDS.chooseTrainingProblems, title: '%command.chooseTrainingProblems%', category: 'Trainloop', icon: '$(checklist)' },
        { command: COMMAND_IDS.exportCurves, title: '%command.exportCurves%', category: 'Trainloop', icon: '$(export)' },
      ],
      menus: {
        'debug/toolBar': [{ command: COMMAND_IDS.stepBatch, when: `debugType == ${DEBUG_TYPE} && debugState == stopped`, group: 'navigation@15' }],
        'editor/title': [{ command: COMMAND_IDS.showPanel, when: 'resourceLangId == python', group: 'navigation@90' }],
        commandPalette: [
          { command: COMMAND_IDS.trainOneBatch, when: 'editorLangId == python' },
          { command: COMMAND_IDS.trainBatches, when: 'editorLangId == python' },
          { command: COMMAND_IDS.stop, when: `debugType == ${DEBUG_TYPE}` },
          { command: COMMAND_IDS.evaluate, when: 'false' },
          { command: COMMAND_IDS.stepBatch, when: `debugType == ${DEBUG_TYPE} && debugState == stopped` },
        ],
      },
      configuration: {
        title: 'Trainloop',
        properties: {
          'trainloop.runtime': {
            type: 'string',
            enum: [...RUNTIME_KINDS],
            enumDescriptions: RUNTIME_KINDS.map((kind) => `%configuration.runtime.${kind}%`),
            default: 'auto',
            markdownDescription: '%configuration.runtime%',
          },
          'trainloop.python': {
            type: 'string',
            default: '',
            // Per machine, and per folder where a project has its own environment (as python.defaultInterpreterPath).
            scope: 'machine-overridable',
            markdownDescription: '%configuration.python%',
          },
          'trainloop.backend': {
            type: 'string',
            enum: ['auto', 'wasm', 'cpu', 'tensorflow'],
            enumDescriptions: [
              '%configuration.backend.auto%',
              '%configuration.backend.wasm%',
              '%configuration.backend.cpu%',
              '%configuration.backend.tensorflow%',
            ],
            default: 'auto',
            markdownDescription: '%configuration.backend%',
          },
          'trainloop.packageIndex': {
            type: 'string',
            default: '',
            // Per machine: a mirror or a folder is a property of the site, as an interpreter's path is.
            scope: 'machine-overridable',
            markdownDescription: '%configuration.packageIndex%',
          },
          'trainloop.codeLens.batchCount': {
            type: 'integer',
            minimum: 1,
            maximum: 100000,
            default: 10,
            markdownDescription: '%configuration.codeLens.batchCount%',
          },
          'trainloop.panel.updateRateHz': {
            type: 'number',
            minimum: 1,
            maximum: 60,
            default: DEFAULT_UPDATE_RATE_HZ,
            markdownDescription: '%configuration.panel.updateRateHz%',
          },
          'trainloop.stopOnTrainingProblems': {
            type: 'array',
            items: { type: 'string', enum: CODES, enumDescriptions: CODES.map((code) => `%configuration.detectors.${code}%`) },
            uniqueItems: true,
            default: [],
            markdownDescription: '%configuration.stopOnTrainingProblems%',
          },
          'trainloop.detectors.enabled': {
            type: 'array',
            items: { type: 'string', enum: CODES, enumDescriptions: CODES.map((code) => `%configuration.detectors.${code}%`) },
            uniqueItems: true,
            default: CODES,
            markdownDescription: '%configuration.detectors.enabled%',
          },
        },
      },
      breakpoints: [{ language: 'python' }],
      debuggers: [
        {
          type: DEBUG_TYPE,
          label: '%debugger.label%',
          languages: ['python'],
          configurationAttributes: { launch: launchAttributes() },
          initialConfigurations: [initial],
          configurationSnippets: [
            {
              label: '%debugger.snippet.currentFile.label%',
              description: '%debugger.snippet.currentFile.description%',
              body: { type: DEBUG_TYPE, request: 'launch', name: '%debugger.snippet.currentFile.name%', program: '^"\\${file}"', stopOnEntry: false },
            },
            {
              label: '%debugger.snippet.firstBatches.label%',
              description: '%debugger.snippet.firstBatches.description%',
              body: {
                type: DEBUG_TYPE,
                request: 'launch',
                name: '%debugger.snippet.firstBatches.name%',
                program: '^"\\${file}"',
                maxBatches: 100,
                backend: 'auto',
              },
            },
          ],
        },
      ],
      languages: [{ id: 'trainlog', aliases: ['%language.trainlog%', 'trainlog'] }],
      grammars: [{ language: 'trainlog', scopeName: 'text.log.trainloop', path: './syntaxes/trainlog.tmLanguage.json' }],
      problemMatchers: [
        {
          name: 'trainloop',
          label: '%problemMatcher.trainloop%',
          owner: 'trainloop',
          source: 'Trainloop',
          fileLocation: ['autoDetect', '${workspaceFolder}'],
          pattern: {
            regexp: '^(.+?):(\\d+):(\\d+): (error|warning|info): (.*) \\[(TL\\d{3})\\]$',
            file: 1,
            line: 2,
            column: 3,
            severity: 4,
            message: 5,
            code: 6,
          },
        },
      ],
      walkthroughs: [
        {
          id: 'trainloop.gettingStarted',
          title: '%walkthrough.title%',
          description: '%walkthrough.description%',
          steps: [
            {
              id: 'openQuickstart',
              title: '%walkthrough.openQuickstart.title%',
              description: '%walkthrough.openQuickstart.description%',
              media: { image: 'media/walkthrough/quickstart.svg', altText: '%walkthrough.openQuickstart.altText%' },
              completionEvents: [`onCommand:${COMMAND_IDS.openQuickstart}`],
            },
            {
              id: 'trainOneBatch',
              title: '%walkthrough.trainOneBatch.title%',
              description: '%walkthrough.trainOneBatch.description%',
              media: { image: 'media/walkthrough/train-one-batch.svg', altText: '%walkthrough.trainOneBatch.altText%' },
              completionEvents: [`onCommand:${COMMAND_IDS.trainOneBatch}`, `onCommand:${COMMAND_IDS.stepBatch}`],
            },
            {
              id: 'showPanel',
              title: '%walkthrough.showPanel.title%',
              description: '%walkthrough.showPanel.description%',
              media: { image: 'media/walkthrough/training-panel.svg', altText: '%walkthrough.showPanel.altText%' },
              completionEvents: [`onCommand:${COMMAND_IDS.showPanel}`],
            },
            {
              id: 'fixWarnings',
              title: '%walkthrough.fixWarnings.title%',
              description: '%walkthrough.fixWarnings.description%',
              media: { image: 'media/walkthrough/quick-fix.svg', altText: '%walkthrough.fixWarnings.altText%' },
              completionEvents: ['onSettingChanged:trainloop.detectors.enabled', 'onView:workbench.panel.markers.view'],
            },
          ],
        },
      ],
    },
  };
}

/** Writes the generated parts into package.json (keeping everything else, re-read just before) and package.nls.json. */
export function writePackageContributions(root: string): void {
  const packagePath = join(root, 'package.json');
  const manifest = JSON.parse(readFileSync(packagePath, 'utf8')) as Record<string, unknown>;
  const generated = packageContributions();
  manifest.activationEvents = generated.activationEvents;
  manifest.capabilities = generated.capabilities;
  manifest.l10n = generated.l10n;
  manifest.contributes = generated.contributes;
  writeFileSync(packagePath, JSON.stringify(manifest, null, 2) + '\n');
  const nlsPath = join(root, 'package.nls.json');
  const nls = JSON.parse(readFileSync(nlsPath, 'utf8')) as Record<string, string>;
  writeFileSync(nlsPath, JSON.stringify({ ...nls, ...generatedNlsEntries() }, null, 2) + '\n');
}

if (require.main === module && process.argv.includes('--write')) {
  writePackageContributions(join(__dirname, '..', '..'));
}
