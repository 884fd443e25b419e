/**
 * SORT (sort-criteria) charset search-criteria — RFC 5256 §3; UID SORT answers with UIDs.
 *
 *   sort            = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
 *   search-criteria = charset 1*(SP search-key)
 *   sort-data       = "SORT" *(SP nz-number)
 *
 * The search program selects as SEARCH does; the selected messages are then ordered by the
 * criteria (see `sort/criteria.ts`), ties by sequence number.
 */
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { ok, type CommandResult } from '../response.js';
import { compareItems, parseCriteria, type SortItem } from '../sort/criteria.js';
import { messageFacts } from '../sort/message-facts.js';
import { SELECTED } from '../state.js';
import { matchingMessages, searchCharset } from './search.js';

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
): Promise<CommandResult> {
  const view = selectedView(ctx);
  const criteria = parseCriteria(args[0]);
  const charset = searchCharset(args[1], ctx);
  if ('refusal' in charset) return charset.refusal;
  const found = await matchingMessages(view, args.slice(2), charset.decoder);
  const items: SortItem[] = [];
  for (const c of found) {
    const record = view.record(c.uid);
    if (record) items.push({ ...c, record, facts: await messageFacts(view, c.uid) });
  }
  items.sort((a, b) => compareItems(criteria, a, b));
  ctx.untagged(`SORT${items.map((i) => ` ${byUid ? i.uid : i.seq}`).join('')}`);
  return ok('Sort completed.');
}

export const sort: ImapCommand = {
  name: 'SORT',
  states: SELECTED,
  allowsExpunge: false,
  handle: (ctx, args) => run(ctx, args, false),
};

export const uidSort: ImapCommand = {
  name: 'UID SORT',
  states: SELECTED,
  handle: (ctx, args) => run(ctx, args, true),
};
