/** Command tags: what the server accepts and echoes in its tagged replies. */
import { MAX_TAG_CHARS } from './limits.js';

/** tag = 1*<any ASTRING-CHAR except "+"> (RFC 3501 §9): no CTL, SP, 8-bit, atom-specials but "]". */
const TAG = /^[^\x00-\x20\x7f-\xff(){%*"\\+]+$/;

export function isTag(text: string): boolean {
  return text.length <= MAX_TAG_CHARS && TAG.test(text);
}
