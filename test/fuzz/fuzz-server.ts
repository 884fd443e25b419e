/**
 * The server under fuzz: a real `mailport serve` on a seeded Maildir corpus, one IMAP account
 * and one POP3 account per POP3 worker (a POP3 maildrop is locked by its session), a protected
 * folder the fuzzer never names, and the probes the oracles need: the child's memory, its
 * output, its app log, and the protected folder's files.
 */
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths } from '../../src-main/core/config/paths.js';
import { SettingsStore } from '../../src-main/core/config/settings-store.js';
import { generateMessages, writeCorpus } from '../helpers/corpus.js';
import { freePort } from '../helpers/ports.js';
import { runMailport, type RunningMailport } from '../helpers/serve.js';
import { FUZZ_LITERAL_LIMIT_BYTES } from './imap-framer.js';
import type { Credentials } from './imap-grammar.js';

/** The folder no generated command names: its files must survive the run unchanged. */
export const PROTECTED_FOLDER = '.Vault';
const IMAP_MESSAGES = 60;
const POP3_MESSAGES = 35;
const PROTECTED_MESSAGES = 12;
/**
 * scrypt cost of the fuzz accounts' stored hashes (2^10, about 1 ms). The server verifies with
 * the parameters stored in the hash, so thousands of logins stay cheap; the throttle and the
 * failed-login delay are the real ones.
 */
const FUZZ_SCRYPT_LOG2_N = 10;

export interface FuzzServer {
  readonly server: RunningMailport;
  readonly imap: Credentials;
  readonly pop3: readonly Credentials[];
  readonly protectedFiles: ReadonlyMap<string, string>;
  readonly root: string;
}

function cheapHash(password: string): string {
  const salt = randomBytes(16);
  const n = 2 ** FUZZ_SCRYPT_LOG2_N;
  const key = scryptSync(password, salt, 32, { N: n, r: 8, p: 1 });
  return ['scrypt', FUZZ_SCRYPT_LOG2_N, 8, 1, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

export async function startFuzzServer(seed: number, pop3Accounts: number): Promise<FuzzServer> {
  const root = await mkdtemp(join(tmpdir(), 'mailport-fuzz-'));
  const imapDir = join(root, 'imap');
  await writeCorpus(imapDir, generateMessages({ count: IMAP_MESSAGES, seed, largeShare: 0 }));
  const vault = join(imapDir, PROTECTED_FOLDER);
  await writeCorpus(
    vault,
    generateMessages({ count: PROTECTED_MESSAGES, seed: seed + 1, largeShare: 0 }),
  );
  await writeFile(join(vault, 'maildirfolder'), '');
  const imap = { user: 'fuzz', password: 'fuzz imap password' };
  const pop3: Credentials[] = [];
  const accounts = [{ name: imap.user, maildir: imapDir, passwordHash: cheapHash(imap.password) }];
  for (let i = 0; i < pop3Accounts; i++) {
    const dir = join(root, `pop3-${i}`);
    await writeCorpus(
      dir,
      generateMessages({ count: POP3_MESSAGES, seed: seed + 10 + i, largeShare: 0 }),
    );
    const creds = { user: `pop${i}`, password: `fuzz pop3 password ${i}` };
    pop3.push(creds);
    accounts.push({ name: creds.user, maildir: dir, passwordHash: cheapHash(creds.password) });
  }
  const dataDir = join(root, 'data');
  await mkdir(dataDir);
  const ports = {
    pop3: await freePort(),
    pop3s: await freePort(),
    imap: await freePort(),
    imaps: await freePort(),
  };
  const settings = await SettingsStore.open(dataPaths(dataDir).settings);
  await settings.update((s) => {
    s.bind.address = 'loopback';
    s.security.loginPolicy = 'plaintext';
    // One literal limit for every command, so the fuzzer's framing model is exact.
    s.limits.maxMessageBytes = FUZZ_LITERAL_LIMIT_BYTES;
    for (const name of ['pop3', 'pop3s', 'imap', 'imaps'] as const)
      s.listeners[name].port = ports[name];
    s.accounts.push(...accounts);
  });
  const protectedFiles = await snapshotFolder(vault);
  const server = await runMailport({ dataDir, ports });
  return { server, imap, pop3, protectedFiles, root };
}

/** Base name (without the `:2,` flags) → SHA-256 of the contents, over cur/ and new/. */
export async function snapshotFolder(folder: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const sub of ['cur', 'new']) {
    for (const name of await readdir(join(folder, sub)).catch(() => [] as string[])) {
      const bytes = await readFile(join(folder, sub, name));
      files.set(name.split(':2,')[0]!, createHash('sha256').update(bytes).digest('hex'));
    }
  }
  return files;
}

/** Resident memory of a process in bytes (VmRSS in /proc/<pid>/status). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

/** Signs of a crash in the child's own output (stdout and stderr). */
export function crashSigns(output: string): string[] {
  const signs =
    /uncaught|unhandled|RangeError|TypeError|MaxListenersExceededWarning|FATAL ERROR|heap out of memory|Warning:/i;
  return output.split('\n').filter((line) => signs.test(line));
}

/** Error-level lines of the app log (pino level 50 and above). */
export async function errorLogLines(dataDir: string): Promise<string[]> {
  const text = await readFile(dataPaths(dataDir).logFile, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}
