/**
 * The reviewed differences between Mailport and Dovecot 2.3.19 in the differential tests
 * (`imap/dovecot-differential.test.ts`, `pop3/dovecot-differential.test.ts`, and, for the places
 * named `EXT …`, `imap/dovecot-extensions.test.ts`). Each entry names
 * where it applies, says why Mailport's answer is acceptable, and accepts only the difference
 * it describes: anything else in the same response still fails. An entry that no longer
 * matches any difference fails its test too, so the list stays short and true.
 */
export interface AllowedDifference {
  /** The command or item it applies to, as the test names it (e.g. `FETCH ENVELOPE`). */
  readonly where: string;
  readonly reason: string;
  /** True when this pair of answers differs only in the way the reason describes. */
  readonly accepts: (dovecot: string, mailport: string) => boolean;
}

/** `* LIST (attrs) "/" name` lines → name → attributes. */
function listAttributes(lines: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of lines.split('\n')) {
    const m = /^\* (?:LIST|LSUB) \(([^)]*)\) "\/" (.*)$/.exec(line);
    if (m) out.set(m[2]!, new Set(m[1]!.split(' ').filter(Boolean)));
  }
  return out;
}

const CHILDREN_AND_SPECIAL_USE = new Set([
  '\\HasChildren',
  '\\HasNoChildren',
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
]);

export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
  {
    where: 'LIST',
    reason:
      'In an extended LIST (selection or return options) Mailport always gives \\HasChildren or ' +
      '\\HasNoChildren and the special-use attributes; Dovecot gives them only when asked with ' +
      'RETURN (CHILDREN) or RETURN (SPECIAL-USE). RFC 5258 §4 and RFC 6154 §2 let a server ' +
      'return both unasked. Same mailboxes, and every attribute Dovecot sends is there too.',
    accepts(dovecot, mailport) {
      const theirs = listAttributes(dovecot);
      const ours = listAttributes(mailport);
      if ([...theirs.keys()].sort().join('\n') !== [...ours.keys()].sort().join('\n')) return false;
      return [...theirs].every(([name, attrs]) => {
        const mine = ours.get(name)!;
        return (
          [...attrs].every((a) => mine.has(a)) &&
          [...mine].every((a) => attrs.has(a) || CHILDREN_AND_SPECIAL_USE.has(a))
        );
      });
    },
  },
  {
    where: 'EXT LIST',
    reason:
      'Once a session asked for STATUS (… RECENT …) through LIST-STATUS, Dovecot lists the ' +
      'mailboxes it counted (INBOX aside) with \\UnMarked. \\Marked and \\UnMarked are ' +
      'optional (RFC 3501 §7.2.2) and Mailport sends neither; STATUS tells the same exactly. ' +
      'Otherwise as for LIST.',
    accepts(dovecot, mailport) {
      const theirs = dovecot.replace(/ ?\\UnMarked/g, '').replace(/\( /g, '(');
      return theirs === mailport || allowed('LIST', theirs, mailport);
    },
  },
  {
    where: 'EXT FETCH BINARY grammar',
    reason:
      'RFC 3516 §4.2: section-binary is part numbers only, and BINARY.SIZE takes no partial. ' +
      'Dovecot also takes BINARY[TEXT], BINARY[1.MIME], BINARY[0] and BINARY.SIZE[1]<0.10>; ' +
      'Mailport answers them BAD, as the grammar says.',
    accepts: (dovecot, mailport) => dovecot === 'OK' && mailport === 'BAD',
  },
  {
    where: 'EXT FETCH BINARY.PEEK[1] BINARY.SIZE[1]',
    reason:
      'Dovecot works BINARY.SIZE out from sizes it keeps per part, and for a few messages of ' +
      'the corpus that is less than the BINARY[1] it sends. RFC 3516 §4.2 defines BINARY.SIZE ' +
      'as the size of that content: Mailport gives its length. Everything else is the same.',
    accepts(dovecot, mailport) {
      const size = /BINARY\.SIZE\[1\] (\d+)\)/;
      const ours = size.exec(mailport)?.[1];
      const literal = /BINARY\[1\] ~?\{(\d+)\}/.exec(mailport)?.[1];
      if (ours === undefined || ours !== literal) return false;
      return dovecot.replace(size, `BINARY.SIZE[1] ${ours})`) === mailport;
    },
  },
  {
    where: 'SEARCH SUBJECT "with language"',
    reason:
      'RFC 2231 §5 allows a language in an encoded word (=?UTF-8*en?Q?with_language?=). ' +
      'Mailport decodes such words; Dovecot 2.3 leaves them undecoded and finds nothing.',
    accepts: (dovecot, mailport) => dovecot === '' && mailport !== '',
  },
  {
    where: 'CONDSTORE',
    reason:
      'A FETCH that sets \\Seen and asks for MODSEQ: Mailport sets the flag before answering and ' +
      'gives the new MODSEQ with the new FLAGS; Dovecot gives the old MODSEQ, then the new one ' +
      'in a second FETCH. Either way the client ends with the flags and MODSEQ the message has.',
    accepts: (dovecot, mailport) =>
      /^\* \d+ FETCH \(MODSEQ \(<m>\)\)$/m.test(dovecot) &&
      dovecot.replace(/^\* \d+ FETCH \(MODSEQ \(<m>\)\)\n/m, '') === mailport,
  },
  {
    where: 'QRESYNC other sessions',
    reason:
      'Once one session has used CONDSTORE or QRESYNC on a mailbox, Dovecot keeps mod-sequences ' +
      'in its index and sends HIGHESTMODSEQ on every later SELECT, also to sessions that did not ' +
      'enable CONDSTORE; Mailport always keeps them and sends HIGHESTMODSEQ to the sessions that ' +
      'enabled CONDSTORE (RFC 7162 §3.1.2.1), as Dovecot does for a mailbox nobody synced yet.',
    accepts: (dovecot, mailport) =>
      /^\* OK \[HIGHESTMODSEQ <m>\] Highest$/m.test(dovecot) &&
      dovecot.replace(/^\* OK \[HIGHESTMODSEQ <m>\] Highest\n/m, '') === mailport,
  },
];

const used = new Set<AllowedDifference>();

/** Whether a reviewed entry accepts this difference (and notes that the entry was needed). */
export function allowed(where: string, dovecot: string, mailport: string): boolean {
  const entry = ALLOWED_DIFFERENCES.find((d) => d.where === where && d.accepts(dovecot, mailport));
  if (entry) used.add(entry);
  return entry !== undefined;
}

/** Entries for these places that accepted nothing: stale, to be removed. */
export function unusedEntries(applies: (where: string) => boolean): string[] {
  return ALLOWED_DIFFERENCES.filter((d) => applies(d.where) && !used.has(d)).map((d) => d.where);
}
