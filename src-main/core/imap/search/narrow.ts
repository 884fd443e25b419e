/**
 * Narrowing a SEARCH with the full-text index (issue 16): which messages certainly fail the
 * program because a TEXT or BODY key they need cannot match. The index answers only "cannot
 * contain" or "may contain"; every message not excluded here is still checked by the matcher
 * (the scan), so answers equal a full scan's whatever the index holds.
 */
import type { MailboxView } from '../mailbox-view.js';
import type { SearchKey } from './keys.js';

type Excluded = (uid: number, wireSize: number) => boolean;

/** A test true for messages that cannot match `key`, or undefined when the index cannot tell. */
export async function textExclusion(
  view: MailboxView,
  key: SearchKey,
): Promise<((uid: number) => boolean) | undefined> {
  const excluded = await excluder(view, key);
  if (!excluded) return undefined;
  return (uid) => {
    const record = view.record(uid);
    return record !== undefined && excluded(uid, record.size);
  };
}

async function excluder(view: MailboxView, key: SearchKey): Promise<Excluded | undefined> {
  switch (key.op) {
    case 'text':
    case 'body': {
      const filter = await view.mailbox.textFilter?.(key.value, key.op);
      return filter && ((uid, size) => !filter.mayContain(uid, size));
    }
    case 'and': {
      // A message fails an AND when it fails any part.
      const parts = (await Promise.all(key.keys.map((k) => excluder(view, k)))).filter(
        (e) => e !== undefined,
      );
      if (parts.length === 0) return undefined;
      return (uid, size) => parts.some((e) => e(uid, size));
    }
    case 'or': {
      // A message fails an OR only when it fails both sides.
      const a = await excluder(view, key.a);
      const b = a && (await excluder(view, key.b));
      return a && b && ((uid, size) => a(uid, size) && b(uid, size));
    }
    default:
      return undefined; // NOT, and keys the index knows nothing about
  }
}
