/**
 * The configuration profile as iOS reads it: an Apple property list with a Configuration
 * payload holding the CA (`com.apple.security.root`) and the IMAP account
 * (`com.apple.mail.managed`), parsed back with the plist package.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'plist';
import { buildMobileconfig } from '../../../src-main/core/phone/mobileconfig.js';

const UUID = /^[0-9A-F]{8}-([0-9A-F]{4}-){3}[0-9A-F]{12}$/;
type Dict = Record<string, unknown>;

/** A CA made by openssl, so the bytes compared are not the code's own. */
function opensslCa(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'mailport-phone-ca-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-outform',
      'DER',
      '-out',
      join(dir, 'ca.der'),
      '-days',
      '2',
      '-subj',
      '/CN=Test CA',
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(join(dir, 'ca.der'));
}

const outgoing = { host: 'smtp.example.com', port: 587, ssl: true, username: 'me@example.com' };

function profile(
  password?: string,
  caDer: Buffer | null = opensslCa(),
): {
  top: Dict;
  root: Dict | undefined;
  mail: Dict;
} {
  const text = buildMobileconfig({
    hostName: 'desk',
    incoming: {
      host: '192.168.1.20',
      port: 10993,
      username: 'tester',
      ...(password && { password }),
    },
    outgoing,
    ...(caDer && { caDer }),
  });
  const top = parse(text) as Dict;
  const content = top.PayloadContent as Dict[];
  return {
    top,
    root: content.find((p) => p.PayloadType === 'com.apple.security.root'),
    mail: content.find((p) => p.PayloadType === 'com.apple.mail.managed')!,
  };
}

describe('the configuration profile', () => {
  it('is a Configuration payload holding the CA and the IMAP account, each identified', () => {
    const der = opensslCa();
    const { top, root, mail } = profile(undefined, der);
    expect(top.PayloadType).toBe('Configuration');
    expect(top.PayloadVersion).toBe(1);
    expect((top.PayloadContent as Dict[]).map((p) => p.PayloadType)).toEqual([
      'com.apple.security.root',
      'com.apple.mail.managed',
    ]);
    const all = [top, root!, mail];
    for (const payload of all) {
      expect(payload.PayloadUUID).toMatch(UUID);
      expect(payload.PayloadIdentifier).toMatch(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/);
      expect(payload.PayloadVersion).toBe(1);
      expect(typeof payload.PayloadDisplayName).toBe('string');
    }
    expect(new Set(all.map((p) => p.PayloadUUID)).size).toBe(3);
    expect(new Set(all.map((p) => p.PayloadIdentifier)).size).toBe(3);
    expect(Buffer.from(root!.PayloadContent as Uint8Array).equals(der)).toBe(true);
  });

  it('describes the IMAP server over TLS and the outgoing server the user named', () => {
    const { mail } = profile();
    expect(mail).toMatchObject({
      EmailAccountType: 'EmailTypeIMAP',
      IncomingMailServerHostName: '192.168.1.20',
      IncomingMailServerPortNumber: 10993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: 'tester',
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: 'smtp.example.com',
      OutgoingMailServerPortNumber: 587,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: 'me@example.com',
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
    });
    expect(mail).not.toHaveProperty('IncomingPassword');
  });

  it('carries the password only when given', () => {
    expect(profile('s3cret & <more>').mail.IncomingPassword).toBe('s3cret & <more>');
  });

  it('gets new UUIDs each time', () => {
    const a = profile();
    const b = profile();
    expect(a.top.PayloadUUID).not.toBe(b.top.PayloadUUID);
    expect(a.mail.PayloadUUID).not.toBe(b.mail.PayloadUUID);
  });

  it('holds only the account when the user serves their own certificate', () => {
    const { top, root } = profile(undefined, null);
    expect(root).toBeUndefined();
    expect((top.PayloadContent as Dict[]).map((p) => p.PayloadType)).toEqual([
      'com.apple.mail.managed',
    ]);
  });
});
