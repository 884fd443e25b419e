/**
 * What a store's scan thread runs on each message file for SEARCH (`scan.ts` names this
 * module to `Mailbox.matchFiles`): the file in wire form, matched against the keys that need
 * the file by the same `matchesFile` the event loop runs.
 */
import { matchesFile, type FileKey } from './file-keys.js';
import { WireMessageText } from './message-text.js';

export function matchFile(
  file: Buffer,
  toWire: (file: Buffer) => Buffer,
  key: FileKey,
): Promise<boolean> {
  return matchesFile(key, new WireMessageText(toWire(file)));
}
