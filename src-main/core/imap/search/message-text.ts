/**
 * One message's text as SEARCH reads it (RFC 3501 §6.4.4): its header, the decoded values of
 * a header field, the decoded text of its text parts, and every header of it and its parts.
 * Each is worked out once per message and only when a key asks for it. The same class serves
 * the event loop (a stored message, read through the store, header values kept in the
 * metadata cache: `evaluate.ts`) and the scan threads (a file already read: `scan-task.ts`),
 * so both answer with the same code.
 */
import { addressHeader, allHeaderText, bodyTexts, decodedHeader } from '../../mime/search-text.js';
import { parseMessage, type BodyPart } from '../../mime/structure.js';

/** Fields searched by their addresses, not their text (RFC 3501 §6.4.4, as Dovecot). */
const ADDRESS_FIELDS = new Set(['FROM', 'TO', 'CC', 'BCC']);

export abstract class MessageText {
  #header: Buffer | undefined;
  #root: BodyPart | undefined;
  #bodies: string[] | undefined;
  #headers: string | undefined;

  /** The whole message with CRLF line ends. */
  abstract message(): Promise<Buffer>;

  /** The message read so far, if it was read whole. */
  protected abstract get loaded(): Buffer | undefined;

  /** The header through its blank line, without reading the whole message when it can. */
  async header(): Promise<Buffer> {
    if (this.#header) return this.#header;
    const message = this.loaded;
    if (!message) return (this.#header = await this.readHeader());
    const end = message.indexOf('\r\n\r\n');
    return (this.#header = end === -1 ? message : message.subarray(0, end + 4));
  }

  /** The header alone; by default cut from the whole message. */
  protected async readHeader(): Promise<Buffer> {
    const message = await this.message();
    const end = message.indexOf('\r\n\r\n');
    return end === -1 ? message : message.subarray(0, end + 4);
  }

  /** The decoded values of a header field (its addresses for FROM, TO, CC, BCC). */
  async headerValues(field: string): Promise<string[]> {
    return headerValuesOf(await this.header(), field);
  }

  /**
   * The decoded text of each text/* part (also inside message/rfc822 parts), in order: a key
   * that matches in one part need not decode the parts after it.
   */
  async bodies(): Promise<readonly string[]> {
    if (this.#bodies) return this.#bodies;
    const message = await this.message();
    return (this.#bodies = bodyTexts(message, (this.#root ??= parseMessage(message, false))));
  }

  /** Every header of the message and of its parts, decoded (for TEXT). */
  async headers(): Promise<string> {
    if (this.#headers !== undefined) return this.#headers;
    const message = await this.message();
    return (this.#headers = allHeaderText(message, (this.#root ??= parseMessage(message, false))));
  }
}

/** The values a header key searches: addresses written again, or decoded text. */
export function headerValuesOf(header: Buffer, field: string): string[] {
  return (ADDRESS_FIELDS.has(field) ? addressHeader : decodedHeader)(header, field);
}

/** A message whose file was read whole already (a scan thread's). */
export class WireMessageText extends MessageText {
  readonly #wire: Buffer;

  constructor(wire: Buffer) {
    super();
    this.#wire = wire;
  }

  message(): Promise<Buffer> {
    return Promise.resolve(this.#wire);
  }

  protected get loaded(): Buffer {
    return this.#wire;
  }
}
