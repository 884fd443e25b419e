/**
 * Finds MIME part boundaries and offsets (RFC 2046 §5.1.1) with Dovecot's message-parser
 * rules; see structure.ts for the rules in prose. Iterative (a state machine over the
 * buffer), linear in the message size, bounded by limits.ts.
 */
import { readContentType, readParams } from './content-params.js';
import { readField } from './header-lines.js';
import { MAX_BOUNDARY_OCTETS, MAX_NESTED_MIME_PARTS, MAX_TOTAL_MIME_PARTS } from './limits.js';
import { Rfc822Reader } from './rfc822-tokens.js';

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
/** How far a boundary is looked for in a line without LF (Dovecot's BOUNDARY_END_MAX_LEN). */
const BOUNDARY_END_MAX = MAX_BOUNDARY_OCTETS + 4;

export interface PartDraft {
  readonly parent: PartDraft | null;
  readonly depth: number;
  readonly headerStart: number;
  bodyStart: number;
  bodyEnd: number;
  isMime: boolean;
  multipart: boolean;
  digest: boolean;
  rfc822: boolean;
  overflow: boolean;
  readonly children: PartDraft[];
}

interface Boundary {
  readonly text: Buffer;
  readonly part: PartDraft;
  epilogue: boolean;
}

function newPart(parent: PartDraft | null, headerStart: number, isMime: boolean): PartDraft {
  const part: PartDraft = {
    parent,
    depth: parent ? parent.depth + 1 : 0,
    headerStart,
    bodyStart: headerStart,
    bodyEnd: headerStart,
    isMime,
    multipart: false,
    digest: false,
    rfc822: false,
    overflow: false,
    children: [],
  };
  parent?.children.push(part);
  return part;
}

/** What the header said that the scanner needs (the first Content-Type only). */
interface HeaderFacts {
  seenType: boolean;
  text: boolean;
  boundary: string | null;
}

type Step =
  { kind: 'header'; part: PartDraft } | { kind: 'body'; part: PartDraft; pos: number } | null;

export function scanParts(buf: Buffer): PartDraft {
  return new PartScanner(buf).run();
}

class PartScanner {
  readonly #buf: Buffer;
  readonly #end: number;
  /** Open boundaries, oldest first. */
  #boundaries: Boundary[] = [];
  #total = 1;
  /**
   * The line end before a boundary that cut a header short. Dovecot counts it in the body of
   * that part's parent (and so of every part up to the boundary's multipart), not in the
   * boundary: an encapsulated message cut off this way is 2 octets and 1 line longer.
   */
  #carry = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
    this.#end = buf.length;
  }

  run(): PartDraft {
    const root = newPart(null, 0, false);
    let step: Step = { kind: 'header', part: root };
    while (step)
      step = step.kind === 'header' ? this.#header(step.part) : this.#body(step.part, step.pos);
    return root;
  }

  /** Reads a part's header; decides how its body is read. */
  #header(part: PartDraft): Step {
    const buf = this.#buf;
    const facts: HeaderFacts = { seenType: false, text: false, boundary: null };
    let pos = part.headerStart;
    let prevNewline = 0;
    let afterEoh = false;
    let opened = false;
    for (;;) {
      if (pos >= this.#end) {
        part.bodyStart = this.#end;
        break;
      }
      if (this.#isEmptyLine(pos) && facts.boundary !== null && part.isMime) {
        if (part.depth + 1 < MAX_NESTED_MIME_PARTS) {
          this.#boundaries.push({
            text: Buffer.from(facts.boundary, 'latin1'),
            part,
            epilogue: false,
          });
          opened = true;
        } else {
          part.overflow = true;
          part.multipart = false;
        }
        facts.boundary = null;
      }
      const b = this.#boundaryAt(pos);
      if (b && b.part !== part) {
        // A boundary ends the header; the line end before it belongs to the boundary.
        part.bodyStart = pos - prevNewline;
        this.#carry = prevNewline;
        break;
      }
      if (afterEoh) {
        part.bodyStart = pos;
        break;
      }
      if (this.#isEmptyLine(pos)) {
        prevNewline = buf[pos] === CR ? 2 : 1;
        pos += prevNewline;
        afterEoh = true;
        continue;
      }
      const field = readField(buf, pos, this.#end);
      this.#noteField(part, facts, field.key, field.value);
      prevNewline = buf[field.end - 1] !== LF ? 0 : buf[field.end - 2] === CR ? 2 : 1;
      pos = field.end;
    }
    return this.#afterHeader(part, facts, opened);
  }

  #isEmptyLine(pos: number): boolean {
    const c = this.#buf[pos];
    return c === LF || (c === CR && this.#buf[pos + 1] === LF);
  }

  /** MIME-Version and the first Content-Type decide what the part is (RFC 2045 §4, §5). */
  #noteField(part: PartDraft, facts: HeaderFacts, lower: string, value: string): void {
    if (lower === 'mime-version') part.isMime = true;
    if (lower !== 'content-type') return;
    part.isMime = true;
    if (facts.seenType) return;
    facts.seenType = true;
    const r = new Rfc822Reader(value);
    r.skipLwsp();
    const { value: type, ret } = readContentType(r);
    const t = type.toLowerCase();
    if (t === 'message/rfc822') part.rfc822 = true;
    else if (t.startsWith('text') && (t.length === 4 || t[4] === '/')) facts.text = true;
    else if (t.startsWith('multipart/')) {
      part.multipart = true;
      part.digest = t === 'multipart/digest';
    }
    if (ret < 0 || !part.multipart) return;
    const boundary = readParams(r).find(([key]) => key.toLowerCase() === 'boundary');
    if (boundary) facts.boundary = boundary[1].split('\0')[0]!.slice(0, MAX_BOUNDARY_OCTETS);
  }

  #afterHeader(part: PartDraft, facts: HeaderFacts, opened: boolean): Step {
    if (!part.isMime) {
      part.multipart = part.digest = part.rfc822 = part.overflow = false;
    }
    if (!facts.seenType || !part.isMime) {
      if (part.parent?.digest) part.rfc822 = true; // RFC 2046 §5.1.5
    }
    if (opened || !part.rfc822) return { kind: 'body', part, pos: part.bodyStart };
    if (part.depth + 1 < MAX_NESTED_MIME_PARTS && this.#total < MAX_TOTAL_MIME_PARTS) {
      this.#total++;
      return { kind: 'header', part: newPart(part, part.bodyStart, false) };
    }
    part.rfc822 = false;
    part.overflow = true;
    return { kind: 'body', part, pos: part.bodyStart };
  }

  /** Reads a body from `pos` (a line start) to the next known boundary or the end. */
  #body(part: PartDraft, pos: number): Step {
    const buf = this.#buf;
    if (this.#boundaries.length === 0) return this.#finish(part, this.#end);
    for (let line = pos; line < this.#end;) {
      const b = this.#boundaryAt(line);
      if (b) {
        let cut = line;
        if (line !== pos) cut -= line >= 2 && buf[line - 2] === CR ? 2 : 1;
        return this.#boundaryFound(part, b, line, cut);
      }
      const lf = buf.indexOf(LF, line);
      if (lf === -1) break;
      line = lf + 1;
    }
    return this.#finish(part, this.#end);
  }

  /** Ends every part from `part` up to (not including) `until` at `cut` (+ carry above it). */
  #close(part: PartDraft, until: PartDraft | null, cut: number): void {
    part.bodyEnd = cut;
    for (let p = part.parent; p && p !== until; p = p.parent) p.bodyEnd = cut + this.#carry;
    this.#carry = 0;
  }

  #finish(part: PartDraft, end: number): Step {
    this.#close(part, null, end);
    return null;
  }

  #boundaryFound(part: PartDraft, b: Boundary, line: number, cut: number): Step {
    this.#close(part, b.part, cut);
    const index = this.#boundaries.indexOf(b);
    this.#boundaries.length = b.epilogue ? index : index + 1;
    const lf = this.#buf.indexOf(LF, line);
    if (lf === -1) return this.#finish(b.part, this.#end);
    const top = this.#boundaries.at(-1);
    if (!top || top.part !== b.part) return { kind: 'body', part: b.part, pos: lf + 1 };
    this.#total++;
    return { kind: 'header', part: newPart(b.part, lf + 1, true) };
  }

  /** The boundary whose line starts at `pos`, if any (RFC 2046 §5.1.1, Dovecot's matching). */
  #boundaryAt(pos: number): Boundary | undefined {
    const buf = this.#buf;
    if (
      this.#boundaries.length === 0 ||
      buf[pos] !== DASH ||
      buf[pos + 1] !== DASH ||
      pos + 1 >= this.#end
    ) {
      return undefined;
    }
    if (this.#total >= MAX_TOTAL_MIME_PARTS) return undefined;
    const start = pos + 2;
    const lf = buf.indexOf(LF, start);
    let size: number;
    let trailingDashes = false;
    if (lf !== -1) {
      size = lf - start;
      if (size > 0 && buf[start + size - 1] === CR) size--;
      trailingDashes = size > 2 && buf[start + size - 1] === DASH && buf[start + size - 2] === DASH;
    } else {
      size = Math.min(this.#end - start, BOUNDARY_END_MAX);
    }
    let best: Boundary | undefined;
    for (let i = this.#boundaries.length - 1; i >= 0; i--) {
      const b = this.#boundaries[i]!;
      const len = b.text.length;
      if (len > size || (best && best.text.length >= len)) continue;
      if (buf.compare(b.text, 0, len, start, start + len) !== 0) continue;
      best = b;
      if (len === size || (len === size - 2 && trailingDashes)) break;
    }
    if (best) {
      const len = best.text.length;
      best.epilogue =
        this.#end - start >= len + 2 && buf[start + len] === DASH && buf[start + len + 1] === DASH;
    }
    return best;
  }
}
