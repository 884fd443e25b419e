/**
 * The exact commands each trust store runs. macOS and Windows cannot run here, so their argv
 * is checked word for word against the tools' documented syntax; Linux's runs for real in
 * test/integration/certs/trust.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  loginKeychain,
  parseSha1Hashes,
  securityArgv,
  SYSTEM_KEYCHAIN,
  withAdministratorPrompt,
} from '../../../../src-main/core/certs/trust/macos.js';
import { anchorFileName, systemArgv } from '../../../../src-main/core/certs/trust/linux-system.js';
import {
  certutilArgv,
  listedNicknames,
  trustFlags,
} from '../../../../src-main/core/certs/trust/nss.js';
import { certutilExeArgv, withUacPrompt } from '../../../../src-main/core/certs/trust/windows.js';
import type { TrustedCa } from '../../../../src-main/core/certs/trust/types.js';

const SHA1 = '0123456789abcdef0123456789abcdef01234567';
const ca: TrustedCa = {
  pem: '',
  host: 'mailbox',
  sha256: 'ab'.repeat(32),
  sha1: SHA1,
  nickname: 'Mailport local CA (mailbox) abababab',
  file: '/home/ann/.config/Mailport/certs/ca.pem',
};

describe('macOS security', () => {
  it('adds to the login keychain as a trusted root', () => {
    expect(securityArgv.add(loginKeychain('/Users/ann'), '/tmp/ca.pem', false)).toEqual([
      'security',
      'add-trusted-cert',
      '-r',
      'trustRoot',
      '-k',
      '/Users/ann/Library/Keychains/login.keychain-db',
      '/tmp/ca.pem',
    ]);
  });

  it('adds to the System keychain in the admin trust domain (-d)', () => {
    expect(securityArgv.add(SYSTEM_KEYCHAIN, '/tmp/ca.pem', true)).toEqual([
      'security',
      'add-trusted-cert',
      '-d',
      '-r',
      'trustRoot',
      '-k',
      '/Library/Keychains/System.keychain',
      '/tmp/ca.pem',
    ]);
  });

  it('removes the trust setting, then the certificate by its SHA-1', () => {
    expect(securityArgv.removeTrust('/tmp/ca.pem', true)).toEqual([
      'security',
      'remove-trusted-cert',
      '-d',
      '/tmp/ca.pem',
    ]);
    expect(securityArgv.remove('/Users/ann/Library/Keychains/login.keychain-db', SHA1)).toEqual([
      'security',
      'delete-certificate',
      '-Z',
      SHA1.toUpperCase(),
      '/Users/ann/Library/Keychains/login.keychain-db',
    ]);
  });

  it('asks for an administrator through osascript, quoting paths with spaces and quotes', () => {
    const argv = withAdministratorPrompt([
      securityArgv.add(
        SYSTEM_KEYCHAIN,
        `/Users/ann/Library/Application Support/Mai"l'port/ca.pem`,
        true,
      ),
    ]);
    expect(argv).toEqual([
      'osascript',
      '-e',
      `do shell script "'security' 'add-trusted-cert' '-d' '-r' 'trustRoot' '-k' ` +
        `'/Library/Keychains/System.keychain' ` +
        `'/Users/ann/Library/Application Support/Mai\\"l'\\\\''port/ca.pem'" ` +
        'with administrator privileges',
    ]);
  });

  it('reads SHA-1 hashes from find-certificate -Z', () => {
    const output = [
      `SHA-256 hash: ${'AB'.repeat(32)}`,
      `SHA-1 hash: ${SHA1.toUpperCase()}`,
      'keychain: "/Users/ann/Library/Keychains/login.keychain-db"',
      'version: 512',
      'SHA-1 hash: FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF',
    ].join('\n');
    expect(parseSha1Hashes(output)).toEqual([
      SHA1.toUpperCase(),
      'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF',
    ]);
  });
});

describe('Windows certutil.exe', () => {
  it('adds to and removes from the user Root store', () => {
    expect(certutilExeArgv.add('C:\\Users\\Ann\\ca.pem', false)).toEqual([
      'certutil',
      '-user',
      '-addstore',
      'Root',
      'C:\\Users\\Ann\\ca.pem',
    ]);
    expect(certutilExeArgv.remove(SHA1.toUpperCase(), false)).toEqual([
      'certutil',
      '-user',
      '-delstore',
      'Root',
      SHA1,
    ]);
    expect(certutilExeArgv.find(SHA1, false)).toEqual([
      'certutil',
      '-user',
      '-store',
      'Root',
      SHA1,
    ]);
  });

  it('uses the computer Root store for everyone, elevated through UAC', () => {
    expect(certutilExeArgv.add('C:\\ca.pem', true)).toEqual([
      'certutil',
      '-addstore',
      'Root',
      'C:\\ca.pem',
    ]);
    expect(withUacPrompt(certutilExeArgv.add("C:\\Users\\Ann O'Neil\\ca.pem", true))).toEqual([
      'powershell.exe',
      '-NoProfile',
      '-NonInteractive',
      '-Command',
      `$p = Start-Process -FilePath '"certutil"' -ArgumentList '"-addstore"','"Root"',` +
        `'"C:\\Users\\Ann O''Neil\\ca.pem"' -Verb RunAs -Wait -PassThru -WindowStyle Hidden; ` +
        'exit $p.ExitCode',
    ]);
  });
});

describe('Linux', () => {
  it('runs NSS certutil on sql: databases with trust C,,', () => {
    expect(certutilArgv.add('/home/ann/.pki/nssdb', ca.nickname, ca.file)).toEqual([
      'certutil',
      '-A',
      '-d',
      'sql:/home/ann/.pki/nssdb',
      '-n',
      'Mailport local CA (mailbox) abababab',
      '-t',
      'C,,',
      '-i',
      '/home/ann/.config/Mailport/certs/ca.pem',
    ]);
    expect(certutilArgv.create('/home/ann/.pki/nssdb')).toEqual([
      'certutil',
      '-N',
      '-d',
      'sql:/home/ann/.pki/nssdb',
      '--empty-password',
    ]);
    expect(certutilArgv.remove('/db', ca.nickname)).toEqual([
      'certutil',
      '-D',
      '-d',
      'sql:/db',
      '-n',
      ca.nickname,
    ]);
  });

  it('copies the anchor and updates in one pkexec call, so the password is asked once', () => {
    const debian = {
      tool: 'update-ca-certificates' as const,
      anchorsDir: '/usr/local/share/ca-certificates',
      update: ['update-ca-certificates'],
    };
    const anchor = `/usr/local/share/ca-certificates/${anchorFileName(ca)}`;
    expect(anchorFileName(ca)).toBe('mailport-mailbox-abababababababab.crt');
    expect(systemArgv.install(debian, ca.file, anchor, true)).toEqual([
      'pkexec',
      '/bin/sh',
      '-c',
      'set -e; mkdir -p "$1"; cp "$2" "$3"; chmod 644 "$3"; shift 3; "$@"',
      'sh',
      '/usr/local/share/ca-certificates',
      ca.file,
      anchor,
      'update-ca-certificates',
    ]);
    const fedora = {
      tool: 'update-ca-trust' as const,
      anchorsDir: '/etc/pki/ca-trust/source/anchors',
      update: ['update-ca-trust', 'extract'],
    };
    expect(systemArgv.remove(fedora, '/etc/pki/ca-trust/source/anchors/x.crt', false)).toEqual([
      '/bin/sh',
      '-c',
      'set -e; rm -f "$1"; shift; "$@"',
      'sh',
      '/etc/pki/ca-trust/source/anchors/x.crt',
      'update-ca-trust',
      'extract',
    ]);
  });

  it('reads nicknames and trust attributes from a certutil -L listing', () => {
    const listing = [
      '',
      'Certificate Nickname                                         Trust Attributes',
      '                                                             SSL,S/MIME,JAR/XPI',
      '',
      'Someone Else Root CA                                         C,,  ',
      'Mailport local CA (mailbox) abababab                         CT,C,C',
      'my server                                                    u,u,u',
    ].join('\n');
    expect(listedNicknames(listing)).toEqual([
      'Someone Else Root CA',
      'Mailport local CA (mailbox) abababab',
      'my server',
    ]);
    expect(trustFlags(listing, ca.nickname)).toBe('CT,C,C');
    expect(trustFlags(listing, 'Mailport')).toBeUndefined();
  });
});
