// Builds the settings window into dist/renderer. Relative asset URLs (`base: './'`) so the same
// build loads from the admin server at `/` and from a file in the desktop window. No inline
// scripts or styles are emitted, so the strict Content-Security-Policy holds.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte()], // options in svelte.config.js
  build: {
    outDir: resolve(import.meta.dirname, '../dist/renderer'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
