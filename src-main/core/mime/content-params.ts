/**
 * Content-Type and Content-Disposition values: `type/subtype` (RFC 2045 §5.1) and the
 * `; name=value` parameters with RFC 2231 continuations, merged the way Dovecot's
 * rfc2231-parser does: `name*0`, `name*1`… are joined in index order; if any piece was
 * extended (`name*0*=`) the result is named `name*` and keeps the `charset'lang'%XX` form
 * undecoded (non-extended pieces get `%` escaped as `%25`); a set with a missing index is
 * passed through piece by piece. Plain parameters come first, merged ones after them.
 */
import { NUL_REPLACEMENT, Rfc822Reader } from './rfc822-tokens.js';

export type Param = [name: string, value: string];

/** `type/subtype` at the cursor. Returns the text read ('' when unusable) and the status. */
export function readContentType(r: Rfc822Reader): { value: string; ret: number } {
  if (r.skipLwsp() <= 0) return { value: '', ret: -1 };
  const main = [''];
  if (r.mimeToken(main) <= 0 || main[0] === '') return { value: main[0]!, ret: -1 };
  if (r.peek() !== 0x2f) return { value: '', ret: -1 };
  r.pos++;
  if (r.skipLwsp() <= 0) return { value: '', ret: -1 };
  const sub = [''];
  const ret = r.mimeToken(sub);
  if (ret < 0 || sub[0] === '' || (r.more && r.peek() !== 0x3b)) return { value: '', ret: -1 };
  return { value: `${main[0]}/${sub[0]}`, ret };
}

/** One `; attribute=value`; 0 at the end of input, -1 when broken. */
function readParam(r: Rfc822Reader): { ret: number; key?: string; value?: string } {
  if (!r.more) return { ret: 0 };
  if (r.peek() !== 0x3b) return { ret: -1 };
  r.pos++;
  if (r.skipLwsp() <= 0) return { ret: -1 };
  const key = [''];
  if (r.mimeToken(key) <= 0) return { ret: -1 };
  if (r.peek() !== 0x3d) return { ret: -1 };
  r.pos++;
  const value = [''];
  let ret = r.skipLwsp();
  if (ret <= 0) {
    // broken / no value
  } else if (r.peek() === 0x22) {
    ret = r.quotedString(value);
  } else if (r.peek() === 0x3d) {
    // Broken senders write name==?utf-8?b?…?=: take everything up to ";" or whitespace.
    let text = '';
    while (r.more && !'; \t\r\n'.includes(r.data[r.pos]!)) text += r.data[r.pos++];
    value[0] = text;
  } else {
    ret = r.mimeToken(value);
  }
  return { ret: ret < 0 ? -1 : 1, key: key[0]!, value: value[0]! };
}

interface Piece {
  key: string;
  value: string;
  idx: number;
  extended: boolean;
}

/** Reads all parameters after the value (RFC 2045 §5.1, RFC 2231 §3-4). */
export function readParams(r: Rfc822Reader): Param[] {
  const saved = r.nulReplacement;
  r.nulReplacement = NUL_REPLACEMENT;
  const plain: Param[] = [];
  const pieces: Piece[] = [];
  let idx = 0; // Dovecot keeps the last index for a bare "name*" (no digits)
  for (;;) {
    const p = readParam(r);
    if (p.ret === 0) break;
    if (p.ret < 0) {
      if (!r.more) break;
      r.pos++;
      continue;
    }
    const key = p.key!;
    const star = key.indexOf('*');
    if (star === -1) {
      plain.push([key, p.value!]);
      continue;
    }
    let i = star;
    if (i + 1 < key.length) {
      i++;
      idx = 0;
      for (; i < key.length && key[i]! >= '0' && key[i]! <= '9'; i++)
        idx = idx * 10 + Number(key[i]);
    }
    const extended = key[i] === '*';
    if (extended) i++;
    if (i < key.length) plain.push([key, p.value!]);
    else pieces.push({ key: key.slice(0, star), value: p.value!, idx, extended });
  }
  r.nulReplacement = saved;
  return [...plain, ...mergeContinuations(pieces)];
}

function mergeContinuations(pieces: Piece[]): Param[] {
  pieces.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.idx - b.idx));
  const out: Param[] = [];
  for (let i = 0; i < pieces.length;) {
    let j = i;
    let ok = true;
    let extended = false;
    const lower = pieces[i]!.key.toLowerCase();
    for (let next = 0; j < pieces.length && pieces[j]!.key.toLowerCase() === lower; j++, next++) {
      if (pieces[j]!.idx !== next) ok = false;
      if (pieces[j]!.extended) extended = true;
    }
    const group = pieces.slice(i, j);
    if (!ok) {
      for (const p of group) out.push([`${p.key}*${p.idx}${p.extended ? '*' : ''}`, p.value]);
    } else {
      let value = !group[0]!.extended && extended ? "''" : '';
      for (const p of group)
        value += !p.extended && extended ? p.value.replace(/%/g, '%25') : p.value;
      out.push([extended ? `${group[0]!.key}*` : group[0]!.key, value]);
    }
    i = j;
  }
  return out;
}
