/**
 * POP3 transcripts over real sockets against a running service: RFC 1939 semantics, the
 * maildrop lock, SASL PLAIN, the login policy and hostile input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';

let t: TestService;

beforeEach(async () => {
  t = await startService();
});
afterEach(async () => {
  await t.stop();
});

async function files(): Promise<string[]> {
  const names = [
    ...(await readdir(join(t.maildir, 'cur'))),
    ...(await readdir(join(t.maildir, 'new'))),
  ];
  return names.sort();
}

async function deliver(
  count: number,
  body = (i: number) => `Subject: m${i}\n\nbody ${i}\n`,
): Promise<void> {
  for (let i = 1; i <= count; i++) await t.store.deliver('INBOX', Buffer.from(body(i)));
}

async function login(): Promise<LineClient> {
  const c = await LineClient.connect(t.ports.pop3);
  expect(await c.line()).toMatch(/^\+OK /);
  expect(await c.command(`USER ${t.user}`)).toMatch(/^\+OK/);
  expect(await c.command(`PASS ${t.password}`)).toBe('+OK Logged in.');
  return c;
}

async function multiline(c: LineClient, command: string): Promise<string[]> {
  c.send(`${command}\r\n`);
  const lines = await c.until(/^(\.|-ERR.*)$/);
  return lines;
}

describe('POP3 session', () => {
  it('greets, lists capabilities and logs in with USER/PASS', async () => {
    const c = await LineClient.connect(t.ports.pop3);
    expect(await c.line()).toMatch(/^\+OK Mailport/);
    const capa = await multiline(c, 'CAPA');
    expect(capa[0]).toMatch(/^\+OK/);
    expect(capa).toEqual(
      expect.arrayContaining(['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'PIPELINING']),
    );
    expect(await c.command('USER tester')).toMatch(/^\+OK/);
    expect(await c.command('PASS wrong')).toBe('-ERR [AUTH] Authentication failed.');
    expect(await c.command('USER tester')).toMatch(/^\+OK/);
    expect(await c.command(`PASS ${t.password}`)).toBe('+OK Logged in.');
    expect(await c.command('QUIT')).toMatch(/^\+OK/);
    await c.closedByServer();
  });

  it('logs in with AUTH PLAIN, with an initial response or a continuation', async () => {
    await deliver(2);
    const token = Buffer.from(`\0${t.user}\0${t.password}`).toString('base64');
    const a = await LineClient.connect(t.ports.pop3);
    await a.line();
    expect(await a.command(`AUTH PLAIN ${token}`)).toBe('+OK Logged in.');
    expect(await a.command('STAT')).toMatch(/^\+OK 2 \d+$/);
    expect(await a.command('QUIT')).toMatch(/^\+OK/);

    const b = await LineClient.connect(t.ports.pop3);
    await b.line();
    expect(await b.command('AUTH PLAIN')).toBe('+ ');
    expect(await b.command(token)).toBe('+OK Logged in.');
    b.close();

    const c = await LineClient.connect(t.ports.pop3);
    await c.line();
    expect(await c.command('AUTH PLAIN')).toBe('+ ');
    expect(await c.command('*')).toMatch(/^-ERR/);
    expect(
      await c.command(
        `AUTH PLAIN ${Buffer.from(`x\0${t.user}\0${t.password}`).toString('base64')}`,
      ),
    ).toMatch(/^-ERR \[AUTH\]/);
    expect(await c.command('AUTH CRAM-MD5')).toMatch(/^-ERR Unsupported/);
    c.close();
  });

  it('serves STAT, LIST, UIDL, RETR and TOP with CRLF sizes and dot-stuffing', async () => {
    await deliver(1, () => 'Subject: dots\n\n.one\nplain\n..two\n');
    const c = await login();
    const wire = 'Subject: dots\r\n\r\n.one\r\nplain\r\n..two\r\n';
    expect(await c.command('STAT')).toBe(`+OK 1 ${wire.length}`);
    expect(await multiline(c, 'LIST')).toEqual(['+OK 1 messages', `1 ${wire.length}`, '.']);
    expect(await c.command('LIST 1')).toBe(`+OK 1 ${wire.length}`);
    expect(await c.command('LIST 2')).toMatch(
      /^-ERR There's no message 2|^-ERR There is no message 2/,
    );
    const uidl = await multiline(c, 'UIDL');
    expect(uidl[1]).toMatch(/^1 [0-9a-f]{16}$/);
    expect(await multiline(c, 'RETR 1')).toEqual([
      `+OK ${wire.length} octets`,
      'Subject: dots',
      '',
      '..one',
      'plain',
      '...two',
      '.',
    ]);
    expect(await multiline(c, 'TOP 1 1')).toEqual([
      '+OK Top of message follows',
      'Subject: dots',
      '',
      '..one',
      '.',
    ]);
    expect(await c.command('TOP 1')).toMatch(/^-ERR Usage/);
    expect(await c.command('QUIT')).toMatch(/^\+OK/);
  });

  it('answers pipelined commands in order (RFC 2449 PIPELINING)', async () => {
    await deliver(3);
    const c = await LineClient.connect(t.ports.pop3);
    await c.line();
    c.send(`USER ${t.user}\r\nPASS ${t.password}\r\nSTAT\r\nLIST 2\r\nNOOP\r\nQUIT\r\n`);
    const lines = await c.until(/^\+OK Logging out/);
    expect(lines[0]).toMatch(/^\+OK/);
    expect(lines[1]).toBe('+OK Logged in.');
    expect(lines[2]).toMatch(/^\+OK 3 /);
    expect(lines[3]).toMatch(/^\+OK 2 \d+$/);
    expect(lines[4]).toBe('+OK');
  });
});

describe('POP3 deletion happens only in the UPDATE state', () => {
  it('DELE + QUIT removes exactly those files', async () => {
    await deliver(5);
    const c = await login();
    const before = await files();
    const uidl = (await multiline(c, 'UIDL')).slice(1, -1);
    expect(await c.command('DELE 2')).toBe('+OK Message 2 deleted.');
    expect(await c.command('DELE 4')).toMatch(/^\+OK/);
    expect(await c.command('DELE 4')).toMatch(/^-ERR .*already deleted/);
    expect(await c.command('RETR 2')).toMatch(/^-ERR/);
    expect(await c.command('STAT')).toMatch(/^\+OK 3 /);
    expect(await files()).toEqual(before); // nothing happens before QUIT
    expect(await c.command('QUIT')).toBe('+OK Logging out, 2 messages deleted.');
    await c.closedByServer();
    const after = await files();
    expect(after).toHaveLength(3);
    const remaining = await Promise.all(
      after.map(
        async (f) =>
          (await readFile(join(t.maildir, 'cur', f), 'utf8')).match(/Subject: (m\d)/)![1],
      ),
    );
    expect(remaining.sort()).toEqual(['m1', 'm3', 'm5']);
    // The next session sees the survivors with the UIDs they had.
    const d = await login();
    expect((await multiline(d, 'UIDL')).slice(1, -1).map((l) => l.split(' ')[1])).toEqual(
      [uidl[0], uidl[2], uidl[4]].map((l) => l!.split(' ')[1]),
    );
    d.close();
  });

  it('RSET unmarks, and a session that drops without QUIT removes nothing', async () => {
    await deliver(3);
    const before = await files();
    const c = await login();
    await c.command('DELE 1');
    expect(await c.command('RSET')).toMatch(/^\+OK/);
    expect(await c.command('STAT')).toMatch(/^\+OK 3 /);
    await c.command('DELE 1');
    await c.command('DELE 2');
    c.close(); // vanish
    // The lock is released when the connection ends, and nothing was removed.
    const d = await login();
    expect(await d.command('STAT')).toMatch(/^\+OK 3 /);
    d.close();
    expect((await files()).length).toBe(before.length);
  });

  it('marks retrieved messages as seen at QUIT, as Dovecot does', async () => {
    await deliver(2);
    const c = await login();
    await multiline(c, 'RETR 1');
    await c.command('QUIT');
    await c.closedByServer();
    const names = await readdir(join(t.maildir, 'cur'));
    expect(names.filter((n) => n.endsWith(':2,S'))).toHaveLength(1);
    expect(names.filter((n) => n.endsWith(':2,'))).toHaveLength(1);
  });

  it('forgets retrieved messages at RSET, as Dovecot does', async () => {
    await deliver(3);
    const c = await login();
    await multiline(c, 'RETR 1');
    await multiline(c, 'RETR 2');
    expect(await c.command('RSET')).toMatch(/^\+OK/);
    await multiline(c, 'RETR 3');
    await c.command('QUIT');
    await c.closedByServer();
    const names = await readdir(join(t.maildir, 'cur'));
    const seen = names.filter((n) => n.endsWith(':2,S'));
    expect(seen).toHaveLength(1);
    expect(await readFile(join(t.maildir, 'cur', seen[0]!), 'utf8')).toContain('Subject: m3');
  });
});

describe('POP3 maildrop lock (RFC 1939 §8)', () => {
  it('refuses a second session with [IN-USE] until the first ends', async () => {
    const first = await login();
    const second = await LineClient.connect(t.ports.pop3);
    await second.line();
    await second.command(`USER ${t.user}`);
    expect(await second.command(`PASS ${t.password}`)).toMatch(/^-ERR \[IN-USE\]/);
    expect(await first.command('QUIT')).toMatch(/^\+OK/);
    await first.closedByServer();
    await second.command(`USER ${t.user}`);
    expect(await second.command(`PASS ${t.password}`)).toBe('+OK Logged in.');
    second.close();
  });
});

describe('POP3 hostile input', () => {
  it('answers bad commands with -ERR and goes on', async () => {
    const c = await LineClient.connect(t.ports.pop3);
    await c.line();
    expect(await c.command('STAT')).toMatch(/^-ERR STAT is not allowed before login/);
    expect(await c.command('FROB')).toBe('-ERR Unknown command FROB.');
    expect(await c.command('')).toBe('-ERR Empty command.');
    c.send(Buffer.from([0xff, 0xfe, 0x80, 0x0d, 0x0a]));
    expect(await c.line()).toMatch(/^-ERR Unknown command/);
    expect(await c.command(`NOOP ${'x'.repeat(10_000)}`)).toMatch(/^-ERR Line too long/);
    expect(await c.command('PASS nouser')).toBe('-ERR Send USER first.');
    expect(await c.command('CAPA')).toMatch(/^\+OK/);
    await c.until(/^\.$/);
    const d = await login();
    expect(await d.command('USER again')).toMatch(/^-ERR USER is not allowed after login/);
    expect(await d.command('RETR 0')).toMatch(/^-ERR/);
    expect(await d.command('RETR 99999999999')).toMatch(/^-ERR/);
    expect(await d.command('DELE -1')).toMatch(/^-ERR/);
    expect(await d.command('NOOP')).toBe('+OK');
    d.close();
    c.close();
  });

  it('closes a client after too many bad commands, and keeps serving others', async () => {
    const c = await LineClient.connect(t.ports.pop3);
    await c.line();
    c.send('BAD\r\n'.repeat(25));
    const lines = await c.until(/Too many bad commands/);
    expect(lines.filter((l) => l.startsWith('-ERR Unknown')).length).toBeGreaterThanOrEqual(19);
    await c.closedByServer();
    const d = await login();
    expect(await d.command('NOOP')).toBe('+OK');
    d.close();
  });

  it('survives a client that vanishes in the middle of a large RETR', async () => {
    const big = `Subject: big\n\n${'0123456789abcdef'
      .repeat(64)
      .concat('\n')
      .repeat(8 * 1024)}`;
    await deliver(1, () => big);
    const before = await files();
    const c = await login();
    c.send('DELE 1\r\nRETR 1\r\n');
    c.socket.pause();
    await new Promise((r) => setTimeout(r, 200));
    c.close();
    const d = await login(); // lock released, nothing deleted
    expect(await d.command('STAT')).toMatch(/^\+OK 1 /);
    d.close();
    const base = (names: string[]) => names.map((n) => n.split(':2,')[0]);
    expect(base(await files())).toEqual(base(before));
  });

  it('times out a silent client before login', async () => {
    await t.stop();
    t = await startService((s) => (s.limits.preauthTimeoutSeconds = 5));
    const c = await LineClient.connect(t.ports.pop3);
    await c.line();
    expect(await c.line(8_000)).toBe(
      '-ERR Sign-in took too long (the limit is 5 seconds from connecting).',
    );
    await c.closedByServer();
  });
});

describe('POP3 login policy', () => {
  it('refuses credentials on a cleartext connection under "secure", naming the fix', async () => {
    await t.stop();
    t = await startService((s) => (s.security.loginPolicy = 'secure'));
    const c = await LineClient.connect(t.ports.pop3);
    await c.line();
    const capa = await multiline(c, 'CAPA');
    expect(capa).not.toContain('USER');
    expect(capa).not.toContain('SASL PLAIN');
    expect(await c.command(`USER ${t.user}`)).toMatch(
      /^-ERR \[AUTH\] Plain-text sign-in is disabled.*POP3S/,
    );
    expect(await c.command(`PASS ${t.password}`)).toMatch(/^-ERR \[AUTH\]/);
    const token = Buffer.from(`\0${t.user}\0${t.password}`).toString('base64');
    expect(await c.command(`AUTH PLAIN ${token}`)).toMatch(/^-ERR \[AUTH\]/);
    c.close();
  });
});
