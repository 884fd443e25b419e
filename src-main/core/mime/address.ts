/**
 * Address lists (RFC 5322 §3.4, with the obsolete forms of §4.4) parsed the way Dovecot's
 * message-address parser does with FILL_MISSING: whatever the bytes, every entry gets a
 * mailbox and a domain, using the placeholders `MISSING_MAILBOX`, `MISSING_DOMAIN`,
 * `SYNTAX_ERROR` (broken `<…>`) and `INVALID_ROUTE`. A group (`name: a@b, c@d;`) becomes a
 * start entry (mailbox = group name, domain null) and an end entry (all null), which
 * RFC 3501 §7.4.2 ENVELOPE writes as `(NIL NIL "name" NIL)` … `(NIL NIL NIL NIL)`.
 * RFC 2047 encoded words are left as they are. All strings are byte strings.
 */
import { NUL_REPLACEMENT, Rfc822Reader } from './rfc822-tokens.js';

export interface Address {
  readonly name: string | null;
  /** obs-route (`@a,@b`), rarely present. */
  readonly route: string | null;
  readonly mailbox: string | null;
  readonly domain: string | null;
}

/** The same, under the name the first IMAP layer used. */
export type EnvelopeAddress = Address;

interface Draft {
  name: string | null;
  route: string | null;
  mailbox: string | null;
  domain: string | null;
  invalid: boolean;
}

const blank = (): Draft => ({
  name: null,
  route: null,
  mailbox: null,
  domain: null,
  invalid: false,
});

/** Parses one header value; null when it holds no address at all. */
export function parseAddressList(value: string): Address[] | null {
  const parser = new AddressParser(value);
  return parser.run();
}

class AddressParser {
  readonly #r: Rfc822Reader;
  readonly #out: Address[] = [];
  #addr: Draft = blank();
  /** The text read by the last local-part / domain / phrase (Dovecot's shared buffer). */
  #str = [''];

  constructor(value: string) {
    this.#r = new Rfc822Reader(value, true);
    this.#r.nulReplacement = NUL_REPLACEMENT;
  }

  run(): Address[] | null {
    if (this.#r.skipLwsp() > 0) this.#list();
    return this.#out.length > 0 ? this.#out : null;
  }

  #add(): void {
    const { name, route, mailbox, domain } = this.#addr;
    this.#out.push({ name, route, mailbox, domain });
    this.#addr = blank();
  }

  #addFixed(): void {
    const a = this.#addr;
    if (a.mailbox === null) {
      a.mailbox = 'MISSING_MAILBOX';
      a.invalid = true;
    }
    if (a.domain === null || a.domain === '') {
      a.domain = 'MISSING_DOMAIN';
      a.invalid = true;
    }
    this.#add();
  }

  #list(): void {
    const r = this.#r;
    for (;;) {
      if (this.#address() === 0) return;
      if (!r.more || r.peek() !== 0x2c) return;
      r.pos++;
      const ret = r.skipLwsp();
      if (ret <= 0) {
        if (ret < 0) this.#addFixed(); // ends with garbage
        return;
      }
    }
  }

  #address(): number {
    const start = this.#r.pos;
    const ret = this.#group();
    if (ret >= 0) return ret;
    this.#r.pos = start;
    return this.#mailbox();
  }

  /** group = display-name ":" [mailbox-list / CFWS] ";" [CFWS] */
  #group(): number {
    const r = this.#r;
    this.#str = [''];
    if (r.phrase(this.#str) <= 0 || r.peek() !== 0x3a) return -1;
    r.pos++;
    let ret = r.skipLwsp();
    if (ret <= 0) this.#addr.invalid = true;
    this.#addr.mailbox = this.#str[0]!;
    this.#add();
    if (ret > 0 && r.peek() !== 0x3b) {
      for (;;) {
        this.#mailbox();
        if (!r.more || r.peek() !== 0x2c) break;
        r.pos++;
        if (r.skipLwsp() <= 0) {
          ret = -1;
          break;
        }
      }
    }
    if (ret >= 0) {
      if (!r.more || r.peek() !== 0x3b) ret = -1;
      else {
        r.pos++;
        ret = r.skipLwsp();
      }
    }
    if (ret < 0) this.#addr.invalid = true;
    this.#add();
    return ret === 0 ? 0 : 1;
  }

  /** mailbox = name-addr / addr-spec */
  #mailbox(): number {
    const start = this.#r.pos;
    let ret = this.#nameAddr();
    if (ret < 0) {
      this.#r.pos = start;
      ret = this.#addrSpec();
      const a = this.#addr;
      if (a.invalid && a.name === null && a.mailbox !== null && a.domain === null) {
        a.name = a.mailbox;
        a.mailbox = null;
      }
    }
    if (ret < 0) this.#addr.invalid = true;
    this.#addFixed();
    return ret;
  }

  /** name-addr = [display-name] angle-addr */
  #nameAddr(): number {
    const r = this.#r;
    this.#str = [''];
    if (r.phrase(this.#str) <= 0 || r.peek() !== 0x3c) return -1;
    this.#addr.name = this.#str[0] === '' ? null : this.#str[0]!;
    if (this.#angleAddr() < 0) {
      this.#addr.domain = 'SYNTAX_ERROR';
      this.#addr.invalid = true;
    }
    return r.more ? 1 : 0;
  }

  /** angle-addr = "<" [obs-route] addr-spec ">" */
  #angleAddr(): number {
    const r = this.#r;
    r.pos++;
    if (r.skipLwsp() <= 0) return -1;
    if (r.peek() === 0x40) {
      if (this.#domainList() > 0 && r.peek() === 0x3a) r.pos++;
      else {
        this.#addr.route = 'INVALID_ROUTE';
        if (!r.more) return -1;
      }
      if (r.skipLwsp() <= 0) return -1;
    }
    if (r.peek() !== 0x3e) {
      if (this.#localPart() <= 0) return -1;
      if (r.peek() === 0x40 && this.#domain() <= 0) return -1;
    }
    if (r.peek() !== 0x3e) return -1;
    r.pos++;
    return r.skipLwsp();
  }

  /** obs-domain-list = "@" domain *(*(CFWS / ",") [CFWS] "@" domain) */
  #domainList(): number {
    const r = this.#r;
    this.#str = [''];
    for (;;) {
      if (!r.more) return 0;
      if (r.peek() !== 0x40) break;
      if (this.#str[0] !== '') this.#str[0] += ',';
      this.#str[0] += '@';
      const ret = r.domain(this.#str);
      if (ret <= 0) return ret;
      while (r.skipLwsp() > 0 && r.peek() === 0x2c) r.pos++;
    }
    this.#addr.route = this.#str[0]!;
    return 1;
  }

  /** addr-spec = local-part "@" domain; a lone word or words become a display name. */
  #addrSpec(): number {
    const r = this.#r;
    let ret2 = -2;
    r.lastComment = '';
    const quotedString = r.peek() === 0x22;
    let ret = this.#localPart();
    if (ret <= 0) this.#addr.invalid = true;
    if (ret !== 0 && r.more && r.peek() === 0x40) {
      ret2 = this.#domain();
      if (ret2 <= 0) ret = ret2;
    }
    if (r.lastComment !== '') {
      this.#addr.name = r.lastComment;
    } else if (ret2 === -2) {
      this.#str[0] += ' ';
      const before = this.#str[0]!.length;
      r.phrase(this.#str);
      if (this.#str[0]!.length !== before) {
        this.#addr.mailbox = null;
        this.#addr.name = this.#str[0]!;
      } else if (!quotedString) {
        this.#addr.domain = '';
      }
      this.#addr.invalid = true;
      ret = -1;
    }
    return ret;
  }

  /** local-part = dot-atom / quoted-string / obs-local-part (dots allowed anywhere) */
  #localPart(): number {
    const r = this.#r;
    this.#str = [''];
    const ret = r.peek() === 0x22 ? r.quotedString(this.#str) : this.#looseDotAtom();
    if (ret < 0) return -1;
    this.#addr.mailbox = this.#str[0]!;
    return ret;
  }

  #looseDotAtom(): number {
    const r = this.#r;
    let ret = -1;
    do {
      while (r.peek() === 0x2e) {
        this.#str[0] += '.';
        r.pos++;
        if (!r.more) return 0; // local-part ends with dots; @domain is missing
        ret = 1;
      }
      if (r.peek() === 0x40) break;
      ret = r.atom(this.#str);
    } while (ret > 0 && r.peek() === 0x2e);
    return ret;
  }

  #domain(): number {
    this.#str = [''];
    const ret = this.#r.domain(this.#str);
    if (ret < 0) return -1;
    this.#addr.domain = this.#str[0]!;
    return ret;
  }
}
