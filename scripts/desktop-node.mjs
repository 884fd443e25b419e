#!/usr/bin/env node
// `npm run dist` needs the Node that Electron 45's build tools need (electron-builder,
// @electron/get, node-abi: >= 22.12). Mailport itself, its tests and headless serving run on
// Node 20 or newer; on Node 20 `npm install` warns EBADENGINE for those tools only.
// Exits 1 with a one-line reason when this Node is too old to build the desktop packages.
const NEEDED = [22, 12];

const [major, minor] = process.versions.node.split('.').map(Number);
const ok = major > NEEDED[0] || (major === NEEDED[0] && minor >= NEEDED[1]);
if (!ok) {
  console.error(
    `Building the desktop app needs Node ${NEEDED.join('.')} or newer (Electron's build tools); ` +
      `this is Node ${process.versions.node}. Mailport itself runs and tests on Node 20: ` +
      'use `npm start` / `npm test` here, or a newer Node for `npm run dist`.',
  );
  process.exit(1);
}
