/**
 * What a careful IMAP client knows about its selected mailbox, kept from the untagged responses
 * alone (EXISTS, EXPUNGE, FETCH), and checked against every FETCH it receives: a sequence
 * number names the message the client thinks it does, UIDs ascend, a new message never appears
 * below one already known, and each UID ↔ Message-ID pairing never changes.
 */
import type { LineClient } from './line-client.js';

export interface ModelProblems {
  /** A FETCH naming a UID the client's model has under another sequence number. */
  seqMismatches: string[];
  /** A UID given to two different messages, or a message seen under two UIDs. */
  uidReuse: string[];
  /** A message that appeared below the highest UID the client already knew. */
  appearedBelow: string[];
}

const FETCH_UID = /^\* (\d+) FETCH \(.*?\bUID (\d+)/s;
const MESSAGE_ID = /Message-ID: (<[^>\r\n]+>)/i;

export class ImapModel {
  /** UID by sequence number (index seq - 1); undefined until a FETCH names it. */
  readonly uids: (number | undefined)[] = [];
  readonly messageIdByUid = new Map<number, string>();
  readonly uidByMessageId = new Map<string, number>();
  /** UID → flags last fetched. */
  readonly flags = new Map<number, string>();
  readonly problems: ModelProblems = { seqMismatches: [], uidReuse: [], appearedBelow: [] };
  expunges = 0;
  #highest = 0;

  /** Applies one untagged line, in the order the server sent it. */
  apply(line: string): void {
    const exists = /^\* (\d+) EXISTS$/.exec(line);
    if (exists) {
      const n = Number(exists[1]);
      if (n < this.uids.length)
        this.problems.seqMismatches.push(`EXISTS ${n} below ${this.uids.length}: ${line}`);
      while (this.uids.length < n) this.uids.push(undefined);
      return;
    }
    const expunge = /^\* (\d+) EXPUNGE$/.exec(line);
    if (expunge) {
      this.uids.splice(Number(expunge[1]) - 1, 1);
      this.expunges += 1;
      return;
    }
    const fetch = FETCH_UID.exec(line);
    if (fetch) this.#fetched(Number(fetch[1]), Number(fetch[2]), line);
  }

  #fetched(seq: number, uid: number, line: string): void {
    if (seq > this.uids.length) {
      this.problems.seqMismatches.push(`FETCH ${seq} beyond EXISTS ${this.uids.length}`);
      return;
    }
    const known = this.uids[seq - 1];
    if (known === undefined) {
      if (uid <= this.#highest && !this.messageIdByUid.has(uid))
        this.problems.appearedBelow.push(`UID ${uid} at ${seq} below ${this.#highest}`);
      this.uids[seq - 1] = uid;
    } else if (known !== uid) {
      this.problems.seqMismatches.push(`message ${seq} is UID ${uid}, the client knew ${known}`);
      this.uids[seq - 1] = uid; // counted once, not again for every later message
    }
    this.#highest = Math.max(this.#highest, uid);
    const flags = /FLAGS \(([^)]*)\)/.exec(line)?.[1];
    if (flags !== undefined) this.flags.set(uid, flags);
    const messageId = MESSAGE_ID.exec(line)?.[1];
    if (!messageId) return;
    const before = this.messageIdByUid.get(uid);
    if (before !== undefined && before !== messageId)
      this.problems.uidReuse.push(`UID ${uid} was ${before}, now ${messageId}`);
    const uidBefore = this.uidByMessageId.get(messageId);
    if (uidBefore !== undefined && uidBefore !== uid)
      this.problems.uidReuse.push(`${messageId} was UID ${uidBefore}, now ${uid}`);
    this.messageIdByUid.set(uid, messageId);
    this.uidByMessageId.set(messageId, uid);
  }

  /** Sends a command and applies every untagged response; returns the tagged reply. */
  async run(client: LineClient, tag: string, command: string): Promise<string> {
    const { untagged, tagged } = await client.imap(tag, command, 60_000);
    for (const line of untagged) this.apply(line);
    return tagged;
  }

  /** Every message's UID, flags and Message-ID, checked against the model. */
  async fetchAll(client: LineClient, tag: string): Promise<string> {
    return this.run(client, tag, 'FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])');
  }

  get problemCount(): number {
    const p = this.problems;
    return p.seqMismatches.length + p.uidReuse.length + p.appearedBelow.length;
  }
}
