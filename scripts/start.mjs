#!/usr/bin/env node
// `npm start`: build what is out of date, then run Mailport. The desktop shell is not part of
// this build yet, so Mailport runs headless (`mailport serve`) and says so in one line.
import { spawnSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

console.log(
  'Mailport: the desktop window is not in this build yet; running headless (mailport serve).',
);
const child = spawn(process.execPath, [join(root, 'dist/main/cli/main.js'), 'serve'], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
