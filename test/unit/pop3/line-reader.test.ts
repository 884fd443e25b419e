import { describe, expect, it } from 'vitest';
import { LineReader } from '../../../src-main/core/pop3/line-reader.js';

describe('POP3 line reader', () => {
  it('splits CRLF and bare LF lines fed a byte at a time', () => {
    const reader = new LineReader(100);
    const events = [...Buffer.from('USER a\r\nPASS b c\nQUIT\r\n')].flatMap((b) =>
      reader.push(Buffer.from([b])),
    );
    expect(events).toEqual([
      { kind: 'line', text: 'USER a' },
      { kind: 'line', text: 'PASS b c' },
      { kind: 'line', text: 'QUIT' },
    ]);
  });

  it('reports an over-long line once and resumes after its end', () => {
    const reader = new LineReader(10);
    const events = [
      ...reader.push(Buffer.from('X'.repeat(30))),
      ...reader.push(Buffer.from('Y'.repeat(30))),
      ...reader.push(Buffer.from('Z\r\nNOOP\r\n')),
    ];
    expect(events).toEqual([{ kind: 'overflow' }, { kind: 'line', text: 'NOOP' }]);
  });

  it('reports an over-long line that arrives whole', () => {
    const reader = new LineReader(10);
    expect(reader.push(Buffer.from(`${'X'.repeat(11)}\r\nSTAT\r\n`))).toEqual([
      { kind: 'overflow' },
      { kind: 'line', text: 'STAT' },
    ]);
  });
});
