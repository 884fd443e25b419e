/**
 * The Content-* fields of one MIME part (RFC 2045 §5-6, RFC 2183, RFC 3282, RFC 2557,
 * RFC 1864) as Dovecot's message-part-data reads them: the first field of each name counts
 * (Content-Transfer-Encoding: the first valid one; Content-Disposition: the first one with
 * parameters, else the last), values are kept as written (case too), and nothing is decoded.
 */
import type { Param } from './content-params.js';
import { readContentType, readParams } from './content-params.js';
import { headerString } from './envelope.js';
import type { HeaderField } from './header-lines.js';
import { Rfc822Reader } from './rfc822-tokens.js';

export interface Disposition {
  /** As written, e.g. `attachment` (may be '' for a broken field). */
  readonly type: string;
  readonly params: readonly Param[];
}

export interface ContentFields {
  /** null when there is no Content-Type; '' parts when it is unusable. */
  type: string | null;
  subtype: string | null;
  params: Param[];
  id: string | null;
  description: string | null;
  encoding: string | null;
  md5: string | null;
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
}

export const noContentFields = (): ContentFields => ({
  type: null,
  subtype: null,
  params: [],
  id: null,
  description: null,
  encoding: null,
  md5: null,
  disposition: null,
  language: null,
  location: null,
});

export function readContentFields(fields: readonly HeaderField[]): ContentFields {
  const c = noContentFields();
  for (const field of fields) {
    const name = field.key;
    if (!name.startsWith('content-')) continue;
    applyField(c, name.slice(8), field.value);
  }
  return c;
}

function applyField(c: ContentFields, name: string, value: string): void {
  switch (name) {
    case 'id':
      c.id ??= headerString(value);
      break;
    case 'md5':
      c.md5 ??= headerString(value);
      break;
    case 'description':
      c.description ??= headerString(value);
      break;
    case 'location':
      c.location ??= headerString(value);
      break;
    case 'type':
      if (c.type === null) contentType(c, value);
      break;
    case 'transfer-encoding':
      c.encoding ??= transferEncoding(value);
      break;
    case 'language':
      c.language ??= languages(value);
      break;
    case 'disposition':
      if (!c.disposition || c.disposition.params.length === 0)
        c.disposition = disposition(value) ?? c.disposition;
      break;
  }
}

/** RFC 2045 §5.1 `type "/" subtype *(";" parameter)`. */
function contentType(c: ContentFields, value: string): void {
  const r = new Rfc822Reader(value);
  r.skipLwsp();
  const { value: text, ret } = readContentType(r);
  const slash = text.indexOf('/');
  c.type = slash === -1 ? text : text.slice(0, slash);
  c.subtype = slash === -1 ? '' : text.slice(slash + 1);
  if (ret >= 0) c.params = readParams(r);
}

/** RFC 2045 §6.1: a single token, nothing after it. */
function transferEncoding(value: string): string | null {
  const r = new Rfc822Reader(value);
  r.skipLwsp();
  const out = [''];
  if (r.mimeToken(out) >= 0 && r.skipLwsp() === 0 && out[0] !== '') return out[0]!;
  return null;
}

/** RFC 2183 `disposition-type *(";" parameter)`. */
function disposition(value: string): Disposition | null {
  const r = new Rfc822Reader(value);
  r.skipLwsp();
  const out = [''];
  if (r.mimeToken(out) < 0) return null;
  return { type: out[0]!, params: readParams(r) };
}

/** RFC 3282 `1#Language-tag`, read as comma-separated atoms. */
function languages(value: string): string[] | null {
  const r = new Rfc822Reader(value);
  r.skipLwsp();
  const out: string[] = [];
  for (;;) {
    const atom = [''];
    if (r.atom(atom) < 0) break;
    out.push(atom[0]!);
    if (!r.more || r.peek() !== 0x2c) break;
    r.pos++;
    r.skipLwsp();
  }
  return out.length > 0 ? out : null;
}
