/**
 * Message IDs (RFC 5322 §3.6.4 msg-id) as THREAD compares them (RFC 5256 §2.2 "REFERENCES"),
 * read the way Dovecot reads them: each `<…>` holding an "@" is an ID, whitespace inside
 * removed; one with a quoted local part or a comment is parsed as id-left "@" id-right;
 * anything else between "<" and ">" is skipped.
 */

const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\x80-\\xff]";
const CFWS = '(?:[ \\t\\r\\n]|\\((?:[^()\\\\]|\\\\.)*\\))*';
const DOT_ATOM = `${ATEXT}+(?:${CFWS}\\.${CFWS}${ATEXT}+)*`;
/** [CFWS] (quoted-string / dot-atom) "@" [CFWS] dot-atom ">" — the slow path. */
const SLOW_ID = new RegExp(
  `^${CFWS}("(?:[^"\\\\]|\\\\.)*"|${DOT_ATOM})${CFWS}@${CFWS}(${DOT_ATOM})${CFWS}>`,
);

/** Every message ID in a field value (byte string), in order. */
export function messageIds(field: string | undefined): string[] {
  const out: string[] = [];
  if (field === undefined) return out;
  const value: string = field;
  let pos = 0;
  for (;;) {
    const open = value.indexOf('<', pos);
    if (open === -1) return out;
    const start = open + 1;
    const stop = value.slice(start).search(/[>"(]/);
    if (stop === -1) return out;
    const end = start + stop;
    if (value[end] === '>') {
      const id = value.slice(start, end);
      if (id.includes('@')) out.push(id.replace(/[ \t\r\n]/g, ''));
      pos = end + 1;
      continue;
    }
    const m = SLOW_ID.exec(value.slice(start));
    if (m) {
      out.push(`${atomText(m[1]!)}@${atomText(m[2]!)}`);
      pos = start + m[0].length;
    } else {
      pos = start;
    }
  }
}

/** A quoted string's content, or a dot-atom without its comments and whitespace. */
function atomText(text: string): string {
  if (text.startsWith('"')) return text.slice(1, -1).replace(/\\(.)/g, '$1');
  return text.replace(/\((?:[^()\\]|\\.)*\)/g, '').replace(/[ \t\r\n]/g, '');
}
