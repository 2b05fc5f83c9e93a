// ESLint (flat config): typescript-eslint's recommended rules, and the architecture's layer order,
// enforced with eslint-plugin-import-x (no-restricted-paths, no-cycle). docs/architecture.md explains
// the layers; this file is where they are decided.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/**
 * src/ bottom to top. A module may import its own layer and the layers below it, never one above.
 * Entries of one row are side by side and may not import each other (sync and writes above all:
 * they share rules only through reconcile).
 */
const LAYERS = [
  ['errors.ts', 'paths.ts', 'config.ts', 'webhook-signature.ts'],
  ['observability'],
  ['logger.ts'],
  ['mongo', 'mappings', 'auth', 'lifecycle'],
  ['links', 'upstreams'],
  ['reconcile'],
  ['sync', 'writes'],
  ['ops'],
  ['gateway'],
  ['cli', 'runtime'],
  ['commands.ts'],
  ['main.ts'],
];

// Every entry of src/ has a place: a new folder fails the lint run until it is given a layer here.
const PLACED = new Set([...LAYERS.flat(), 'reference', 'generated']);
const unplaced = readdirSync(new URL('./src/', import.meta.url)).filter((entry) => !PLACED.has(entry));
if (unplaced.length > 0) throw new Error(`eslint.config.js: give src/${unplaced.join(', src/')} a place in LAYERS`);

/** Path of a layer entry, as import-x zones name it (folders end with a slash, files do not). */
const pathOf = (entry) => (entry.endsWith('.ts') ? `./src/${entry}` : `./src/${entry}/`);

const layerZones = LAYERS.flatMap((row, level) =>
  row.map((entry) => {
    const above = LAYERS.slice(level + 1).flat();
    const beside = row.filter((other) => other !== entry);
    // Only the runtime starts the reference systems (npm start runs them beside the gateway).
    const reference = entry === 'runtime' ? [] : ['reference'];
    return {
      target: pathOf(entry),
      from: [...above, ...beside, ...reference].map(pathOf),
      message: `layers import downwards only (docs/architecture.md): src/${entry} may not import this`,
    };
  }),
);

/** The reference systems are a program of their own: they share generated types and small leaves, nothing of the product. */
const referenceZone = {
  target: './src/reference/',
  from: LAYERS.flat()
    .filter((entry) => !['errors.ts', 'paths.ts', 'webhook-signature.ts'].includes(entry))
    .map(pathOf),
  message: 'the reference systems stand in for Customerp and Crmoffice: they import no gateway code',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/generated/', '.tools/', 'artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Without a parser for .ts, import-x cannot read the modules an import leads to, and no-cycle finds nothing.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // Type-only imports stay explicit (verbatimModuleSyntax); the compiler already checks them.
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A `let` read by a closure before its one assignment (a shutdown hook) stays a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Type-only imports are not followed (a type cycle costs nothing at run time); the layer zones still check them.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, referenceZone] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    // The pages the gateway serves run in a browser.
    files: ['src/ops/assets/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        GraphiQL: 'readonly',
        React: 'readonly',
        ReactDOM: 'readonly',
        Node: 'readonly',
        CSS: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Headers: 'readonly',
        Response: 'readonly',
        uPlot: 'readonly',
        navigator: 'readonly',
        location: 'readonly',
        history: 'readonly',
        console: 'readonly',
        URLSearchParams: 'readonly',
        Intl: 'readonly',
        Date: 'readonly',
        Event: 'readonly',
        CustomEvent: 'readonly',
        HTMLElement: 'readonly',
      },
    },
  },
);
