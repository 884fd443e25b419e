import { describe, expect, it } from 'vitest';
import { CommandReader, type ReaderEvent } from '../../../src-main/core/imap/command-reader.js';

function feed(input: string | Buffer, byteAtATime: boolean, max = 1000): ReaderEvent[] {
  const reader = new CommandReader((verb) =>
    verb === 'APPEND'
      ? { maxLiteralBytes: max, maxCommandBytes: max + 70_000 }
      : { maxLiteralBytes: 100, maxCommandBytes: 1000 },
  );
  const data = Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1');
  const events: ReaderEvent[] = [];
  const drain = (): void => {
    for (let e = reader.next(); e; e = reader.next()) events.push(e);
  };
  if (!byteAtATime) reader.push(data);
  else
    for (const b of data) {
      reader.push(Buffer.from([b]));
      drain();
    }
  drain();
  return events;
}

describe.each([false, true])('IMAP framing (byte at a time: %s)', (byteAtATime) => {
  it('splits lines into commands', () => {
    expect(feed('a1 NOOP\r\na2 CAPABILITY\r\n', byteAtATime)).toEqual([
      { kind: 'command', parts: ['a1 NOOP'] },
      { kind: 'command', parts: ['a2 CAPABILITY'] },
    ]);
  });

  it('asks for a synchronising literal and joins it to its command', () => {
    const events = feed('a LOGIN {5}\r\nalice {3}\r\npw!\r\n', byteAtATime);
    expect(events).toEqual([
      { kind: 'continue' },
      { kind: 'continue' },
      { kind: 'command', parts: ['a LOGIN ', Buffer.from('alice'), ' ', Buffer.from('pw!'), ''] },
    ]);
  });

  it('takes a LITERAL+ literal without asking', () => {
    const events = feed('a APPEND INBOX {4+}\r\nx\r\ny\r\n', byteAtATime);
    expect(events).toEqual([
      { kind: 'command', parts: ['a APPEND INBOX ', Buffer.from('x\r\ny'), ''] },
    ]);
  });

  it('takes a literal8 in APPEND (RFC 3516 §4.4) and keeps its NUL', () => {
    const events = feed('a APPEND INBOX ~{3}\r\nx\0y\r\n', byteAtATime);
    expect(events).toEqual([
      { kind: 'continue' },
      { kind: 'command', parts: ['a APPEND INBOX ', Buffer.from('x\0y', 'latin1'), ''] },
    ]);
  });

  it('refuses a literal8 elsewhere and skips it unread as a command', () => {
    const events = feed('a1 SEARCH TEXT ~{7+}\r\nb LOGIN\r\na2 NOOP\r\n', byteAtATime);
    expect(events).toEqual([
      { kind: 'error', tag: 'a1', text: expect.stringMatching(/literal8/) },
      { kind: 'command', parts: ['a2 NOOP'] },
    ]);
  });

  it('refuses a literal over the limit before reading it', () => {
    const events = feed('a1 LOGIN {101}\r\na2 NOOP\r\n', byteAtATime);
    expect(events).toEqual([
      { kind: 'error', tag: 'a1', text: expect.stringMatching(/Literal too large/) },
      { kind: 'command', parts: ['a2 NOOP'] },
    ]);
  });

  it('skips an over-limit LITERAL+ literal and the rest of its line', () => {
    const events = feed(`a1 LOGIN {200+}\r\n${'x'.repeat(200)} rest\r\na2 NOOP\r\n`, byteAtATime);
    expect(events).toEqual([
      { kind: 'error', tag: 'a1', text: expect.stringMatching(/Literal too large/) },
      { kind: 'command', parts: ['a2 NOOP'] },
    ]);
  });

  it('lets APPEND literals go up to the message limit', () => {
    const events = feed(
      'a APPEND INBOX {1000+}\r\n' + 'y'.repeat(1000) + '\r\n',
      byteAtATime,
      1000,
    );
    expect(events[0]).toMatchObject({ kind: 'command' });
  });
});

describe('IMAP framing limits', () => {
  it('refuses an over-long line with its tag and goes on', () => {
    const events = feed(`t1 NOOP ${'x'.repeat(70_000)}\r\nt2 NOOP\r\n`, false);
    expect(events).toEqual([
      { kind: 'error', tag: 't1', text: expect.stringMatching(/Line too long/) },
      { kind: 'command', parts: ['t2 NOOP'] },
    ]);
  });

  it('closes on a huge non-synchronising literal', () => {
    expect(feed('a1 LOGIN {999999999+}\r\na2 NOOP\r\n', false)).toEqual([
      { kind: 'error', tag: 'a1', text: expect.any(String) },
      { kind: 'fatal', text: expect.any(String) },
    ]);
  });

  it('skips every literal of a refused command, counting them toward the close', () => {
    const literal = `{100+}\r\n${'z'.repeat(100)}`;
    expect(
      feed(`a1 LOGIN {200+}\r\n${'x'.repeat(200)} ${literal} ${literal}\r\na2 NOOP\r\n`, true),
    ).toEqual([
      { kind: 'error', tag: 'a1', text: expect.stringMatching(/Literal too large/) },
      { kind: 'command', parts: ['a2 NOOP'] },
    ]);
  });

  it('bounds a whole command, not only each literal', () => {
    const literal = `{90+}\r\n${'z'.repeat(90)}`;
    const events = feed(`a1 X ${Array(20).fill(literal).join(' ')}\r\na2 NOOP\r\n`, false);
    expect(events).toEqual([
      { kind: 'error', tag: 'a1', text: expect.stringMatching(/Command too large/) },
      { kind: 'command', parts: ['a2 NOOP'] },
    ]);
  });
});
