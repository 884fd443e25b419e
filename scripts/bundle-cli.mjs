#!/usr/bin/env node
// The last step of `npm run build`: `mailport` (dist/main/cli/main.js) as one ES module with
// its packages, and a chunk per command or feature loaded on demand (dist/main/cli/bundle/).
//
// Why (issue 16): Node 20 resolves, reads and links every ES module file on its own; the
// ~400 files of tsc's output and of zod, pino and node-forge cost about 200 ms before
// `mailport serve` could bind, against about 40 ms for the same code in one file.
//
// tsc's output stays complete beside it: the desktop app (dist/main/electron) and the worker
// threads (index-worker.js, started by file URL) run from it, and a module of the bundle that
// names a file by `import.meta.url` gets the URL its tsc output has, so every relative path
// (the worker script, package.json, dist/renderer) means what it meant unbundled.
import { rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(root, 'src-main');
const BUILT = join(root, 'dist', 'main');
const OUT = join(BUILT, 'cli');
const CHUNK_DIR = 'bundle';
const MARK = '__mailportBuiltUrl__';

const posix = (path) => path.split(sep).join('/');

/** `import.meta.url` of a source module → the URL of its tsc output, relative to each chunk. */
function builtLocations() {
  return {
    name: 'mailport-built-locations',
    transform(code, id) {
      if (!id.startsWith(SOURCE + sep) || !code.includes('import.meta.url')) return null;
      const built = posix(relative(SOURCE, id)).replace(/\.[cm]?ts$/, '.js');
      return { code: code.replaceAll('import.meta.url', `${MARK}(${JSON.stringify(built)})`) };
    },
    renderChunk(code, chunk) {
      if (!code.includes(MARK)) return null;
      const from = dirname(join(OUT, chunk.fileName));
      const pattern = new RegExp(`${MARK}\\("([^"]+)"\\)`, 'g');
      const url = (_, built) =>
        `new URL(${JSON.stringify(posix(relative(from, join(BUILT, built))))}, import.meta.url).href`;
      return { code: code.replace(pattern, url) };
    },
  };
}

rmSync(join(OUT, CHUNK_DIR), { recursive: true, force: true });
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  plugins: [builtLocations()],
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: join(SOURCE, 'cli', 'main.ts'),
    outDir: OUT,
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rolldownOptions: {
      output: {
        format: 'esm',
        entryFileNames: 'main.js',
        chunkFileNames: `${CHUNK_DIR}/[name]-[hash].js`,
      },
    },
  },
});
