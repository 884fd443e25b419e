/**
 * THREAD algorithm charset search-criteria — RFC 5256 §3; UID THREAD answers with UIDs.
 *
 *   thread          = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
 *   thread-alg      = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext
 *   search-criteria = charset 1*(SP search-key)
 *
 * The search program selects the messages as SEARCH does; the algorithms are in
 * `sort/thread-*.ts`, the response format in `sort/thread-tree.ts`.
 */
import { ArgumentError, astring } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { ok, type CommandResult } from '../response.js';
import { sentDate } from '../sort/criteria.js';
import { messageFacts } from '../sort/message-facts.js';
import { threadByOrderedSubject } from '../sort/thread-ordered-subject.js';
import { threadByReferences } from '../sort/thread-references.js';
import { formatThreads, type ThreadInput, type ThreadTree } from '../sort/thread-tree.js';
import { SELECTED } from '../state.js';
import { matchingMessages, searchCharset } from './search.js';

type Algorithm = (messages: readonly ThreadInput[]) => ThreadTree[];

const ALGORITHMS: ReadonlyMap<string, Algorithm> = new Map([
  ['ORDEREDSUBJECT', threadByOrderedSubject],
  ['REFERENCES', threadByReferences],
]);

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
): Promise<CommandResult> {
  const view = selectedView(ctx);
  const algorithm = ALGORITHMS.get(astring(args[0])?.toUpperCase() ?? '');
  if (!algorithm) throw new ArgumentError('Unknown thread algorithm');
  const charset = searchCharset(args[1], ctx);
  if ('refusal' in charset) return charset.refusal;
  const found = await matchingMessages(view, args.slice(2), charset.decoder);
  const inputs: ThreadInput[] = [];
  const seqs = new Map<number, number>();
  for (const c of found) {
    const record = view.record(c.uid);
    if (!record) continue;
    const facts = await messageFacts(view, c.uid);
    seqs.set(c.uid, c.seq);
    inputs.push({
      ...c,
      date: sentDate({ ...c, record, facts }),
      subject:
        facts.subject === null
          ? null
          : { text: facts.subject, replyOrForward: facts.replyOrForward },
      messageId: facts.messageId,
      references: facts.references,
    });
  }
  const threads = formatThreads(algorithm(inputs), (uid) => (byUid ? uid : seqs.get(uid)!));
  ctx.untagged(`THREAD ${threads}`);
  return ok('Thread completed.');
}

export const thread: ImapCommand = {
  name: 'THREAD',
  states: SELECTED,
  allowsExpunge: false,
  handle: (ctx, args) => run(ctx, args, false),
};

export const uidThread: ImapCommand = {
  name: 'UID THREAD',
  states: SELECTED,
  handle: (ctx, args) => run(ctx, args, true),
};
