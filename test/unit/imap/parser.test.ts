import { describe, expect, it } from 'vitest';
import { parseCommand, ParseError, type Token } from '../../../src-main/core/imap/parser.js';

const atom = (value: string): Token => ({ type: 'atom', value });
const str = (value: string, literal = false): Token => ({
  type: 'string',
  value: Buffer.from(value),
  literal,
});

describe('IMAP command parser', () => {
  it('parses tag, name and arguments of every shape', () => {
    expect(parseCommand(['a1 login "alice" "p\\"w\\\\"'])).toEqual({
      tag: 'a1',
      name: 'LOGIN',
      args: [str('alice'), str('p"w\\')],
    });
    expect(parseCommand(['x UID fetch 1:* (FLAGS UID)']).name).toBe('UID FETCH');
    expect(parseCommand(['x STORE 1 +FLAGS (\\Seen $Label1)']).args).toEqual([
      atom('1'),
      atom('+FLAGS'),
      { type: 'list', items: [atom('\\Seen'), atom('$Label1')] },
    ]);
    expect(parseCommand(['x APPEND INBOX () ', Buffer.from('hi'), '']).args).toEqual([
      atom('INBOX'),
      { type: 'list', items: [] },
      str('hi', true),
    ]);
  });

  it('parses FETCH sections and partials', () => {
    const { args } = parseCommand([
      't FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To)]<0.100> BODY[1.2.MIME] BODY[])',
    ]);
    expect(args[1]).toEqual({
      type: 'list',
      items: [
        {
          type: 'section',
          name: 'BODY.PEEK',
          section: [atom('HEADER.FIELDS'), { type: 'list', items: [atom('From'), atom('To')] }],
          partial: { start: 0, length: 100 },
        },
        { type: 'section', name: 'BODY', section: [atom('1.2.MIME')] },
        { type: 'section', name: 'BODY', section: [] },
      ],
    });
  });

  it.each([
    ['', /tag/],
    ['a1', /Missing command/],
    ['+x NOOP', /tag/],
    ['a1 LOGIN "unterminated', /Unterminated/],
    ['a1 LIST (a', /Missing "\)"/],
    ['a1 LIST a)', /space|Unexpected/],
    ['a1 NOOP "bad\\q"', /escape/],
    ['a1 FETCH 1 BODY[HEADER', /Missing "]"/],
    ['a1 FETCH 1 BODY[]<1.0>', /partial/],
    [`a1 SEARCH ${'('.repeat(40)}ALL${')'.repeat(40)}`, /nested/],
  ])('refuses %j', (line, message) => {
    expect(() => parseCommand([line])).toThrow(ParseError);
    expect(() => parseCommand([line])).toThrow(message);
  });

  it('keeps the tag of a command it refuses', () => {
    try {
      parseCommand(['tag7 LOGIN "x']);
    } catch (err) {
      expect((err as ParseError).tag).toBe('tag7');
    }
    expect.assertions(1);
  });
});
