/**
 * IMAP dates: date-time `"dd-Mon-yyyy hh:mm:ss +zzzz"` (INTERNALDATE, APPEND) and date
 * `d-Mon-yyyy` (SEARCH), RFC 3501 §9.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function parseDateTime(text: string): Date | undefined {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(
    text,
  );
  if (!m) return undefined;
  const month = monthIndex(m[2]!);
  if (month === undefined) return undefined;
  const [day, year, hh, mm, ss] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  return new Date(Date.UTC(year, month, day, hh, mm, ss) - offset * 60_000);
}

/** A SEARCH date as the UTC midnight that starts it (RFC 3501 compares dates, not times). */
export function parseDate(text: string): Date | undefined {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  const month = m ? monthIndex(m[2]!) : undefined;
  if (!m || month === undefined) return undefined;
  const day = Number(m[1]);
  if (day < 1 || day > 31) return undefined;
  return new Date(Date.UTC(Number(m[3]), month, day));
}

function monthIndex(name: string): number | undefined {
  const index = MONTHS.findIndex((mon) => mon.toLowerCase() === name.toLowerCase());
  return index === -1 ? undefined : index;
}

/** INTERNALDATE in the server's local zone, as Dovecot prints it: `"17-Jul-1996 02:44:25 -0700"`. */
export function formatDateTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const day = pad(date.getDate());
  return (
    `"${day}-${MONTHS[date.getMonth()]}-${date.getFullYear()} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}"`
  );
}

/** The calendar day of a moment in the server's zone, as UTC midnight (for SINCE/BEFORE/ON). */
export function localDay(date: Date): number {
  return Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
}
