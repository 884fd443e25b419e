/**
 * One POP3 fuzz worker: sessions before login, after USER/PASS, and after STLS, each fed
 * generated and mutated command lines, pipelined (RFC 2449 PIPELINING) or one at a time when
 * AUTH or STLS is involved, with the same oracles as IMAP: every line answered within the
 * deadline, every answer well-formed, a close only after an -ERR or QUIT.
 */
import { cuts, label, REPLY_DEADLINE_MS, type FuzzContext } from './context.js';
import type { Credentials } from './imap-grammar.js';
import { mutate } from './mutate.js';
import { pop3Command, type Pop3Phase } from './pop3-grammar.js';
import { Pop3ResponseReader, type Pop3Status } from './pop3-responses.js';
import type { Prng } from './prng.js';
import { MAX_LINE_BYTES } from '../../src-main/core/pop3/limits.js';
import { show } from './findings.js';
import { Wire } from './wire.js';

type SessionKind = 'authorization' | 'transaction' | 'stls' | 'pop3s';
const KINDS: readonly SessionKind[] = [
  'authorization',
  'authorization',
  'transaction',
  'transaction',
  'transaction',
  'stls',
  'pop3s',
];
const MUTATION_SHARE = 0.3;
const BATCH_INPUTS = 12;
const TRICKLE_MAX_BYTES = 200;
/** The maildrop lock of a session that just ended is released a moment later. */
const LOCK_WAIT_MS = 30_000;
const LOGIN_RETRY_MS = 100;
/** An -ERR after which the server may close the connection. */
const CLOSING = /closing|Disconnected|SYS\/TEMP|Too many/i;

interface Unit {
  readonly bytes: Buffer;
  readonly verb: string;
  readonly args: string;
  readonly overflow: boolean;
}

/** Lines as the server's line reader sees them: LF ends a line, CR before it is dropped. */
function units(bytes: Buffer): Unit[] {
  const out: Unit[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
    const end = nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    const text = bytes.subarray(start, end).toString('latin1');
    const space = text.indexOf(' ');
    out.push({
      bytes: bytes.subarray(start, nl + 1),
      verb: (space === -1 ? text : text.slice(0, space)).toUpperCase(),
      args: space === -1 ? '' : text.slice(space + 1),
      overflow: end - start > MAX_LINE_BYTES,
    });
    start = nl + 1;
  }
  return out;
}

function multiline(unit: Unit): boolean {
  if (unit.overflow) return false;
  if (['CAPA', 'RETR', 'TOP'].includes(unit.verb)) return true;
  return ['LIST', 'UIDL', 'AUTH'].includes(unit.verb) && unit.args.trim() === '';
}

export class Pop3Worker {
  readonly #rng: Prng;
  readonly #ctx: FuzzContext;
  readonly #id: number;
  readonly #creds: Credentials;
  readonly #addresses: { trusted: string; attacker: string };
  #wire: Wire | undefined;
  #reader = new Pop3ResponseReader();
  #kind: SessionKind = 'authorization';
  #session = 0;
  #phase: Pop3Phase = 'authorization';
  #statuses: Pop3Status[] = [];
  #recent: Buffer[] = [];
  #quit = false;

  constructor(rng: Prng, ctx: FuzzContext, id: number, creds: Credentials) {
    this.#rng = rng;
    this.#ctx = ctx;
    this.#id = id;
    this.#creds = creds;
    this.#addresses = { trusted: `127.0.1.${100 + id}`, attacker: `127.0.2.${100 + id}` };
  }

  async run(quota: number): Promise<void> {
    let sent = 0;
    while (sent < quota && !this.#ctx.stopped) {
      if (!(await this.#openSession())) continue;
      const sessionLength = this.#rng.range(50, 800);
      let batch: Buffer[] = [];
      for (
        let i = 0;
        i < sessionLength && sent < quota && this.#alive() && !this.#ctx.stopped;
        i++
      ) {
        const input = this.#nextInput();
        sent += 1;
        this.#ctx.counts.pop3 += 1;
        if (/AUTH|STLS|QUIT|PASS/i.test(input.toString('latin1'))) {
          await this.#pipeline(batch);
          batch = [];
          if (this.#alive()) await this.#turns(input);
        } else {
          batch.push(input);
          if (batch.length >= BATCH_INPUTS) {
            await this.#pipeline(batch);
            batch = [];
          }
        }
      }
      if (this.#alive()) await this.#pipeline(batch);
      this.#wire?.close();
    }
  }

  #alive(): boolean {
    return !!this.#wire && !this.#wire.closed && !this.#quit;
  }

  #where(): string {
    return label('POP3', this.#id, this.#kind, this.#session);
  }

  #nextInput(): Buffer {
    const clean = Buffer.from(`${pop3Command(this.#rng, this.#phase, this.#creds)}\r\n`, 'latin1');
    if (!this.#rng.chance(MUTATION_SHARE)) return clean;
    const donor = Buffer.from(pop3Command(this.#rng, this.#phase, this.#creds), 'latin1');
    const mutated = mutate(this.#rng, clean, donor);
    return mutated.length > 0 && mutated[mutated.length - 1] === 0x0a
      ? mutated
      : Buffer.concat([mutated, Buffer.from('\r\n')]);
  }

  async #openSession(): Promise<boolean> {
    const previous = { kind: this.#kind, recent: this.#recent };
    this.#kind = this.#rng.pick(KINDS);
    this.#session += 1;
    this.#ctx.counts.sessions += 1;
    // The maildrop lock of this worker's previous session is released once the server has
    // seen that connection close, which under load can take a while: a login refused as in
    // use is retried on a new connection, and only a lock that is never released is a finding.
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const result = await this.#connect();
      if (result !== 'in-use') {
        if (attempt > 1)
          this.#ctx.counts.lockWaitMs = Math.max(this.#ctx.counts.lockWaitMs, Date.now() - started);
        return result;
      }
      this.#wire?.close();
      if (Date.now() - started > LOCK_WAIT_MS) {
        const what = `maildrop still in use ${LOCK_WAIT_MS} ms after the previous session (${previous.kind}) closed`;
        this.#ctx.findings.add('session-setup', what, this.#where(), previous.recent);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, LOGIN_RETRY_MS));
    }
  }

  async #connect(): Promise<boolean | 'in-use'> {
    this.#reader = new Pop3ResponseReader();
    this.#statuses = [];
    this.#recent = [];
    this.#quit = false;
    this.#phase = 'authorization';
    const implicit = this.#kind === 'pop3s';
    const address =
      this.#kind === 'authorization' ? this.#addresses.attacker : this.#addresses.trusted;
    try {
      this.#wire = await Wire.open(
        implicit ? this.#ctx.ports.pop3s : this.#ctx.ports.pop3,
        address,
        implicit,
        (c) => this.#onData(c),
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
    this.#reader.expect({ multiline: false }); // the greeting
    if (!(await this.#await(0, 1, []))) return false;
    if (this.#statuses[0]?.kind !== '+OK') return this.#setupFailed('no +OK greeting');
    // #turns upgrades the connection once STLS is answered +OK.
    if (this.#kind === 'stls' && (await this.#command('STLS')) !== '+OK')
      return this.#setupFailed('STLS refused');
    if (this.#kind === 'authorization') return true;
    if ((await this.#command(`USER ${this.#creds.user}`)) !== '+OK')
      return this.#setupFailed('USER refused');
    if ((await this.#command(`PASS ${this.#creds.password}`)) === '+OK') {
      this.#phase = 'transaction';
      return true;
    }
    const refusal = this.#statuses.at(-1)?.line ?? '';
    if (/IN-USE/.test(refusal)) return 'in-use';
    return this.#setupFailed(`PASS refused: ${refusal}`);
  }

  #setupFailed(what: string): false {
    this.#ctx.findings.add('session-setup', what, this.#where());
    this.#wire?.close();
    return false;
  }

  /** A setup command; its status, or undefined when the session ended. */
  async #command(line: string): Promise<string | undefined> {
    const before = this.#statuses.length;
    await this.#turns(Buffer.from(`${line}\r\n`));
    return this.#statuses.length > before ? this.#statuses.at(-1)!.kind : undefined;
  }

  #onData(chunk: Buffer): void {
    const { statuses, problems } = this.#reader.push(chunk);
    for (const p of problems) {
      this.#ctx.findings.add(
        p.kind === 'serverbug' ? 'serverbug' : 'invalid-response',
        `${p.message}: ${JSON.stringify(p.line.slice(0, 300))}`,
        this.#where(),
        this.#recent.slice(-3),
      );
    }
    this.#statuses.push(...statuses);
  }

  /** Waits for `more` statuses after `from`, each within the deadline; false on a hang or close. */
  async #await(
    from: number,
    more: number,
    what: readonly Buffer[],
    pending?: readonly Buffer[],
  ): Promise<boolean> {
    const wire = this.#wire!;
    for (;;) {
      const seen = this.#statuses.length;
      if (seen - from >= more) return true;
      if (wire.closed) return this.#ended(what);
      const progressed = await wire.until(
        () => this.#statuses.length > seen || wire.closed,
        REPLY_DEADLINE_MS,
      );
      if (!progressed) {
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

  /**
   * POP3 has no BYE: the server may close after QUIT's +OK, or after an -ERR that says it is
   * closing (too many bad commands, inactivity, shutdown), never silently.
   */
  #ended(what: readonly Buffer[]): boolean {
    const last = this.#statuses.at(-1);
    if (!this.#quit && !(last?.kind === '-ERR' && CLOSING.test(last.line)))
      this.#ctx.findings.add(
        'invalid-response',
        `connection closed after ${JSON.stringify(last?.line ?? '')}`,
        this.#where(),
        what,
      );
    return false;
  }

  #send(input: Buffer, list: readonly Unit[], afterContinuation: boolean): void {
    list.forEach((u, i) =>
      this.#reader.expect({ multiline: !(i === 0 && afterContinuation) && multiline(u) }),
    );
    this.#recent.push(input);
    if (this.#recent.length > 6) this.#recent.shift();
    this.#ctx.latest.set(`POP3 worker ${this.#id}`, this.#recent.slice(-2));
  }

  async #pipeline(batch: readonly Buffer[]): Promise<void> {
    if (batch.length === 0 || !this.#alive()) return;
    const wire = this.#wire!;
    const bytes = Buffer.concat(batch);
    const list = units(bytes);
    this.#send(bytes, list, false);
    const from = this.#statuses.length;
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
      list.length,
      batch,
      list.map((u) => u.bytes),
    );
  }

  /** One line at a time: a "+ " challenge takes the next line as the SASL reply (RFC 5034 §4). */
  async #turns(input: Buffer): Promise<void> {
    if (!this.#alive()) return;
    const wire = this.#wire!;
    for (const unit of units(input)) {
      const afterContinuation = this.#statuses.at(-1)?.kind === '+';
      this.#send(unit.bytes, [unit], afterContinuation);
      const before = this.#statuses.length;
      wire.write(unit.bytes);
      if (!(await this.#await(before, 1, [input]))) return;
      const status = this.#statuses.at(-1)!;
      if (status.kind !== '+OK') continue;
      if (unit.verb === 'QUIT') {
        this.#quit = true;
        if (!(await wire.until(() => wire.closed, REPLY_DEADLINE_MS)))
          this.#ctx.findings.add(
            'hang',
            'QUIT answered, but the connection stayed open',
            this.#where(),
            [input],
          );
        return;
      }
      if (unit.verb === 'STLS') {
        try {
          await wire.upgrade();
        } catch (err) {
          this.#ctx.findings.add(
            'invalid-response',
            `TLS handshake failed after STLS +OK: ${(err as Error).message}`,
            this.#where(),
            [input],
          );
          wire.close();
          return;
        }
      }
      if (unit.verb === 'PASS' || unit.verb === 'AUTH' || afterContinuation)
        this.#phase = 'transaction';
    }
    if (this.#alive() && this.#statuses.at(-1)?.kind === '+') {
      const before = this.#statuses.length;
      this.#send(Buffer.from('*\r\n'), units(Buffer.from('*\r\n')), true);
      wire.write(Buffer.from('*\r\n'));
      await this.#await(before, 1, [input]);
    }
  }
}
