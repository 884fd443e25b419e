/**
 * SPECIAL-USE (RFC 6154): which mailbox is Sent, Drafts, Trash, Junk or Archive. Recognised from
 * the names common clients and servers create (top level, any case); the standard names are
 * created on first login when none of a kind exists.
 */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

const KNOWN: readonly [SpecialUse, string, readonly string[]][] = [
  [
    '\\Sent',
    'Sent',
    [
      'sent',
      'sent items',
      'sent messages',
      'sent mail',
      'gesendet',
      'gesendete objekte',
      'envoyés',
      'elementos enviados',
    ],
  ],
  ['\\Drafts', 'Drafts', ['drafts', 'draft', 'entwürfe', 'brouillons', 'borradores']],
  [
    '\\Trash',
    'Trash',
    ['trash', 'deleted items', 'deleted messages', 'bin', 'papierkorb', 'corbeille', 'papelera'],
  ],
  ['\\Junk', 'Junk', ['junk', 'spam', 'junk e-mail', 'junk email', 'bulk mail', 'spam-verdacht']],
  ['\\Archive', 'Archive', ['archive', 'archives', 'archiv']],
];

/** The special use of each name, for the first name of each kind found (in list order). */
export function specialUses(names: readonly string[]): Map<string, SpecialUse> {
  const result = new Map<string, SpecialUse>();
  for (const [use, , aliases] of KNOWN) {
    const found = names.find((n) => !n.includes('/') && aliases.includes(n.toLowerCase()));
    if (found) result.set(found, use);
  }
  return result;
}

/** Standard names of the kinds that `names` has none of. */
export function missingSpecialUse(names: readonly string[]): string[] {
  const present = new Set(specialUses(names).values());
  return KNOWN.filter(([use]) => !present.has(use)).map(([, standard]) => standard);
}

/** Creates Sent, Drafts, Trash, Junk and Archive where no mailbox of that kind exists. */
export async function ensureSpecialUseMailboxes(store: {
  listMailboxes(): Promise<{ name: string }[]>;
  createMailbox(name: string): Promise<void>;
}): Promise<void> {
  const names = (await store.listMailboxes()).map((m) => m.name);
  for (const name of missingSpecialUse(names)) {
    await store.createMailbox(name).catch(() => undefined); // created meanwhile, or read-only
  }
}
