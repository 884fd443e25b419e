/**
 * The sent date of RFC 5256 §2.2: the Date header (RFC 5322 §3.3) as a UTC instant, read as
 * leniently as Dovecot reads it (optional weekday, 2- or 4-digit year, "." as well as ":"
 * between time fields, optional seconds, unknown or missing zones taken as +0000,
 * military zones by their real offsets). Undefined when the value cannot be read or names
 * a time that does not exist.
 */
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MINUTES_PER_HOUR = 60;
const MS_PER_MINUTE = 60_000;
const LEAP_SECOND = 60;
/** (time_t)-1, Dovecot's error value. */
const MS_BEFORE_EPOCH = -1000;
/** RFC 822 zone names, offsets in hours, daylight time an hour later. */
const US_ZONES: Record<string, number> = { E: -5, C: -6, M: -7, P: -8 };

/** atext (RFC 5322 §3.2.3) */
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\x80-\xff]+/;

class DateReader {
  #s: string;
  constructor(text: string) {
    this.#s = text;
    this.skip();
  }
  get next(): string | undefined {
    return this.#s[0];
  }
  /** Skips whitespace and (nested) comments. */
  skip(): void {
    for (;;) {
      const ws = /^[ \t\r\n]+/.exec(this.#s);
      if (ws) this.#s = this.#s.slice(ws[0].length);
      if (!this.#s.startsWith('(')) return;
      let depth = 0;
      let i = 0;
      for (; i < this.#s.length; i++) {
        const c = this.#s[i];
        if (c === '\\') i++;
        else if (c === '(') depth++;
        else if (c === ')' && --depth === 0) break;
      }
      this.#s = this.#s.slice(i + 1);
    }
  }
  /** The next atom ('' at the end), undefined when something else stands there. */
  atom(): string | undefined {
    if (this.#s === '') return '';
    const m = ATOM.exec(this.#s);
    if (!m) return undefined;
    this.#s = this.#s.slice(m[0].length);
    this.skip();
    return m[0];
  }
  take(): void {
    this.#s = this.#s.slice(1);
    this.skip();
  }
}

const isDigits = (s: string | undefined, min: number, max: number): boolean =>
  s !== undefined && s.length >= min && s.length <= max && /^\d+$/.test(s);

/** Milliseconds since the epoch, or undefined. */
export function parseSentDate(value: string): number | undefined {
  const r = new DateReader(value);
  let token = r.atom();
  if (token?.length === 3) {
    if (r.next !== ',') return undefined;
    r.take();
    token = r.atom();
  }
  if (!isDigits(token, 1, 2)) return undefined;
  const day = Number(token);
  const monthName = r.atom();
  const month = monthName ? MONTHS.indexOf(monthName.slice(0, 3).toUpperCase()) : -1;
  if (!monthName || monthName.length < 3 || month === -1) return undefined;
  const yearText = r.atom();
  if (!isDigits(yearText, 2, 2) && !isDigits(yearText, 4, 4)) return undefined;
  let year = Number(yearText);
  if (yearText!.length === 2) year += year < 70 ? 2000 : 1900;
  else if (year < 1900) return undefined;
  const hourText = r.atom();
  if (!hourText || !/^\d/.test(hourText) || !isDigits(hourText, 1, 2)) return undefined;
  const time = [Number(hourText), 0, 0];
  for (const i of [1, 2]) {
    if (r.next !== ':' && r.next !== '.') {
      if (i === 1) return undefined;
      break;
    }
    r.take();
    const part = r.atom();
    if (!isDigits(part, 2, 2)) return undefined;
    time[i] = Number(part);
  }
  const zone = r.atom();
  if (zone === undefined) return undefined;
  const utc = exactUtc(year, month, day, time[0]!, time[1]!, time[2]!);
  return utc === undefined ? undefined : utc - zoneMinutes(zone) * MS_PER_MINUTE;
}

/**
 * The instant of a calendar date and time read as UTC, or undefined when a field is out of
 * range (32 January, 25:61): Dovecot refuses what would need normalising, reads a leap
 * second as :59, and, as its error value, refuses the instant one second before the epoch.
 */
function exactUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  const sec = second === LEAP_SECOND ? LEAP_SECOND - 1 : second;
  const utc = Date.UTC(year, month, day, hour, minute, sec);
  const d = new Date(utc);
  const exact =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === sec;
  return exact && utc !== MS_BEFORE_EPOCH ? utc : undefined;
}

/** The zone's offset east of UTC in minutes; 0 for what is not known. */
function zoneMinutes(zone: string): number {
  const numeric = /^([+-])(\d\d)(\d\d)$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * MINUTES_PER_HOUR + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const upper = zone.toUpperCase();
  if (upper.length === 1) return militaryZone(upper) * MINUTES_PER_HOUR;
  if (upper.length === 3 && upper[2] === 'T') {
    const base = US_ZONES[upper[0]!];
    if (base === undefined) return 0;
    if (upper[1] === 'D') return (base + 1) * MINUTES_PER_HOUR;
    if (upper[1] === 'S') return base * MINUTES_PER_HOUR;
  }
  return 0;
}

/** RFC 822 §5.2 military zones with the signs it meant (A = +1 … M = +12, N = -1 … Y = -12). */
function militaryZone(letter: string): number {
  const code = letter.charCodeAt(0);
  const a = 'A'.charCodeAt(0);
  if (letter < 'J') return code - a + 1;
  if (letter === 'J' || letter === 'Z') return 0;
  if (letter <= 'M') return code - a;
  return 'M'.charCodeAt(0) - code;
}
