/**
 * BODY and BODYSTRUCTURE (RFC 3501 §7.4.2) written as Dovecot 2.3 writes them
 * (lib-imap/imap-bodystructure.c). Basic fields: type, subtype, parameters (NIL when none),
 * id, description, encoding, size; text parts add their line count; message/rfc822 adds the
 * envelope, the encapsulated body and its line count. BODYSTRUCTURE (extended) adds md5,
 * disposition, language and location (multiparts: parameters, disposition, language,
 * location). A multipart without parts is written with one empty text/plain part, as Dovecot
 * does, since RFC 3501 requires at least one. The result is a byte string.
 */
import type { BodyPart, Param } from '../../mime/structure.js';
import { envelopeFields } from './envelope.js';
import { nstring, nstringNoLf } from './imap-string.js';

const EMPTY_BODY = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)';
const EMPTY_BODYSTRUCTURE =
  '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)';

export function formatBodyStructure(p: BodyPart, extended: boolean): string {
  return `(${partFields(p, extended)})`;
}

function partFields(p: BodyPart, extended: boolean): string {
  return p.kind === 'multipart' ? multipart(p, extended) : single(p, extended);
}

function multipart(p: BodyPart, extended: boolean): string {
  const children =
    p.children.length > 0
      ? p.children.map((c) => formatBodyStructure(c, extended)).join('')
      : extended
        ? EMPTY_BODYSTRUCTURE
        : EMPTY_BODY;
  const basic = `${children} ${nstring(p.subtype)}`;
  if (!extended) return basic;
  return `${basic} ${params(p.params)} ${extension(p)}`;
}

function single(p: BodyPart, extended: boolean): string {
  const fields = [
    nstring(p.type),
    nstring(p.subtype),
    params(p.params),
    nstringNoLf(p.id),
    nstringNoLf(p.description),
    nstring(p.encoding),
    String(p.size),
  ];
  if (p.kind === 'text') fields.push(String(p.lines));
  if (p.kind === 'message' && p.message) {
    fields.push(
      `(${envelopeFields(p.message.envelope)})`,
      formatBodyStructure(p.message.body, extended),
      String(p.lines),
    );
  }
  if (extended) fields.push(nstringNoLf(p.md5), extension(p));
  return fields.join(' ');
}

/** `("name" "value" …)` or NIL. */
function params(list: readonly Param[]): string {
  if (list.length === 0) return 'NIL';
  return `(${list.map(([name, value]) => `${nstring(name)} ${nstring(value)}`).join(' ')})`;
}

/** disposition, language, location (RFC 3501 §7.4.2 body-ext-1part / body-ext-mpart). */
function extension(p: BodyPart): string {
  const disposition = p.disposition
    ? `(${nstring(p.disposition.type)} ${params(p.disposition.params)})`
    : 'NIL';
  const language = p.language ? `(${p.language.map(nstring).join(' ')})` : 'NIL';
  return `${disposition} ${language} ${nstringNoLf(p.location)}`;
}
