/**
 * The SEARCH scan: which of the given messages match a program. Keys the record and the
 * metadata cache answer are settled on the event loop first (`residual`), so only messages
 * that may match are read. The rest go to the store's threads (`Mailbox.matchFiles`: a
 * contiguous slice of messages per job, both cores at once, the event loop free for other
 * sessions meanwhile) running `scan-task.ts`, the same matcher as the event loop's. Where the
 * store has no threads (tests run from source), for a few messages (a thread's round trip
 * costs more), for programs that read only the header (see `readsBody`) and for files a
 * thread could not read (renamed, expunged or too large meanwhile), the event loop reads
 * them itself, as it always did, with the same errors.
 *
 * A full-text index narrows the candidates and hands them here: `scanMessages` is the seam.
 */
import type { MailboxView } from '../mailbox-view.js';
import { matchesFile, type FileKey } from './file-keys.js';
import { residual, StoredMessageText, type Candidate } from './evaluate.js';
import type { SearchKey } from './keys.js';

/** Fewer messages than this to read are read on the event loop (no thread round trip). */
const SCAN_THREAD_MIN_MESSAGES = 32;
/** The module the store's threads run on each file (it exports `matchFile`). */
const SCAN_TASK = new URL('./scan-task.js', import.meta.url).href;

/** The candidates that need their files for the same remaining program, in order. */
interface Run {
  readonly key: FileKey;
  readonly members: Candidate[];
}

/**
 * The candidates that match `key`, in the order given. `candidates` are messages of `view`
 * (all of them, or those an index left), in sequence order.
 */
export async function scanMessages(
  view: MailboxView,
  candidates: readonly Candidate[],
  key: SearchKey,
): Promise<Candidate[]> {
  const hits = new Set<Candidate>();
  const runs = new Runs();
  for (const candidate of candidates) {
    const left = residual(view, candidate, key);
    if (left === true) hits.add(candidate);
    else if (left !== false) runs.add(left, candidate);
  }
  for (const run of runs.all()) for (const hit of await matchRun(view, run)) hits.add(hit);
  return candidates.filter((c) => hits.has(c));
}

/**
 * Candidates grouped by what is left of the program for them: usually one group (the
 * program's own object, `residual` returns it when nothing was folded away), a few when
 * record keys leave different text keys for different messages (`OR (SEEN TEXT a) TEXT b`).
 */
class Runs {
  readonly #byProgram = new Map<string, Run>();
  #last: Run | undefined;

  add(key: FileKey, candidate: Candidate): void {
    let run = this.#last?.key === key ? this.#last : undefined;
    if (!run) {
      const program = JSON.stringify(key);
      run = this.#byProgram.get(program);
      if (!run) this.#byProgram.set(program, (run = { key, members: [] }));
      this.#last = run;
    }
    run.members.push(candidate);
  }

  all(): Iterable<Run> {
    return this.#byProgram.values();
  }
}

/** The members of a run that match its program. */
async function matchRun(view: MailboxView, run: Run): Promise<Candidate[]> {
  const { members, key } = run;
  const threads =
    members.length >= SCAN_THREAD_MIN_MESSAGES && readsBody(key)
      ? view.mailbox.matchFiles(
          members.map((c) => c.uid),
          { module: SCAN_TASK, input: key },
        )
      : undefined;
  if (!threads) return matchHere(view, members, key);
  const { matched, unread } = await threads;
  const found = new Set(matched);
  const left = new Set(unread);
  const readHere = await matchHere(
    view,
    members.filter((c) => left.has(c.uid)),
    key,
  );
  return [...members.filter((c) => found.has(c.uid)), ...readHere];
}

/**
 * Whether the program reads past the header. One that does not stays on the event loop:
 * reading a header costs little, and the values of the fields searched most (FROM, SUBJECT…)
 * are kept in the metadata cache there, so the next search answers without reading at all.
 */
function readsBody(key: FileKey): boolean {
  switch (key.op) {
    case 'body':
    case 'text':
      return true;
    case 'not':
      return readsBody(key.key);
    case 'or':
      return readsBody(key.a) || readsBody(key.b);
    case 'and':
      return key.keys.some(readsBody);
    default:
      return false;
  }
}

async function matchHere(
  view: MailboxView,
  members: readonly Candidate[],
  key: FileKey,
): Promise<Candidate[]> {
  const hits: Candidate[] = [];
  for (const c of members)
    if (await matchesFile(key, new StoredMessageText(view, c.uid))) hits.push(c);
  return hits;
}
