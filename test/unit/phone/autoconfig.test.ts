/** The Thunderbird/K-9 autoconfig file, read back by Python's XML parser. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { buildAutoconfig } from '../../../src-main/core/phone/autoconfig.js';

const READ = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
out = {"tag": root.tag, "version": root.get("version")}
for server in root.iter():
    if server.tag in ("incomingServer", "outgoingServer"):
        out[server.tag] = {"type": server.get("type"), **{c.tag: c.text for c in server}}
print(json.dumps(out))
`;

function read(xml: string): Record<string, unknown> {
  return JSON.parse(execFileSync('python3', ['-c', READ], { input: xml, encoding: 'utf8' }));
}

describe('autoconfig', () => {
  it('names the IMAP server over SSL with a password', () => {
    const parsed = read(
      buildAutoconfig({
        hostName: 'desk',
        incoming: { host: '10.0.0.5', port: 993, username: 'a&b<c>' },
      }),
    );
    expect(parsed).toEqual({
      tag: 'clientConfig',
      version: '1.1',
      incomingServer: {
        type: 'imap',
        hostname: '10.0.0.5',
        port: '993',
        socketType: 'SSL',
        username: 'a&b<c>',
        authentication: 'password-cleartext',
      },
    });
  });

  it('adds the outgoing server when the user named one', () => {
    const parsed = read(
      buildAutoconfig({
        hostName: 'desk',
        incoming: { host: '10.0.0.5', port: 993, username: 'me' },
        outgoing: { host: 'smtp.example.com', port: 465, ssl: true, username: 'me@example.com' },
      }),
    );
    expect(parsed.outgoingServer).toEqual({
      type: 'smtp',
      hostname: 'smtp.example.com',
      port: '465',
      socketType: 'SSL',
      username: 'me@example.com',
      authentication: 'password-cleartext',
    });
  });
});
