/**
 * Debian's Dovecot, started on loopback against a Maildir of the test's, as the reference
 * server. Dovecot refuses mail access as root, so the Maildir is served as `nobody`; call
 * `handOver()` after Mailport (running as the test's user) wrote to it. Sent, Drafts, Trash,
 * Junk and Archive carry their SPECIAL-USE attributes (RFC 6154), as in Debian's
 * 15-mailboxes.conf, since Mailport marks those names too.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:net';
import { freePort } from './ports.js';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';
export const hasDovecot = existsSync(DOVECOT_BINARY);

export interface DovecotServer {
  readonly imapPort: number;
  readonly pop3Port: number;
  readonly user: string;
  readonly password: string;
  /** Gives the Maildir to the user Dovecot serves it as. */
  handOver(): void;
  stop(): Promise<void>;
}

const MAIL_USER = 'nobody';

export interface DovecotOptions {
  /**
   * Where Dovecot keeps its index: in memory (rebuilt by every session; the default), or in
   * files outside the Maildir, which it needs to track \Recent across sessions.
   */
  readonly index?: 'memory' | 'disk';
  /** Loads the imap_zlib plugin: COMPRESS=DEFLATE (RFC 4978) offered after login. */
  readonly compress?: boolean;
}

export async function startDovecot(
  maildir: string,
  options: DovecotOptions = {},
): Promise<DovecotServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mailport-dovecot-'));
  await chmod(dir, 0o755); // Dovecot's auth process runs as its own user
  const imapPort = await freePort();
  const pop3Port = await freePort();
  const user = 'tester';
  const password = 'secret-password';
  await mkdir(join(dir, 'run'), { recursive: true });
  await writeFile(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`);
  const uid = execFileSync('id', ['-u', MAIL_USER]).toString().trim();
  const gid = execFileSync('id', ['-g', MAIL_USER]).toString().trim();
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home
}
mail_location = maildir:${maildir}:INDEX=${options.index === 'disk' ? `${dir}/index` : 'MEMORY'}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Junk {
    special_use = \\Junk
  }
  mailbox Archive {
    special_use = \\Archive
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3Port}
  }
  inet_listener pop3s {
    port = 0
  }
}
${options.compress ? 'protocol imap {\n  mail_plugins = $mail_plugins zlib imap_zlib\n}' : ''}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
  const configPath = join(dir, 'dovecot.conf');
  await writeFile(configPath, config);
  const handOver = (): void => {
    execFileSync('chown', ['-R', `${uid}:${gid}`, maildir]);
  };
  if (options.index === 'disk') {
    await mkdir(join(dir, 'index'));
    execFileSync('chown', [`${uid}:${gid}`, join(dir, 'index')]);
  }
  handOver();
  const child: ChildProcess = spawn(DOVECOT_BINARY, ['-F', '-c', configPath], { stdio: 'ignore' });
  await waitForPort(imapPort);
  return {
    imapPort,
    pop3Port,
    user,
    password,
    handOver,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`Dovecot did not start listening on ${port}`);
}
