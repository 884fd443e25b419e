/**
 * Grammar-aware POP3 commands (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH) with
 * valid-ish arguments, one line each without its CRLF.
 */
import type { Credentials } from './imap-grammar.js';
import type { Prng } from './prng.js';

export type Pop3Phase = 'authorization' | 'transaction';

const NUMBERS = [
  '1',
  '2',
  '3',
  '10',
  '30',
  '0',
  '-1',
  '4294967296',
  '99999999999',
  '1e3',
  ' 1',
  '01',
  'x',
];

function msg(rng: Prng): string {
  return rng.chance(0.7) ? String(1 + rng.int(35)) : rng.pick(NUMBERS);
}

type Generator = (rng: Prng, creds: Credentials) => string;

const AUTHORIZATION: Readonly<Record<string, Generator>> = {
  user: (rng, c) =>
    `USER ${rng.chance(0.8) ? c.user : rng.pick(['root', '', 'a b', 'x'.repeat(300)])}`,
  pass: (rng, c) => `PASS ${rng.chance(0.1) ? c.password : rng.pick(['wrong', '', 'pass word'])}`,
  apop: (rng, c) => `APOP ${c.user} ${rng.chance(0.5) ? 'c4c9334bac560ecc979e58001b3e22fb' : 'zz'}`,
  auth: (rng, c) => {
    const plain = Buffer.from(`\0${c.user}\0${rng.chance(0.1) ? c.password : 'nope'}`).toString(
      'base64',
    );
    const roll = rng.int(5);
    if (roll === 0) return 'AUTH';
    if (roll === 1) return `AUTH PLAIN ${rng.pick([plain, '=', '*', '!!!'])}`;
    if (roll === 2) return `AUTH ${rng.pick(['LOGIN', 'CRAM-MD5', 'XOAUTH2'])}`;
    return `AUTH PLAIN\r\n${rng.pick([plain, '*', '', 'AAAA'])}`;
  },
};

const TRANSACTION: Readonly<Record<string, Generator>> = {
  stat: () => 'STAT',
  list: (rng) => (rng.chance(0.5) ? 'LIST' : `LIST ${msg(rng)}`),
  uidl: (rng) => (rng.chance(0.5) ? 'UIDL' : `UIDL ${msg(rng)}`),
  top: (rng) => `TOP ${msg(rng)} ${rng.pick(['0', '1', '5', '100', '-1', '99999999999', ''])}`,
  retr: (rng) => `RETR ${msg(rng)}`,
  dele: (rng) => `DELE ${msg(rng)}`,
  rset: () => 'RSET',
  last: () => 'LAST',
};

const ANY: Readonly<Record<string, Generator>> = {
  noop: () => 'NOOP',
  capa: () => 'CAPA',
  stls: () => 'STLS',
  quit: () => 'QUIT',
};

export function pop3Command(rng: Prng, phase: Pop3Phase, creds: Credentials): string {
  const preferred = phase === 'authorization' ? AUTHORIZATION : TRANSACTION;
  const table = rng.chance(0.7)
    ? preferred
    : rng.chance(0.5)
      ? ANY
      : phase === 'authorization'
        ? TRANSACTION
        : AUTHORIZATION;
  let name = rng.pick(Object.keys(table));
  if ((name === 'quit' || name === 'stls') && !rng.chance(0.1)) name = 'noop';
  const line = table[name]!(rng, creds);
  return rng.chance(0.1) ? line.toLowerCase() : line;
}
