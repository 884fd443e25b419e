/**
 * RFC 5322 §3.4 address lists as IMAP's ENVELOPE wants them (RFC 3501 §7.4.2): each mailbox as
 * name, route, local part and domain; a group as a start marker (local part = group name), its
 * members, and an end marker. Display names keep their MIME words undecoded, as Dovecot does.
 */
export interface EnvelopeAddress {
  readonly name: string | null;
  readonly adl: string | null;
  readonly mailbox: string | null;
  readonly host: string | null;
}

type Token = { kind: 'word' | 'quoted' | 'comment' | 'special'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/[ \t\r\n]/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let out = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        out += text[i++];
      }
      i++;
      tokens.push({ kind: 'quoted', text: out });
    } else if (ch === '(') {
      let depth = 0;
      let out = '';
      for (; i < text.length; i++) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          out += text[++i];
          continue;
        }
        if (c === '(') depth++;
        if (c === ')') depth--;
        if ((c !== '(' || depth > 1) && (c !== ')' || depth > 0)) out += c;
        if (depth === 0) break;
      }
      i++;
      tokens.push({ kind: 'comment', text: out });
    } else if ('<>@,;:.[]'.includes(ch)) {
      tokens.push({ kind: 'special', text: ch });
      i++;
    } else {
      const start = i;
      while (i < text.length && !/[ \t\r\n"(<>@,;:.[\]]/.test(text[i]!)) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i) });
    }
  }
  return tokens;
}

/** Parses an address-list header value (unfolded). Garbage yields what can be recovered. */
export function parseAddressList(text: string): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  const end: EnvelopeAddress = { name: null, adl: null, mailbox: null, host: null };
  let current: Token[] = [];
  let angle = false;
  let inGroup = false;
  const flush = (): void => {
    const address = mailbox(current);
    if (address) out.push(address);
    current = [];
  };
  for (const t of tokenize(text)) {
    if (t.kind === 'special') {
      if (t.text === '<') angle = true;
      if (t.text === '>') angle = false;
      if (!angle && t.text === ',') {
        flush();
        continue;
      }
      const hasAngle = current.some((c) => c.kind === 'special' && c.text === '<');
      if (!angle && t.text === ':' && !inGroup && !hasAngle) {
        out.push({ name: null, adl: null, mailbox: phrase(current) ?? '', host: null });
        current = [];
        inGroup = true;
        continue;
      }
      if (!angle && t.text === ';' && inGroup) {
        flush();
        out.push(end);
        inGroup = false;
        continue;
      }
    }
    current.push(t);
  }
  flush();
  if (inGroup) out.push(end);
  return out;
}

function phrase(tokens: Token[]): string | null {
  const words = tokens.filter(
    (t) => t.kind === 'word' || t.kind === 'quoted' || (t.kind === 'special' && t.text === '.'),
  );
  if (words.length === 0) return null;
  let out = '';
  for (const [index, t] of words.entries()) {
    if (t.kind === 'special') out += '.';
    else out += (index > 0 && words[index - 1]!.kind !== 'special' ? ' ' : '') + t.text;
  }
  return out;
}

function mailbox(tokens: Token[]): EnvelopeAddress | undefined {
  if (tokens.length === 0) return undefined;
  const open = tokens.findIndex((t) => t.kind === 'special' && t.text === '<');
  if (open !== -1) {
    const close = tokens.findIndex((t, i) => i > open && t.kind === 'special' && t.text === '>');
    const inner = tokens.slice(open + 1, close === -1 ? tokens.length : close);
    const route = inner.findIndex((t) => t.kind === 'special' && t.text === ':');
    const adl = route === -1 ? null : join(inner.slice(0, route));
    const spec = addrSpec(route === -1 ? inner : inner.slice(route + 1));
    const name = phrase(tokens.slice(0, open));
    return { name, adl: adl || null, ...spec };
  }
  const spec = addrSpec(tokens.filter((t) => t.kind !== 'comment'));
  const comment = tokens.find((t) => t.kind === 'comment');
  return { name: comment?.text.trim() || null, adl: null, ...spec };
}

/** Dovecot's placeholders for the half of an address that is missing. */
const MISSING_MAILBOX = 'MISSING_MAILBOX';
const MISSING_DOMAIN = 'MISSING_DOMAIN';

function addrSpec(tokens: Token[]): { mailbox: string; host: string } {
  const at = tokens.findIndex((t) => t.kind === 'special' && t.text === '@');
  const local = join(at === -1 ? tokens : tokens.slice(0, at));
  const domain = at === -1 ? '' : join(tokens.slice(at + 1));
  return { mailbox: local || MISSING_MAILBOX, host: domain || MISSING_DOMAIN };
}

function join(tokens: Token[]): string {
  return tokens
    .filter((t) => t.kind !== 'comment')
    .map((t) => t.text)
    .join('');
}
