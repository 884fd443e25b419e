/**
 * The phone setup page: self-contained HTML (no external resources, no scripts), readable on
 * a phone, light or dark with the phone's setting. Links are relative to `/<token>/`.
 */
import { xml as escape } from './autoconfig.js';
import type { SubmissionEndpoint } from './account-settings.js';

export const FILES = {
  der: 'mailport-ca.crt',
  pem: 'mailport-ca.pem',
  profile: 'mailport.mobileconfig',
  autoconfig: 'config-v1.1.xml',
} as const;

export interface PageOptions {
  readonly account: string;
  readonly hostName: string;
  /** The address the phone used to open this page. */
  readonly host: string;
  readonly imapsPort: number;
  /** Mailport's submission listener, when on: phones send through Mailport too. */
  readonly submission?: SubmissionEndpoint;
  /** The local CA's SHA-256 fingerprint; absent when the user's own certificate is served. */
  readonly caFingerprintSha256?: string;
  readonly expiresAt: Date;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1f; --bg: #fafafa; --muted: #5f6368; --box: #eef1f5; --accent: #0b57d0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8eaed; --bg: #141518; --muted: #a8adb4; --box: #22252b; --accent: #8ab4f8; }
}
body { font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; padding: 1rem; max-width: 40rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
a { color: var(--accent); }
code, .fp { font-family: ui-monospace, Menlo, Consolas, monospace; }
.fp { word-break: break-all; background: var(--box); padding: .5rem; border-radius: .4rem; display: block; }
.note { background: var(--box); padding: .75rem; border-radius: .5rem; }
.muted { color: var(--muted); font-size: .9rem; }
label { display: block; margin-top: .6rem; }
input[type=text], input[type=number], input[type=password] { font: inherit; width: 100%;
  box-sizing: border-box; padding: .4rem; }
button, .button { font: inherit; margin-top: 1rem; padding: .6rem 1rem; border-radius: .5rem;
  border: 0; background: var(--accent); color: var(--bg); text-decoration: none; display: inline-block; }
`;

export function pageHtml(o: PageOptions): string {
  const title = `Set up ${escape(o.account)} from Mailport on ${escape(o.hostName)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<p>Your mail server: <code>${escape(o.host)}</code>, port <code>${o.imapsPort}</code> (IMAP over TLS),
user name <code>${escape(o.account)}</code>.</p>
${outgoingLine(o)}
<p class="muted">This page closes at ${o.expiresAt.toISOString().slice(11, 16)} UTC, or when you choose Done
on the computer. Nothing is served after that.</p>
${certificateSection(o)}
${iosSection(o)}
${androidSection(o)}
${otherSection()}
</body>
</html>
`;
}

function certificateSection(o: PageOptions): string {
  if (!o.caFingerprintSha256) {
    return `<h2>Certificate</h2>
<p class="note">Mailport serves your own certificate, so there is no Mailport certificate
authority to install: your phone trusts the certificate if its issuer is one the phone already
trusts. Only the mail account is set up here.</p>`;
  }
  return `<h2>Certificate</h2>
<p>Mailport made its own certificate authority (CA). Your phone must trust it
<strong>before</strong> the mail account first connects. Its SHA-256 fingerprint:</p>
<code class="fp" id="fingerprint">${escape(o.caFingerprintSha256)}</code>
<p>Download: <a href="${FILES.der}">${FILES.der}</a> (DER) ·
<a href="${FILES.pem}">${FILES.pem}</a> (PEM)</p>`;
}

function outgoingLine(o: PageOptions): string {
  if (!o.submission) return '';
  return `<p>Outgoing server: <code>${escape(o.host)}</code>, port <code>${o.submission.port}</code>
(${securityWords(o.submission)}), the same user name and password: Mailport sends your mail on
through your provider.</p>`;
}

function securityWords(submission: SubmissionEndpoint): string {
  return submission.security === 'tls' ? 'SSL/TLS' : 'STARTTLS';
}

/** The provider's outgoing server, asked for only when Mailport does not send mail itself. */
function smtpFields(o: PageOptions): string {
  if (o.submission) return '';
  return `<label>Outgoing server <input type="text" name="smtpHost" required autocapitalize="none"
autocorrect="off" placeholder="smtp.example.com"></label>
<label>Port <input type="number" name="smtpPort" value="587" min="1" max="65535"></label>
<label><input type="checkbox" name="smtpSsl" value="on" checked> Use TLS</label>
<label>User name at that server <input type="text" name="smtpUser" autocapitalize="none"
autocorrect="off"></label>`;
}

function iosSection(o: PageOptions): string {
  const trustSteps = o.caFingerprintSha256
    ? `<li>Settings › General › VPN &amp; Device Management: tap the profile and Install.</li>
<li>Settings › General › About › Certificate Trust Settings: turn on full trust for
“Mailport CA”. Do this before opening Mail.</li>`
    : `<li>Settings › General › VPN &amp; Device Management: tap the profile and Install.</li>`;
  return `<h2>iPhone and iPad</h2>
<p>The profile holds ${o.caFingerprintSha256 ? 'the certificate authority and ' : ''}the mail account.
${
  o.submission
    ? 'Mail you send goes through Mailport too, so there is nothing else to fill in.'
    : "iOS needs an outgoing (SMTP) server in it: Mailport's sending is off, so name the server you already send through (your provider's)."
}</p>
<form method="post" action="${FILES.profile}">
${smtpFields(o)}
<label>Mailport password for ${escape(o.account)} (optional)
<input type="password" name="password" autocomplete="off"></label>
<p class="muted">Leave the password empty to type it on the phone instead. If you fill it in,
it travels over your local network unencrypted and is stored in the profile.</p>
<button type="submit">Download the profile</button>
</form>
<ol>
<li>Download the profile above and allow it.</li>
${trustSteps}
<li>Open Mail; type the passwords it asks for.</li>
</ol>
<p class="note">iOS Mail fetches from a server like this one on a schedule (Settings › Mail ›
Accounts › Fetch New Data), not by push.</p>`;
}

function androidSection(o: PageOptions): string {
  const trust = o.caFingerprintSha256
    ? `<li>Download <a href="${FILES.der}">${FILES.der}</a>. Settings › Security › Encryption &amp;
credentials › Install a certificate › CA certificate, and choose the file. Mail apps honour user
CA certificates.</li>
<li>Apps that ask you to accept the certificate themselves: compare the fingerprint above.</li>`
    : '';
  return `<h2>Android (K-9 Mail, Thunderbird, FairEmail)</h2>
<ol>
${trust}
<li>Add an account: IMAP, server <code>${escape(o.host)}</code>, port <code>${o.imapsPort}</code>,
security SSL/TLS, user name <code>${escape(o.account)}</code>, your Mailport password.${
    o.submission
      ? ` Outgoing (SMTP): the same server, port <code>${o.submission.port}</code>, security ${securityWords(o.submission)}, the same user name and password.`
      : ''
  }
Apps that read autoconfig files can use <a href="${FILES.autoconfig}">${FILES.autoconfig}</a>.</li>
</ol>`;
}

function otherSection(): string {
  return `<h2>Apps that cannot work with Mailport</h2>
<p class="note">Outlook mobile and Spark fetch your mail through their vendor's cloud servers,
which cannot reach a server on your local network. Use the phone's own mail app, Thunderbird,
K-9 Mail or FairEmail instead.</p>`;
}
