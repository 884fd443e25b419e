// Another program sharing the Maildir, as a desktop mail client and a delivery agent do it:
// deliveries (tmp/ then new/), new/ → cur/ moves with a flag, flag changes (renames within
// cur/) and, when asked, deletions. It runs as its own process for a bounded time and prints
// one JSON line with what it did, so a test can check that nothing it did was lost.
//
//   node maildir-mutator.mjs <maildir> <durationMs> <seed> <deletes: 0|1>
import {
  readdirSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';

const [dir, durationText, seedText, deletesText] = process.argv.slice(2);
const durationMs = Number(durationText);
const deletes = deletesText === '1';
/** Flag letters this program adds; it never removes one (so a lost letter is somebody's bug). */
const OWN_LETTERS = ['S', 'R'];
/** Operations between two listings of new/ and cur/. */
const RELIST_EVERY = 25;

let seed = Number(seedText) >>> 0;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

const delivered = [];
const deleted = [];
/** base → letters this program added to it. */
const added = {};
let counter = 0;
let newFiles = [];
let curFiles = [];

function relist() {
  newFiles = readdirSync(join(dir, 'new')).filter((n) => !n.startsWith('.'));
  curFiles = readdirSync(join(dir, 'cur')).filter((n) => !n.startsWith('.'));
}

function deliver() {
  counter += 1;
  const messageId = `<mutator-${process.pid}-${counter}@test>`;
  const base = `${Math.floor(Date.now() / 1000)}.M${counter}P${process.pid}.${hostname()}`;
  const body = `Message-ID: ${messageId}\nSubject: delivery ${counter}\n\nbody ${counter}\n`;
  const temp = join(dir, 'tmp', base);
  const fd = openSync(temp, 'wx');
  writeFileSync(fd, body);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temp, join(dir, 'new', base));
  delivered.push(messageId);
  newFiles.push(base);
}

const baseOf = (name) => (name.includes(':2,') ? name.slice(0, name.indexOf(':2,')) : name);
const lettersOf = (name) => (name.includes(':2,') ? name.slice(name.indexOf(':2,') + 3) : '');

function addLetter(from, fromDir, letter) {
  const base = baseOf(from);
  const letters = [...new Set(lettersOf(from) + letter)].sort().join('');
  const to = `${base}:2,${letters}`;
  if (fromDir === 'cur' && to === from) return;
  try {
    renameSync(join(dir, fromDir, from), join(dir, 'cur', to));
  } catch (err) {
    if (err.code === 'ENOENT') return; // renamed or taken by someone else meanwhile
    throw err;
  }
  added[base] = [...new Set((added[base] ?? '') + letter)].sort().join('');
}

function remove() {
  const name = pick(curFiles);
  if (!name) return;
  // Only mail this program delivered, so the test knows its Message-ID.
  if (!name.includes(`P${process.pid}.`)) return;
  try {
    unlinkSync(join(dir, 'cur', name));
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  const n = /\.M(\d+)P/.exec(name)?.[1];
  deleted.push(`<mutator-${process.pid}-${n}@test>`);
  delete added[baseOf(name)];
}

const end = Date.now() + durationMs;
let ops = 0;
relist();
while (Date.now() < end) {
  if (ops % RELIST_EVERY === 0) relist();
  ops += 1;
  const roll = random();
  if (roll < 0.2) deliver();
  else if (roll < 0.45 && newFiles.length > 0) addLetter(pick(newFiles), 'new', 'S');
  else if (roll < (deletes ? 0.95 : 1)) {
    const name = pick(curFiles);
    if (name) addLetter(name, 'cur', pick(OWN_LETTERS));
  } else remove();
  if (ops % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(JSON.stringify({ ops, delivered, deleted, added }) + '\n');
