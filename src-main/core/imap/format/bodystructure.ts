/**
 * BODY and BODYSTRUCTURE in IMAP syntax (RFC 3501 §7.4.2): basic fields, text line counts,
 * message/rfc822 envelope and body, and (for BODYSTRUCTURE) the extension data.
 */
import type { BodyPart } from '../../mime/structure.js';
import { formatEnvelope } from './envelope.js';
import { nstring } from './imap-string.js';

export function formatBodyStructure(part: BodyPart, extended: boolean): string {
  if (part.children.length > 0) {
    const children = part.children.map((c) => formatBodyStructure(c, extended)).join('');
    const ext = extended
      ? ` ${paramList(part.params)} ${disposition(part)} ${language(part)} ${nstring(part.location)}`
      : '';
    return `(${children} ${nstring(part.subtype)}${ext})`;
  }
  const fields = [
    nstring(part.type),
    nstring(part.subtype),
    paramList(part.params),
    nstring(part.id),
    nstring(part.description),
    nstring(part.encoding),
    String(part.size),
  ];
  if (part.message) {
    fields.push(
      formatEnvelope(part.message.envelope),
      formatBodyStructure(part.message.body, extended),
      String(part.lines),
    );
  } else if (part.type.toLowerCase() === 'text') {
    fields.push(String(part.lines));
  }
  if (extended)
    fields.push(nstring(part.md5), disposition(part), language(part), nstring(part.location));
  return `(${fields.join(' ')})`;
}

function paramList(params: readonly [string, string][]): string {
  if (params.length === 0) return 'NIL';
  return `(${params.map(([k, v]) => `${nstring(k)} ${nstring(v)}`).join(' ')})`;
}

function disposition(part: BodyPart): string {
  if (!part.disposition) return 'NIL';
  return `(${nstring(part.disposition.type)} ${paramList(part.disposition.params)})`;
}

function language(part: BodyPart): string {
  if (!part.language || part.language.length === 0) return 'NIL';
  if (part.language.length === 1) return nstring(part.language[0]!);
  return `(${part.language.map((l) => nstring(l)).join(' ')})`;
}
