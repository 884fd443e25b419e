#!/usr/bin/env node
// `npm start`: build, then run the desktop app when the Electron runtime can start here;
// otherwise run headless (`mailport serve`) and say why in one line.
// `--no-build` skips the build (the tests use it); `--headless` asks for headless directly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { serveEnvironment } from './serve-environment.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (!args.includes('--no-build')) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** Why the desktop app cannot start here, or undefined when it can be tried. */
function whyNotDesktop() {
  if (args.includes('--headless')) return 'you asked for headless mode';
  if (process.env.MAILPORT_HEADLESS) return 'MAILPORT_HEADLESS is set';
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile))
    return 'the Electron runtime is not installed (its download needs internet access)';
  const binary = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8'));
  if (!existsSync(binary)) return `the Electron runtime is missing (${binary})`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no graphical display';
  if (!existsSync(join(root, 'dist', 'renderer', 'index.html')))
    return 'the settings window is not built (dist/renderer is missing)';
  return undefined;
}

function headless(reason) {
  console.log(`Mailport: ${reason}, so it runs headless (mailport serve).`);
  const child = spawn(process.execPath, [join(root, 'dist/main/cli/main.js'), 'serve'], {
    stdio: 'inherit',
    env: serveEnvironment(process.env),
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

function desktop() {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  const binary = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8'));
  const started = Date.now();
  let errors = '';
  const child = spawn(binary, [root], { stdio: ['inherit', 'inherit', 'pipe'] });
  child.stderr.on('data', (chunk) => {
    errors += chunk;
    process.stderr.write(chunk);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => headless(`the Electron runtime could not start (${err.message})`));
  child.on('exit', (code) => {
    // A runtime that dies at once (missing libraries, no display access) means headless.
    if (code !== 0 && Date.now() - started < 5000) {
      const first = errors.split('\n').find((l) => l.trim()) ?? `exit code ${code}`;
      headless(`the Electron runtime could not start (${first.trim()})`);
    } else process.exit(code ?? 0);
  });
}

const reason = whyNotDesktop();
if (reason) headless(reason);
else desktop();
