/**
 * LIST — RFC 3501 §6.3.8, with RFC 5258 LIST-EXTENDED (selection options SUBSCRIBED, REMOTE,
 * RECURSIVEMATCH, SPECIAL-USE; return options SUBSCRIBED, CHILDREN, SPECIAL-USE; several
 * patterns), RFC 3348 CHILDREN and RFC 6154 SPECIAL-USE attributes, and RFC 5819 LIST-STATUS.
 *
 *   list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
 *   return-option =/ "STATUS" SP "(" status-att *(SP status-att) ")"   ; RFC 5819 §6
 */
import { ArgumentError, astring, utf8Astring } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { MAX_LIST_PATTERN_CHARS } from '../limits.js';
import { parentsOf, patternMatcher } from '../mailbox-pattern.js';
import type { Token } from '../parser.js';
import { ok, type CommandResult } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { decodeModifiedUtf7 } from '../../store/mailbox-name.js';
import { specialUses } from '../../store/special-use.js';
import { statusItems, statusLine } from '../status-items.js';
import { StoreError } from '../../store/errors.js';
import { loggedIn } from './mailboxes.js';
import { utf8Names, wireMailboxName, type EnabledExtensions } from '../utf8-accept.js';

/** RFC 5258 §3 selection options and §4 return options this server implements. */
const SELECTION_OPTIONS = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const RETURN_OPTIONS = new Set(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE', 'STATUS']);
/** RFC 5258 §3.5: the extended data item RECURSIVEMATCH adds to a parent (tag as Dovecot writes it). */
const CHILDINFO_SUBSCRIBED = ' (CHILDINFO ("SUBSCRIBED"))';

interface ListRequest {
  readonly patterns: string[];
  readonly select: Set<string>;
  readonly returns: Set<string>;
  /** RFC 5819: the STATUS items to send after each selectable mailbox's LIST line. */
  readonly status?: ReadonlySet<string>;
  readonly extended: boolean;
}

export const list: ImapCommand = {
  name: 'LIST',
  states: AUTHENTICATED,
  handle: (ctx, args) => runList(ctx, parseList(args, ctx), 'LIST'),
};

export const lsub: ImapCommand = {
  name: 'LSUB',
  states: AUTHENTICATED,
  handle(ctx, args) {
    const request = parseList(args, ctx);
    if (request.extended) throw new ArgumentError('LSUB takes no options');
    return runList(ctx, { ...request, select: new Set(['SUBSCRIBED']) }, 'LSUB');
  },
};

function parseList(args: readonly Token[], session: EnabledExtensions): ListRequest {
  let rest = [...args];
  const select = new Set<string>();
  const returns = new Set<string>();
  let status: ReadonlySet<string> | undefined;
  let extended = false;
  const options = rest[0];
  if (options?.type === 'list') {
    extended = true;
    rest.shift();
    for (const t of options.items) select.add(word(t));
  }
  const reference = nameText(rest[0], session);
  const patternToken = rest[1];
  if (reference === undefined || !patternToken)
    throw new ArgumentError('Usage: LIST reference pattern');
  const rawPatterns =
    patternToken.type === 'list'
      ? patternToken.items.map((t) => nameText(t, session) ?? '')
      : [nameText(patternToken, session) ?? ''];
  if (patternToken.type === 'list') extended = true;
  rest = rest.slice(2);
  if (rest.length) {
    if (rest.length !== 2 || word(rest[0]!) !== 'RETURN' || rest[1]!.type !== 'list') {
      throw new ArgumentError('Expected RETURN (options)');
    }
    extended = true;
    const items = rest[1]!.items;
    for (let i = 0; i < items.length; i++) {
      const option = word(items[i]!);
      returns.add(option);
      if (option === 'STATUS') status = statusItems(items[++i], session);
    }
  }
  checkOptions(select, returns);
  const patterns = rawPatterns.map((p) => {
    if (reference.length + p.length > MAX_LIST_PATTERN_CHARS)
      throw new ArgumentError(`Mailbox pattern longer than ${MAX_LIST_PATTERN_CHARS} characters`);
    if (utf8Names(session)) return reference + p; // RFC 6855 §3, RFC 9051 §5.1: already Unicode
    try {
      return decodeModifiedUtf7(reference + p);
    } catch {
      throw new ArgumentError('Invalid mailbox pattern');
    }
  });
  return { patterns, select, returns, status, extended };
}

/** The reference or a pattern: UTF-8 under UTF8=ACCEPT or IMAP4rev2, else modified UTF-7. */
function nameText(token: Token | undefined, session: EnabledExtensions): string | undefined {
  return utf8Names(session) ? utf8Astring(token) : astring(token);
}

/**
 * RFC 5258 §3: an unknown option is BAD, and RECURSIVEMATCH needs another selection option
 * besides REMOTE (it says which children to look for).
 */
function checkOptions(select: ReadonlySet<string>, returns: ReadonlySet<string>): void {
  const unknownSelect = [...select].find((o) => !SELECTION_OPTIONS.has(o));
  if (unknownSelect)
    throw new ArgumentError(`Unknown selection option ${unknownSelect.slice(0, 40)}`);
  const unknownReturn = [...returns].find((o) => !RETURN_OPTIONS.has(o));
  if (unknownReturn) throw new ArgumentError(`Unknown return option ${unknownReturn.slice(0, 40)}`);
  if (
    select.has('RECURSIVEMATCH') &&
    ![...select].some((o) => o !== 'RECURSIVEMATCH' && o !== 'REMOTE')
  )
    throw new ArgumentError('RECURSIVEMATCH must not be the only selection option');
}

function word(token: Token): string {
  if (token.type !== 'atom') throw new ArgumentError('Expected an option name');
  return token.value.toUpperCase();
}

async function runList(
  ctx: ImapContext,
  request: ListRequest,
  verb: 'LIST' | 'LSUB',
): Promise<CommandResult> {
  const { store } = loggedIn(ctx);
  // The hierarchy delimiter (RFC 3501 §6.3.8) for the basic LIST only: Dovecot gives an
  // extended LIST with the empty pattern (RFC 5258 §3) nothing to match.
  if (request.patterns.length === 1 && request.patterns[0] === '' && verb === 'LIST') {
    if (request.extended) return ok('List completed.');
    ctx.untagged('LIST (\\Noselect) "/" ""'); // RFC 3501: the hierarchy delimiter
    return ok('List completed.');
  }
  const existing = (await store.listMailboxes()).map((m) => m.name);
  const exists = new Set(existing);
  const subscribed = new Set(await store.subscriptions());
  const uses = specialUses(existing);
  const all = new Set<string>(existing);
  for (const name of [...existing, ...subscribed])
    for (const parent of parentsOf(name)) all.add(parent);
  if (request.select.has('SUBSCRIBED')) for (const name of subscribed) all.add(name);
  const matchers = request.patterns.map(patternMatcher);
  const matches = (name: string): boolean => matchers.some((m) => m(name));
  const wantSubscribedFlag = request.select.has('SUBSCRIBED') || request.returns.has('SUBSCRIBED');
  const names = [...all].sort(byInboxFirst);
  for (const name of names) {
    if (!matches(name)) continue;
    if (verb === 'LSUB') {
      const attrs = lsubAttributes(name, subscribed, uses.get(name), matches);
      if (attrs) ctx.untagged(`LSUB (${attrs.join(' ')}) "/" ${wireMailboxName(name, ctx)}`);
      continue;
    }
    // RFC 5258 §3.5: with RECURSIVEMATCH, a name with subscribed descendants the patterns do
    // not reach is listed with CHILDINFO (whether or not it is subscribed itself).
    const childInfo =
      request.select.has('RECURSIVEMATCH') &&
      request.select.has('SUBSCRIBED') &&
      [...subscribed].some((s) => s.startsWith(`${name}/`) && !matches(s));
    if (request.select.has('SUBSCRIBED') && !subscribed.has(name) && !childInfo) continue;
    if (request.select.has('SPECIAL-USE') && !uses.has(name)) continue;
    const attrs: string[] = [];
    if (!exists.has(name)) attrs.push(request.extended ? '\\NonExistent' : '\\Noselect');
    const hasChildren = names.some((n) => n.startsWith(`${name}/`) && exists.has(n));
    attrs.push(hasChildren ? '\\HasChildren' : '\\HasNoChildren');
    if (wantSubscribedFlag && subscribed.has(name)) attrs.push('\\Subscribed');
    const use = uses.get(name);
    if (use) attrs.push(use);
    const extra = childInfo ? CHILDINFO_SUBSCRIBED : '';
    ctx.untagged(`LIST (${attrs.join(' ')}) "/" ${wireMailboxName(name, ctx)}${extra}`);
    if (request.status && exists.has(name)) await sendStatus(ctx, name, request.status);
  }
  return ok(`${verb === 'LIST' ? 'List' : 'Lsub'} completed.`);
}

/**
 * The LIST response SELECT and EXAMINE send an IMAP4rev2 session (RFC 9051 §6.3.2), with the
 * attributes a basic LIST gives the mailbox: children and special use.
 */
export async function selectedListLine(ctx: ImapContext, name: string): Promise<string> {
  const existing = (await loggedIn(ctx).store.listMailboxes()).map((m) => m.name);
  const hasChildren = existing.some((n) => n.startsWith(`${name}/`));
  const attrs = [hasChildren ? '\\HasChildren' : '\\HasNoChildren'];
  const use = specialUses(existing).get(name);
  if (use) attrs.push(use);
  return `LIST (${attrs.join(' ')}) "/" ${wireMailboxName(name, ctx)}`;
}

/**
 * RFC 5819 §2: the STATUS of a selectable mailbox right after its LIST line. A mailbox that
 * vanished in between gets no STATUS line, as the RFC asks for any error here.
 */
async function sendStatus(
  ctx: ImapContext,
  name: string,
  items: ReadonlySet<string>,
): Promise<void> {
  try {
    ctx.untagged(statusLine(name, items, await loggedIn(ctx).store.counts(name), ctx));
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'NOT_FOUND')) throw err;
  }
}

/**
 * LSUB's attributes for a name, or undefined when LSUB leaves it out (RFC 3501 §6.3.9): a
 * subscribed name (whether or not the mailbox still exists), or a name that is not subscribed
 * but has subscribed descendants the pattern does not reach ("%"), flagged \Noselect. Special
 * use attributes (RFC 6154) as in LIST, as Dovecot does.
 */
function lsubAttributes(
  name: string,
  subscribed: ReadonlySet<string>,
  use: string | undefined,
  matches: (name: string) => boolean,
): string[] | undefined {
  const attrs: string[] = [];
  if (!subscribed.has(name)) {
    const below = [...subscribed].some((s) => s.startsWith(`${name}/`) && !matches(s));
    if (!below) return undefined;
    attrs.push('\\Noselect');
  }
  if (use) attrs.push(use);
  return attrs;
}

function byInboxFirst(a: string, b: string): number {
  if (a === 'INBOX') return -1;
  if (b === 'INBOX') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
