/**
 * Builds one `* n FETCH (…)` response as output parts: text, and body sections as literals
 * (whole messages streamed from disk with a known length).
 */
import { BODY_KEY, BODYSTRUCTURE_KEY, ENVELOPE_KEY, messageFacts } from './header-sync-facts.js';
import { formatDateTime } from '../date-time.js';
import type { MailboxView } from '../mailbox-view.js';
import { flagList, type OutputPart } from '../response.js';
import type { FetchItem, SectionItem } from './items.js';
import { cut, sectionBytes } from './section.js';
import { binaryContent, binaryLiteral, UnknownCteError } from './binary.js';

/**
 * Whole messages up to this wire size are read in one go and sent as one buffer; larger ones
 * are streamed from disk (never held in memory).
 */
const READ_WHOLE_MAX = 1024 * 1024;

export async function fetchResponse(
  view: MailboxView,
  uid: number,
  items: readonly FetchItem[],
): Promise<OutputPart[]> {
  const record = view.record(uid)!;
  let message: Buffer | undefined;
  const load = async (): Promise<Buffer> => (message ??= await view.mailbox.readMessage(uid));
  const out: OutputPart[] = [`* ${view.seqOf(uid)!} FETCH (`];
  for (const [index, item] of items.entries()) {
    if (index > 0) out.push(' ');
    switch (item.kind) {
      case 'UID':
        out.push(`UID ${uid}`);
        break;
      case 'FLAGS':
        out.push(`FLAGS ${flagList(view.flags(uid))}`);
        break;
      case 'INTERNALDATE':
        out.push(`INTERNALDATE ${formatDateTime(record.internalDate)}`);
        break;
      case 'RFC822.SIZE':
        out.push(`RFC822.SIZE ${record.size}`);
        break;
      case 'MODSEQ':
        out.push(`MODSEQ (${record.modseq})`);
        view.noteModseqSent(record.modseq);
        break;
      case 'ENVELOPE': {
        const text = await view.mailbox.cachedAll(uid, ENVELOPE_KEY, async () =>
          messageFacts(await load()),
        );
        out.push(`ENVELOPE ${text}`);
        break;
      }
      case 'BODYSTRUCTURE':
      case 'BODY': {
        // One parse gives BODY and BODYSTRUCTURE (and ENVELOPE): all three are kept.
        const key = item.kind === 'BODYSTRUCTURE' ? BODYSTRUCTURE_KEY : BODY_KEY;
        const text = await view.mailbox.cachedAll(uid, key, async () => messageFacts(await load()));
        out.push(`${item.kind} ${text}`);
        break;
      }
      case 'section':
        if (item.binary) {
          out.push(...(await binaryItem(item, load, index > 0 ? out.slice(0, -1) : out)));
          break;
        }
        out.push(`${item.label} `, ...(await sectionLiteral(view, uid, record.size, item, load)));
        break;
    }
  }
  out.push(')\r\n');
  return mergeText(out);
}

/** Joins neighbouring text pieces so the socket gets fewer, larger writes. */
function mergeText(parts: readonly OutputPart[]): OutputPart[] {
  const merged: OutputPart[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (typeof part === 'string' && typeof last === 'string')
      merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  return merged;
}

async function sectionLiteral(
  view: MailboxView,
  uid: number,
  size: number,
  item: SectionItem,
  load: () => Promise<Buffer>,
): Promise<OutputPart[]> {
  if (item.part.length === 0 && !item.text) {
    if (size <= READ_WHOLE_MAX) {
      const wire = await view.mailbox.readMessageWire(uid);
      const start = Math.min(item.partial?.start ?? 0, wire.bytes.length);
      const bytes = item.partial
        ? wire.bytes.subarray(start, start + item.partial.length)
        : wire.bytes;
      return [`{${bytes.length}}\r\n`, { bytes, release: wire.release }];
    }
    // A large whole message: streamed from disk, never read into memory.
    const start = Math.min(item.partial?.start ?? 0, size);
    const length = Math.min(item.partial?.length ?? size, size - start);
    const range = start || length < size ? { start, end: start + length } : undefined;
    return [`{${length}}\r\n`, { stream: await view.mailbox.openMessage(uid, range), length }];
  }
  const bytes = cut(sectionBytes(await load(), item), item.partial);
  return [`{${bytes.length}}\r\n`, bytes];
}

/**
 * BINARY[…] or BINARY.SIZE[…] (RFC 3516 §4.2). An encoding that cannot be undone ends the
 * FETCH: `sent` (the response before this item) goes out closed, then NO [UNKNOWN-CTE].
 */
async function binaryItem(
  item: SectionItem,
  load: () => Promise<Buffer>,
  sent: readonly OutputPart[],
): Promise<OutputPart[]> {
  let content;
  try {
    content = binaryContent(await load(), item.part);
  } catch (err) {
    if (err instanceof UnknownCteError) throw new UnknownCteError(mergeText([...sent, ')\r\n']));
    throw err;
  }
  if (item.binary === 'size') return [`${item.label} ${content.bytes.length}`];
  return [`${item.label} `, ...binaryLiteral(cut(content.bytes, item.partial), content.literal8)];
}
