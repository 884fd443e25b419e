/**
 * Quick mailbox resynchronisation (RFC 7162 §3.2.5): a client that synced INBOX before comes
 * back after one change on disk and learns of it in one SELECT. Each round, untimed: a client
 * selects INBOX and keeps its UIDVALIDITY and HIGHESTMODSEQ; then, as another program would,
 * one message's file is renamed to toggle \Flagged and another's is deleted. Timed: a fresh
 * connection runs LOGIN, ENABLE QRESYNC and SELECT INBOX (QRESYNC (uidvalidity modseq)), and
 * the figures are the time to its tagged OK and the octets the client received (greeting
 * included). The answer must name the deleted UID in VANISHED (EARLIER) and the flagged one
 * in a FETCH, and nothing else.
 */
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ImapClient } from './imap-client.js';
import { sample, type Sample } from './measure.js';
import { PASSWORD, USER, type BenchServer } from './servers.js';

/** The UIDs each round changes, in the middle of the mailbox, different in every round. */
export function resyncTargets(messages: number, round: number): { flag: number; gone: number } {
  const flag = Math.floor(messages / 2) + 2 * round;
  return { flag, gone: flag + 1 };
}

/** The file in cur/ of the message with this UID, by the server's `dovecot-uidlist`. */
function fileOfUid(server: BenchServer, uid: number): string {
  const uidlist = readFileSync(join(server.maildir, 'dovecot-uidlist'), 'latin1');
  // "<uid>[ <extension fields>] :<base name>" (Dovecot's uidlist version 3)
  const base = new RegExp(`^${uid}(?: [^:\\n]*)? :(.+)$`, 'm').exec(uidlist)?.[1];
  if (!base) throw new Error(`${server.name}: UID ${uid} is not in the uidlist`);
  const name = readdirSync(join(server.maildir, 'cur')).find((f) => f.startsWith(`${base}:2,`));
  if (!name) throw new Error(`${server.name}: no file for UID ${uid} (${base}) in cur/`);
  return join(server.maildir, 'cur', name);
}

/** Toggles \Flagged (the "F" in ":2,…", flags kept in ASCII order) by renaming the file. */
function toggleFlagged(path: string): void {
  const [base, flags = ''] = path.split(':2,') as [string, string?];
  const next = flags.includes('F') ? flags.replace('F', '') : [...flags, 'F'].sort().join('');
  renameSync(path, `${base}:2,${next}`);
}

async function knownState(server: BenchServer): Promise<{ validity: string; modseq: string }> {
  const client = await ImapClient.login(server.imap, USER, PASSWORD);
  try {
    await client.ok('ENABLE CONDSTORE');
    const r = await client.ok('SELECT INBOX (CONDSTORE)', true);
    const text = r.untagged.join('\n');
    const validity = /\[UIDVALIDITY (\d+)\]/.exec(text)?.[1];
    const modseq = /\[HIGHESTMODSEQ (\d+)\]/.exec(text)?.[1];
    if (!validity || !modseq) throw new Error(`${server.name}: SELECT gave no UIDVALIDITY/MODSEQ`);
    return { validity, modseq };
  } finally {
    await client.logout();
  }
}

/** One round on one server. */
export async function qresyncResync(
  server: BenchServer,
  targets: { flag: number; gone: number },
): Promise<Sample> {
  const { validity, modseq } = await knownState(server);
  toggleFlagged(fileOfUid(server, targets.flag));
  rmSync(fileOfUid(server, targets.gone));
  let client: ImapClient | undefined;
  return sample(server, async () => {
    client = await ImapClient.login(server.imap, USER, PASSWORD);
    await client.ok('ENABLE QRESYNC');
    const r = await client
      .ok(`SELECT INBOX (QRESYNC (${validity} ${modseq}))`, true)
      .catch((err: Error) => Promise.reject(new Error(`${server.name}: ${err.message}`)));
    const vanished = r.untagged.filter((l) => /^\* VANISHED \(EARLIER\) /.test(l));
    const fetches = r.untagged.filter((l) => /^\* \d+ FETCH /.test(l));
    return {
      bytes: client.socket.bytesRead,
      vanishedUid: vanished.length === 1 ? Number(vanished[0]!.split(' ').at(-1)) : NaN,
      fetchedUid: fetches.length === 1 ? Number(/\bUID (\d+)/.exec(fetches[0]!)?.[1] ?? NaN) : NaN,
      fetches: fetches.length,
    };
  }).finally(() => client?.logout());
}
