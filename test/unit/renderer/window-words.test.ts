/**
 * The settings window's pure parts: the port checks of Protocols and ports, where an
 * updateSettings error belongs, log lines in plain words, sizes and events.
 */
import { describe, expect, it } from 'vitest';
import type { ListenerName } from '../../../src-main/core/config/schema.js';
import { LISTENER_TITLES } from '../../../src-main/core/service.js';
import { checkPorts, TITLES, type ListenerField } from '../../../src-renderer/src/lib/listeners.js';
import { errorsByKey } from '../../../src-renderer/src/lib/errors-by-key.js';
import { filterLines, parseLine } from '../../../src-renderer/src/lib/log-lines.js';
import {
  bindWords,
  eventWords,
  formatSize,
  tlsWords,
} from '../../../src-renderer/src/lib/format.js';

type Fields = Record<ListenerName, ListenerField>;
const fields = (imaps: string, imap: string, pop3s: string, pop3: string): Fields => ({
  imaps: { enabled: true, port: imaps },
  imap: { enabled: true, port: imap },
  pop3s: { enabled: true, port: pop3s },
  pop3: { enabled: false, port: pop3 },
  submissions: { enabled: false, port: '10465' },
  submission: { enabled: false, port: '10587' },
});

describe('port checks', () => {
  it.each([
    ['', 'Enter a port number from 1 to 65535.'],
    ['0', 'Enter a port number from 1 to 65535.'],
    ['65536', 'Enter a port number from 1 to 65535.'],
    ['12.5', 'Enter a port number from 1 to 65535.'],
    ['-1', 'Enter a port number from 1 to 65535.'],
    ['port', 'Enter a port number from 1 to 65535.'],
    ['10995', 'Port 10995 is also set for POP3 over TLS.'],
    ['7780', "Port 7780 is the settings page's own port."],
  ])('refuses %j for IMAPS', (port, error) => {
    expect(checkPorts(fields(port, '10143', '10995', '10110'), 7780).imaps).toEqual({
      error,
      warning: null,
    });
  });

  it('flags a port below 1024 without refusing it, and accepts the rest', () => {
    const checks = checkPorts(fields('993', ' 10143 ', '10995', '65535'), 7780);
    expect(checks.imaps.error).toBeNull();
    expect(checks.imaps.warning).toMatch(/below 1024 need administrator rights.*10993/);
    for (const name of ['imap', 'pop3s', 'pop3'] as const)
      expect(checks[name]).toEqual({ error: null, warning: null });
  });

  it('refuses a submission listener switched on while no relay is saved, and says where', () => {
    const typed = fields('10993', '10143', '10995', '10110');
    typed.submission.enabled = true;
    const withoutRelay = checkPorts(typed, 7780, false);
    expect(withoutRelay.submission.error).toMatch(/outgoing server first.*Outgoing mail screen/);
    expect(withoutRelay.submissions).toEqual({ error: null, warning: null });
    expect(checkPorts(typed, 7780, true).submission).toEqual({ error: null, warning: null });
  });

  it('refuses a submission port that another listener already has', () => {
    const typed = fields('10993', '10143', '10995', '10110');
    typed.submissions.port = '10143';
    expect(checkPorts(typed, 7780).submissions.error).toBe(
      'Port 10143 is also set for IMAP with STARTTLS.',
    );
  });
});

describe('errorsByKey', () => {
  it('splits a CONFLICT message by listener', () => {
    const message =
      'The change was not applied. imap: Another program is already using port 143. Choose another. pop3: Port 110 needs administrator rights.';
    expect(errorsByKey(message, ['imaps', 'imap', 'pop3s', 'pop3'])).toEqual({
      imap: 'Another program is already using port 143. Choose another.',
      pop3: 'Port 110 needs administrator rights.',
    });
  });

  it('splits one line per setting key and leaves unknown text alone', () => {
    const message = 'limits.maxConnections: Too big\nlimits.maxConnectionsPerAddress: Too small';
    expect(
      errorsByKey(message, ['limits.maxConnections', 'limits.maxConnectionsPerAddress']),
    ).toEqual({
      'limits.maxConnections': 'Too big',
      'limits.maxConnectionsPerAddress': 'Too small',
    });
    expect(errorsByKey('Something else went wrong.', ['imap'])).toEqual({});
  });
});

describe('log lines', () => {
  const raw = [
    '{"level":30,"time":1700000000000,"msg":"listener","listener":"imaps"}',
    '{"level":30,"time":1700000000001,"msg":"login failed","user":"bob","remote":"192.0.2.9"}',
    '{"level":50,"time":1700000000002,"component":"store","msg":"sync failed","err":{"message":"EACCES"}}',
    'not json at all',
  ];
  const lines = raw.map(parseLine);

  it('reads pino JSON into level, component and a message with its details', () => {
    expect(lines.map((l) => [l.level, l.component, l.message])).toEqual([
      ['info', '', 'listener (imaps)'],
      ['info', '', 'login failed (bob · 192.0.2.9)'],
      ['error', 'store', 'sync failed (EACCES)'],
      ['info', '', 'not json at all'],
    ]);
  });

  it('keeps the status, error and remedy of a listener line', () => {
    const failed = parseLine(
      JSON.stringify({
        level: 50,
        time: 1700000000003,
        msg: 'listener failed',
        listener: 'pop3',
        status: 'failed',
        error: 'Port 110 is in use by another program.',
        remedy: 'Choose another port.',
      }),
      4,
    );
    expect(failed.message).toBe(
      'listener failed (pop3 · failed): Port 110 is in use by another program. To fix it: Choose another port.',
    );
    const listening = parseLine(
      '{"level":30,"time":1,"msg":"listener","listener":"imaps","status":"listening","address":"::","port":10993}',
      5,
    );
    expect(listening.message).toBe('listener (imaps · listening · :: · port 10993)');
  });

  it('filters by lowest level and by text', () => {
    expect(filterLines(lines, 'error', '').map((l) => l.message)).toEqual(['sync failed (EACCES)']);
    expect(filterLines(lines, 'debug', 'BOB').map((l) => l.message)).toEqual([
      'login failed (bob · 192.0.2.9)',
    ]);
  });
});

describe('words', () => {
  it('names the listeners as the CLI does: TLS, never SSL', () => {
    expect(TITLES).toEqual(LISTENER_TITLES);
    expect(Object.values(TITLES).join(' ')).not.toContain('SSL');
    expect(tlsWords({ name: 'imaps', tls: 'implicit' })).not.toContain('SSL');
  });

  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1536, '1.5 KB'],
    [15 * 1024 * 1024, '15 MB'],
  ])('formatSize(%i) is %s', (bytes, words) => expect(formatSize(bytes)).toBe(words));

  it('names bind addresses and events as a user would', () => {
    expect([bindWords('::'), bindWords('127.0.0.1'), bindWords('fd00::2')]).toEqual([
      'all networks',
      'this computer only',
      '[fd00::2]',
    ]);
    expect(
      eventWords({
        type: 'listener',
        listener: 'pop3',
        state: { status: 'failed', error: 'Port 110 is in use.', remedy: '' },
        at: '',
      }),
    ).toBe('POP3 with STLS could not start: Port 110 is in use.');
    expect(
      eventWords({ type: 'login', ok: false, account: 'bob', remoteAddress: '192.0.2.9', at: '' }),
    ).toBe('192.0.2.9 failed to sign in as bob.');
  });
});
