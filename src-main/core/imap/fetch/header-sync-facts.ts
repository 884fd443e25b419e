/**
 * What a phone's header sync asks of every message (ENVELOPE, BODYSTRUCTURE, BODY: RFC 3501
 * §7.4.2), written once from one parse and kept in the store's metadata cache under these
 * keys. The store's background indexer runs `messageFacts` in worker threads on messages no
 * client asked for yet; FETCH computes the same text itself for a message not indexed yet,
 * so a client gets the same bytes either way.
 */
import { envelopeOf } from '../../mime/envelope.js';
import { parseLfMessage, parseMessage, type BodyPart } from '../../mime/structure.js';
import { formatBodyStructure } from '../format/bodystructure.js';
import { formatEnvelope } from '../format/envelope.js';

const CR = 0x0d;
/** Part of the cache keys: bump it when the formatters change, and old entries are ignored. */
const FORMAT_VERSION = 1;

export const ENVELOPE_KEY = `envelope/${FORMAT_VERSION}`;
export const BODYSTRUCTURE_KEY = `bodystructure/${FORMAT_VERSION}`;
export const BODY_KEY = `body/${FORMAT_VERSION}`;
/** The keys `messageFacts` fills: a message with all of them needs no parse for a header sync. */
export const HEADER_SYNC_KEYS: readonly string[] = [ENVELOPE_KEY, BODYSTRUCTURE_KEY, BODY_KEY];

/** ENVELOPE, BODYSTRUCTURE and BODY of a message in wire form (CRLF), from one parse. */
export function messageFacts(message: Buffer): Record<string, string> {
  return factsOf(parseMessage(message), headerOf(message));
}

/**
 * The same facts from a file as stored: one with bare LF line ends and no CR at all is parsed
 * as it is (its wire sizes follow from its line counts), anything else in wire form.
 */
export function fileFacts(file: Buffer, toWire: (file: Buffer) => Buffer): Record<string, string> {
  if (file.indexOf(CR) !== -1) return messageFacts(toWire(file));
  const end = file.indexOf('\n\n');
  return factsOf(parseLfMessage(file), end === -1 ? file : file.subarray(0, end + 2));
}

function factsOf(structure: BodyPart, header: Buffer): Record<string, string> {
  return {
    [ENVELOPE_KEY]: formatEnvelope(envelopeOf(header)),
    [BODYSTRUCTURE_KEY]: formatBodyStructure(structure, true),
    [BODY_KEY]: formatBodyStructure(structure, false),
  };
}

/** The header through the blank line that ends it (the whole message if there is none). */
export function headerOf(message: Buffer): Buffer {
  const end = message.indexOf('\r\n\r\n');
  return end === -1 ? message : message.subarray(0, end + 4);
}
