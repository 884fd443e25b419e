/**
 * The bytes of a FETCH body section (RFC 3501 §6.4.5), cut from the message by the offsets the
 * MIME parser found. Whole-message sections are streamed instead (see fetch.ts).
 */
import { findPart, parseMessage } from '../../mime/structure.js';
import { headerFields } from '../../mime/header-fields.js';
import type { SectionItem } from './items.js';

/** The section's bytes before any <partial> cut; empty when the part does not exist. */
export function sectionBytes(message: Buffer, item: SectionItem): Buffer {
  const root = parseMessage(message);
  const target = findPart(root, item.part);
  if (!target) return Buffer.alloc(0);
  if (item.text === 'MIME') return message.subarray(target.headerStart, target.bodyStart);
  if (!item.text) return message.subarray(target.bodyStart, target.bodyEnd);
  // HEADER / TEXT of a part apply to the message a message/rfc822 part encapsulates.
  const scope = item.part.length === 0 ? root : target.message?.body;
  if (!scope) return Buffer.alloc(0);
  const header = message.subarray(scope.headerStart, scope.bodyStart);
  switch (item.text) {
    case 'HEADER':
      return header;
    case 'TEXT':
      return message.subarray(scope.bodyStart, scope.bodyEnd);
    default:
      return headerFields(header, item.fields ?? [], item.text === 'HEADER.FIELDS.NOT');
  }
}

/** Applies `<start.length>`; RFC 3501: an origin past the end gives an empty string. */
export function cut(bytes: Buffer, partial: SectionItem['partial']): Buffer {
  if (!partial) return bytes;
  return bytes.subarray(
    Math.min(partial.start, bytes.length),
    Math.min(partial.start + partial.length, bytes.length),
  );
}
