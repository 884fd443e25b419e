// Lint rules, including the rooms of DESIGN.md: the core never imports electron,
// protocol code never touches the file system, the renderer only sees ControlApi types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import svelteConfig from './src-renderer/svelte.config.js';

const noElectron = { name: 'electron', message: 'src-main/core is plain Node: no electron.' };
const noFs = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({
  name,
  message: 'Protocol code reaches files only through the store interface.',
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      // Protocol code checks for control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['src-main/core/imap/**/*.ts', 'src-main/core/pop3/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, ...noFs],
          patterns: [
            {
              group: ['**/store/maildir/**'],
              message: 'Use the store interface, not the Maildir backend.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.svelte', 'src-renderer/**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig },
    },
  },
  {
    // The window runs in a browser (or Electron's sandboxed renderer): no Node, and from
    // src-main only the ControlApi's types.
    files: ['src-renderer/src/**'],
    rules: {
      // TypeScript and svelte-check know the browser's globals.
      'no-undef': 'off',
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname'],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // listener-names.ts has no imports at all: constants the window shares.
              regex: '/src-main/(?!core/config/listener-names\\.js$)',
              allowTypeImports: true,
              message: 'The renderer imports only types from src-main (`import type`).',
            },
            { group: ['node:*', 'electron'], message: 'The renderer has no Node or Electron.' },
          ],
        },
      ],
    },
  },
);
