// Lint: typescript-eslint's recommended rules, no import cycles, and the layering of docs/architecture.md
// ("Layers"): a module may import its own layer and the layers below it, never one above.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Bottom to top. Each entry is one layer: the folders (or files) of src/ that belong to it. */
const LAYERS = [
  ['core/errors.ts', 'core/paths.ts', 'core/fs-atomic.ts', 'core/format-time.ts'],
  ['core/catalog'],
  ['core/data', 'core/measure', 'core/smoke'],
  ['core/exec'],
  ['core/store'],
  ['core/score'],
  ['core/events.ts'],
  ['core/agent', 'core/train', 'core/calibrate'],
  ['core/search'],
  ['core/verify', 'core/judge', 'core/structured-ask', 'core/ideas', 'core/distance', 'core/hintgen'],
  ['core/bench'],
  ['core/report', 'core/doctor', 'core/plan', 'core/view'],
  ['ui'],
  ['cli'],
];

/**
 * The results folder's names (core/store/layout.ts) import nothing: executors and the smoke rewrite, below the
 * store, write files into node folders under those names. It is the one file of a higher layer they may import.
 */
const SHARED_NAMES = { 'core/store': ['./layout.ts'] };

/** For every layer, the layers above it as forbidden sources (import-x/no-restricted-paths zones). */
function layerZones() {
  const zones = [];
  LAYERS.forEach((layer, index) => {
    for (const target of layer) {
      for (const from of LAYERS.slice(index + 1).flat()) {
        zones.push({
          target: `./src/${target}`,
          from: `./src/${from}`,
          except: SHARED_NAMES[from] ?? [],
          message: `${target} sits below ${from} (docs/architecture.md "Layers"); move the shared part down instead`,
        });
      }
    }
  });
  return zones;
}

export default tseslint.config({ ignores: ['dist/**', 'node_modules/**', 'results/**', 'coverage/**', '**/*.d.ts'] }, ...tseslint.configs.recommended, {
  files: ['**/*.{ts,tsx,js,mjs}'],
  plugins: { 'import-x': importX },
  settings: {
    'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.tests.json' })],
  },
  rules: {
    'import-x/no-cycle': ['error', { ignoreExternal: true }],
    'import-x/no-restricted-paths': ['error', { zones: layerZones() }],
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
  },
});
