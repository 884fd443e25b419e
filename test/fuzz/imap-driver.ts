/**
 * One IMAP fuzz worker: opens sessions of a random kind (not authenticated, logged in,
 * selected, after STARTTLS, implicit TLS), sends generated and mutated commands — pipelined in
 * batches, split into random chunks or a byte at a time, or one turn at a time when a "+" is
 * involved — and applies the oracles to every response: invalid lines, [SERVERBUG], a missing
 * reply within the deadline (hang), a close without BYE.
 */
import { cuts, label, REPLY_DEADLINE_MS, type FuzzContext } from './context.js';
import { frameImap, needsTurns, type ImapUnit } from './imap-framer.js';
import { imapCommand, serializeImap, type Credentials, type ImapPhase } from './imap-grammar.js';
import { ImapResponseReader } from './imap-responses.js';
import { mutate } from './mutate.js';
import type { Prng } from './prng.js';
import { show } from './findings.js';
import { Wire } from './wire.js';

type SessionKind =
  'not-authenticated' | 'authenticated' | 'selected' | 'starttls' | 'imaps' | 'plaintext-to-tls';
const KINDS: readonly SessionKind[] = [
  'not-authenticated',
  'not-authenticated',
  'authenticated',
  'selected',
  'selected',
  'selected',
  'selected',
  'starttls',
  'imaps',
  'plaintext-to-tls',
];
const MUTATION_SHARE = 0.3;
const BATCH_INPUTS = 12;
const BATCH_BYTES = 256 * 1024;
const TRICKLE_MAX_BYTES = 300;
const RECENT_INPUTS = 6;
const CRLF = Buffer.from('\r\n');
/** A hang that costs the whole deadline is waited for this many times, then only counted. */
const KNOWN_HANGS_WAITED = 3;
const ZERO_LITERAL_HANG = 'no "+" for a zero-length synchronising literal {0}';

interface Input {
  readonly bytes: Buffer;
  readonly units: readonly ImapUnit[];
}

export class ImapWorker {
  readonly #rng: Prng;
  readonly #ctx: FuzzContext;
  readonly #id: number;
  readonly #creds: Credentials;
  readonly #addresses: { trusted: string; attacker: string };
  #wire: Wire | undefined;
  #reader = new ImapResponseReader(() => true);
  #sentTags = new Set<string>();
  #kind: SessionKind = 'not-authenticated';
  #session = 0;
  #phase: ImapPhase = 'not-authenticated';
  /** Continuations, tagged replies and untagged BADs seen: one per command sent. */
  #events = 0;
  #lastEvent: { kind: 'continuation' | 'status'; tag: string; status: string } | undefined;
  #bye = false;
  #unitText = new Map<string, string>();
  #recent: Buffer[] = [];
  #tagNumber = 0;

  constructor(rng: Prng, ctx: FuzzContext, id: number, creds: Credentials) {
    this.#rng = rng;
    this.#ctx = ctx;
    this.#id = id;
    this.#creds = creds;
    this.#addresses = { trusted: `127.0.1.${10 + id}`, attacker: `127.0.2.${10 + id}` };
  }

  /** Sends `quota` inputs, opening sessions as they end. */
  async run(quota: number): Promise<void> {
    let sent = 0;
    while (sent < quota && !this.#ctx.stopped) {
      if (!(await this.#openSession())) continue;
      const sessionLength = this.#rng.range(50, 800);
      let batch: Input[] = [];
      for (
        let i = 0;
        i < sessionLength && sent < quota && this.#alive() && !this.#ctx.stopped;
        i++
      ) {
        const input = this.#nextInput();
        sent += 1;
        this.#ctx.counts.imap += 1;
        if (needsTurns(input.units)) {
          await this.#pipeline(batch);
          batch = [];
          if (this.#alive()) await this.#turns(input);
        } else {
          batch.push(input);
          if (
            batch.length >= BATCH_INPUTS ||
            batch.reduce((s, b) => s + b.bytes.length, 0) > BATCH_BYTES
          ) {
            await this.#pipeline(batch);
            batch = [];
          }
        }
      }
      if (this.#alive()) await this.#pipeline(batch);
      if (this.#alive() && this.#rng.chance(0.3)) await this.#turns(this.#plain('LOGOUT'));
      this.#wire?.close();
    }
  }

  #alive(): boolean {
    return !!this.#wire && !this.#wire.closed && !this.#bye;
  }

  #where(): string {
    return label('IMAP', this.#id, this.#kind, this.#session);
  }

  #nextInput(): Input {
    const tag = this.#nextTag();
    const body = serializeImap(imapCommand(this.#rng, this.#phase, this.#creds));
    const clean = Buffer.concat([Buffer.from(`${tag} `), body, CRLF]);
    if (this.#rng.chance(MUTATION_SHARE)) {
      const donor = serializeImap(imapCommand(this.#rng, this.#phase, this.#creds));
      const bytes = mutate(this.#rng, clean, donor);
      const units = frameImap(bytes);
      if (units) return { bytes: Buffer.concat(units.map((u) => u.bytes)), units };
    }
    const units = frameImap(clean) ?? [];
    return { bytes: clean, units };
  }

  #nextTag(): string {
    this.#tagNumber += 1;
    return `${String.fromCharCode(97 + this.#id)}${this.#tagNumber.toString(36)}`;
  }

  #plain(command: string): Input {
    const bytes = Buffer.from(`${this.#nextTag()} ${command}\r\n`);
    return { bytes, units: frameImap(bytes)! };
  }

  async #openSession(): Promise<boolean> {
    this.#kind = this.#rng.pick(KINDS);
    this.#session += 1;
    this.#ctx.counts.sessions += 1;
    if (this.#kind === 'plaintext-to-tls') {
      await this.#plaintextToTls();
      return false;
    }
    this.#reader = new ImapResponseReader((tag) => this.#sentTags.has(tag));
    this.#sentTags = new Set();
    this.#events = 0;
    this.#lastEvent = undefined;
    this.#bye = false;
    this.#recent = [];
    this.#phase = 'not-authenticated';
    this.#greeting = false;
    const address =
      this.#kind === 'not-authenticated' ? this.#addresses.attacker : this.#addresses.trusted;
    const implicit = this.#kind === 'imaps';
    try {
      this.#wire = await Wire.open(
        implicit ? this.#ctx.ports.imaps : this.#ctx.ports.imap,
        address,
        implicit,
        (chunk) => this.#onData(chunk),
      );
    } catch (err) {
      this.#ctx.findings.add(
        'session-setup',
        `cannot connect: ${(err as Error).message}`,
        this.#where(),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      return false;
    }
    const wire = this.#wire;
    const greeted = await wire.until(
      () => this.#greeting || this.#bye || wire.closed,
      REPLY_DEADLINE_MS,
    );
    if (!greeted || !this.#greeting) {
      this.#ctx.findings.add(greeted ? 'session-setup' : 'hang', 'no greeting', this.#where());
      this.#wire.close();
      return false;
    }
    this.#greeting = false;
    // #turns upgrades the connection once STARTTLS is answered OK.
    if (this.#kind === 'starttls' && !(await this.#setup('STARTTLS'))) return false;
    if (this.#kind === 'not-authenticated') return true;
    const login = `LOGIN ${this.#creds.user} "${this.#creds.password}"`;
    if (!(await this.#setup(login))) return false;
    this.#phase = 'authenticated';
    if (this.#kind === 'authenticated') return true;
    if (await this.#setup(`SELECT ${this.#rng.pick(['INBOX', 'INBOX', 'Fuzz', 'Sent'])}`))
      this.#phase = 'selected';
    return this.#alive();
  }

  #greeting = false;

  /**
   * Abuse of an implicit-TLS port: a command in plain text where a ClientHello belongs. The
   * server must give up on the connection at once (a TLS alert and a close), not hold it.
   */
  async #plaintextToTls(): Promise<void> {
    const port = this.#rng.chance(0.5) ? this.#ctx.ports.imaps : this.#ctx.ports.pop3s;
    const command = serializeImap(imapCommand(this.#rng, 'not-authenticated', this.#creds));
    const bytes = Buffer.concat([Buffer.from('a1 '), command, CRLF]);
    try {
      const wire = await Wire.open(port, this.#addresses.attacker, false, () => undefined);
      wire.write(bytes);
      if (!(await wire.until(() => wire.closed, REPLY_DEADLINE_MS)))
        this.#ctx.findings.add('hang', 'a TLS port kept a plain-text client open', this.#where(), [
          bytes,
        ]);
      wire.close();
    } catch (err) {
      this.#ctx.findings.add(
        'session-setup',
        `cannot connect: ${(err as Error).message}`,
        this.#where(),
      );
    }
  }

  /** A setup command that must succeed; a NO is a setup finding (e.g. SELECT of a deleted Fuzz is fine). */
  async #setup(command: string): Promise<boolean> {
    const input = this.#plain(command);
    await this.#turns(input);
    const ok = this.#lastEvent?.kind === 'status' && this.#lastEvent.status === 'OK';
    if (!ok && !command.startsWith('SELECT')) {
      this.#ctx.findings.add(
        'session-setup',
        `${command.split(' ')[0]} refused: ${this.#lastEvent?.status ?? 'no reply'}`,
        this.#where(),
      );
      this.#wire?.close();
    }
    return ok && this.#alive();
  }

  #onData(chunk: Buffer): void {
    const { responses, problems } = this.#reader.push(chunk);
    for (const p of problems) {
      this.#ctx.findings.add(
        p.kind === 'serverbug' ? 'serverbug' : 'invalid-response',
        `${p.message}: ${JSON.stringify(p.line.slice(0, 300))}`,
        this.#where(),
        this.#recent.slice(-3),
      );
    }
    for (const r of responses) {
      if (r.kind === 'continuation') {
        this.#events += 1;
        this.#lastEvent = { kind: 'continuation', tag: '+', status: '' };
      } else if (r.kind === 'tagged') {
        this.#events += 1;
        this.#lastEvent = { kind: 'status', tag: r.tag, status: r.status };
        this.#trackPhase(r.tag, r.status);
      } else if (r.status === 'BYE') {
        this.#bye = true;
      } else if (r.status === 'OK' && this.#events === 0) {
        this.#greeting = true;
      } else if (r.status === 'BAD') {
        this.#events += 1;
        this.#lastEvent = { kind: 'status', tag: '*', status: 'BAD' };
      }
    }
  }

  #trackPhase(tag: string, status: string): void {
    const text = this.#unitText.get(tag);
    if (text === undefined) return;
    this.#unitText.delete(tag);
    const verb = /^\S+ (?:UID )?(\S+)/i.exec(text)?.[1]?.toUpperCase() ?? '';
    if (status === 'OK' && (verb === 'LOGIN' || verb === 'AUTHENTICATE'))
      this.#phase = 'authenticated';
    else if ((verb === 'SELECT' || verb === 'EXAMINE') && this.#phase !== 'not-authenticated')
      this.#phase = status === 'OK' ? 'selected' : 'authenticated';
    else if (status === 'OK' && (verb === 'CLOSE' || verb === 'UNSELECT'))
      this.#phase = 'authenticated';
  }

  #remember(input: Input): void {
    this.#recent.push(input.bytes);
    if (this.#recent.length > RECENT_INPUTS) this.#recent.shift();
    this.#ctx.latest.set(`IMAP worker ${this.#id}`, this.#recent.slice(-2));
    for (const unit of input.units) {
      this.#unitText.set(unit.tag, unit.bytes.subarray(0, 120).toString('latin1'));
      // Every token that starts a line may be read as a tag by the server; a tag ends at a
      // space, or where a literal begins ("{" is not an ASTRING-CHAR, RFC 3501 §9).
      for (const line of unit.bytes.toString('latin1').split('\n')) {
        const token = line.split(' ', 1)[0]!.replace(/\r$/, '');
        this.#sentTags.add(token);
        this.#sentTags.add(token.split('{', 1)[0]!);
      }
    }
  }

  /** Waits for `more` events after `from`, each within the deadline; false on a hang. */
  async #await(
    from: number,
    more: number,
    what: readonly Buffer[],
    zeroLiteral = false,
    pending?: readonly Buffer[],
  ): Promise<boolean> {
    const wire = this.#wire!;
    for (;;) {
      const seen = this.#events;
      if (seen - from >= more) return true;
      if (this.#bye || wire.closed) return this.#ended(what);
      const progressed = await wire.until(
        () => this.#events > seen || this.#bye || wire.closed,
        REPLY_DEADLINE_MS,
      );
      if (!progressed && zeroLiteral) {
        // RFC 3501 §7.5: every synchronising literal, {0} too, waits for "+".
        this.#ctx.known.zeroLiteralHangs += 1;
        this.#ctx.findings.add('hang', ZERO_LITERAL_HANG, this.#where(), what);
        wire.close();
        return false;
      }
      if (!progressed) {
        // Replies come in order: the first command without one is the one the server is on.
        const stuck = pending?.[seen - from];
        this.#ctx.findings.add(
          'hang',
          `no reply within ${REPLY_DEADLINE_MS} ms (${seen - from} of ${more} replies)` +
            (stuck ? `; unanswered: ${show(stuck)}` : ''),
          this.#where(),
          what,
        );
        wire.close();
        return false;
      }
    }
  }

  /** After BYE the server must close; a close without BYE is not IMAP (RFC 3501 §7.1.5). */
  async #ended(what: readonly Buffer[]): Promise<boolean> {
    const wire = this.#wire!;
    if (!this.#bye) {
      this.#ctx.findings.add(
        'invalid-response',
        'connection closed without * BYE',
        this.#where(),
        what,
      );
      return false;
    }
    if (!(await wire.until(() => wire.closed, REPLY_DEADLINE_MS))) {
      this.#ctx.findings.add('hang', 'BYE, but the connection stayed open', this.#where(), what);
      wire.close();
    }
    return false;
  }

  async #pipeline(batch: readonly Input[]): Promise<void> {
    if (batch.length === 0 || !this.#alive()) return;
    const wire = this.#wire!;
    for (const input of batch) this.#remember(input);
    const bytes = Buffer.concat(batch.map((b) => b.bytes));
    const pending = batch.flatMap((b) => b.units.map((u) => u.bytes));
    const units = pending.length;
    const from = this.#events;
    const style = this.#rng.int(20);
    if (style === 0 && bytes.length <= TRICKLE_MAX_BYTES)
      await wire.writeSplit(
        bytes,
        cuts((n) => this.#rng.int(n), bytes.length, true),
      );
    else if (style < 3)
      await wire.writeSplit(
        bytes,
        cuts((n) => this.#rng.int(n), bytes.length, false),
      );
    else wire.write(bytes);
    await this.#await(
      from,
      units,
      batch.map((b) => b.bytes),
      false,
      pending,
    );
  }

  /**
   * Sends a command up to its last synchronising literal, waiting for "+" at each. Returns
   * the offset sent so far, -1 when a literal was refused, undefined when the session ended.
   */
  async #literalTurns(unit: ImapUnit, input: Buffer): Promise<number | undefined> {
    const wire = this.#wire!;
    let from = 0;
    for (const [i, point] of unit.syncPoints.entries()) {
      const before = this.#events;
      wire.write(unit.bytes.subarray(from, point));
      from = point;
      const zero = unit.syncSizes[i] === 0;
      if (zero && this.#ctx.known.zeroLiteralHangs >= KNOWN_HANGS_WAITED) {
        // Seen to hang already: counted, not waited for again (each wait costs the deadline).
        this.#ctx.findings.add('hang', ZERO_LITERAL_HANG, this.#where(), [input]);
        continue;
      }
      if (!(await this.#await(before, 1, [input], zero))) return undefined;
      if (this.#lastEvent?.kind !== 'continuation') return -1;
    }
    return from;
  }

  /** One command at a time: waits at each synchronising literal for "+" (RFC 3501 §7.5). */
  async #turns(input: Input): Promise<void> {
    if (!this.#alive()) return;
    const wire = this.#wire!;
    this.#remember(input);
    for (const unit of input.units) {
      const from = await this.#literalTurns(unit, input.bytes);
      if (from === undefined) return;
      if (from < 0) continue; // a literal refused: the client abandons the command
      const before = this.#events;
      wire.write(unit.bytes.subarray(from));
      if (unit.fatal) {
        await wire.until(() => wire.closed, REPLY_DEADLINE_MS);
        await this.#ended([input.bytes]);
        return;
      }
      if (!(await this.#await(before, 1, [input.bytes]))) return;
      if (
        this.#lastEvent?.kind === 'status' &&
        this.#lastEvent.status === 'OK' &&
        /^\S+ STARTTLS/i.test(unit.bytes.toString('latin1'))
      ) {
        try {
          await wire.upgrade();
        } catch (err) {
          this.#ctx.findings.add(
            'invalid-response',
            `TLS handshake failed after STARTTLS OK: ${(err as Error).message}`,
            this.#where(),
            [input.bytes],
          );
          wire.close();
          return;
        }
      }
    }
    // Still asked for more (IDLE, AUTHENTICATE): end it the way a client would.
    for (let i = 0; i < 2 && this.#alive() && this.#lastEvent?.kind === 'continuation'; i++) {
      const before = this.#events;
      wire.write(Buffer.from(i === 0 ? 'DONE\r\n' : '*\r\n'));
      if (!(await this.#await(before, 1, [input.bytes]))) return;
    }
  }
}
