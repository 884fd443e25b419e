/**
 * The base subject of RFC 5256 §2.1, as Dovecot extracts it: encoded words decoded (RFC 2047),
 * the text title-cased and decomposed so that comparison ignores case, runs of whitespace
 * made one space, then subject trailers ("(fwd)", spaces), leaders ("Re:", "Fwd:", "[blob]")
 * and the "[fwd: …]" wrapper removed until none is left.
 */
import { decodeHeaderText } from './header-text.js';

export interface BaseSubject {
  readonly text: string;
  /** A reply or forward marker was removed (RFC 5256 §2.1 step 7, used by THREAD). */
  readonly replyOrForward: boolean;
}

/** `value` is the unfolded header value as a byte string. */
export function baseSubject(value: string): BaseSubject {
  // (1) decode, then every whitespace run becomes one space.
  let s = decodeHeaderText(value, true).replace(/[ \t\r\n]+/g, ' ');
  let marked = false;
  for (;;) {
    // (2) subj-trailer = "(fwd)" / WSP, removed from the end until none is left.
    for (;;) {
      if (s.endsWith(' ')) s = s.slice(0, -1);
      else if (s.endsWith('(FWD)')) [s, marked] = [s.slice(0, -5), true];
      else break;
    }
    // (3)-(5) subj-leader and a leading subj-blob, until neither matches.
    for (;;) {
      const leader = withoutLeader(s);
      if (leader.marked) marked = true;
      s = leader.rest;
      const blob = afterBlob(s);
      if (blob !== undefined && blob !== '') s = blob;
      else if (!leader.found) break;
    }
    // (6) "[fwd:" subject "]"
    if (!(s.startsWith('[FWD:') && s.endsWith(']'))) break;
    s = s.slice(5, -1);
    marked = true;
  }
  return { text: s, replyOrForward: marked };
}

/** subj-blob = "[" *BLOBCHAR "]" *WSP; the text after it, or undefined. */
function afterBlob(s: string): string | undefined {
  if (!s.startsWith('[')) return undefined;
  const close = s.slice(1).search(/[[\]]/);
  if (close === -1 || s[close + 1] !== ']') return undefined;
  const rest = s.slice(close + 2);
  return rest.startsWith(' ') ? rest.slice(1) : rest;
}

/** subj-leader = (*subj-blob subj-refwd) / WSP, subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":" */
function withoutLeader(input: string): { rest: string; found: boolean; marked: boolean } {
  let s = input;
  let found = false;
  if (s.startsWith(' ')) [s, found] = [s.slice(1), true];
  const unchanged = { rest: s, found, marked: false };
  let r: string | undefined = s;
  while (r.startsWith('[')) {
    r = afterBlob(r);
    if (r === undefined) return unchanged;
  }
  const word = /^(RE|FWD|FW)/.exec(r)?.[1];
  if (!word) return unchanged;
  r = r.slice(word.length);
  if (r.startsWith(' ')) r = r.slice(1);
  if (r.startsWith('[')) {
    r = afterBlob(r);
    if (r === undefined) return unchanged;
  }
  if (!r.startsWith(':')) return unchanged;
  return { rest: r.slice(1), found: true, marked: true };
}
