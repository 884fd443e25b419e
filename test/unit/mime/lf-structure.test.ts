/**
 * `fileFacts` parses a file stored with bare LF line ends as it is (the background indexer's
 * path, issue 16): its ENVELOPE, BODYSTRUCTURE and BODY must be the bytes `messageFacts` gives
 * for the wire form (what FETCH computes), for ordinary and hostile MIME alike.
 */
import { describe, expect, it } from 'vitest';
import { fileFacts, messageFacts } from '../../../src-main/core/imap/fetch/header-sync-facts.js';
import { toCrlf } from '../../../src-main/core/store/crlf.js';
import { generateMimeCorpus, mutateCorpus } from '../../helpers/mime-corpus.js';
import { generateHardCorpus } from '../../helpers/hard-corpus.js';

/** The file as most Maildirs store it: no CR at all. */
const lfOnly = (bytes: Buffer): Buffer =>
  Buffer.from(bytes.toString('latin1').replace(/\r/g, ''), 'latin1');

describe('header-sync facts of LF files', () => {
  const corpora: [string, Buffer[]][] = [
    ['generated MIME', generateMimeCorpus(300, 16).map(lfOnly)],
    ['mutated MIME', mutateCorpus(generateMimeCorpus(200, 17), 18).map(lfOnly)],
    ['hard cases', generateHardCorpus(200, 19).map((m) => lfOnly(m.bytes))],
    [
      'edge cases',
      [
        '',
        '\n',
        'Subject: no body',
        'Subject: x\n\n',
        'Content-Type: multipart/mixed; boundary=X\n\n--X\n\nno final boundary',
        'Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: message/rfc822\n--X--\n',
        'Content-Type: multipart/digest; boundary=D\n\n--D\n\nSubject: in\n\nhi\n--D--\nafter\n',
      ].map((s) => Buffer.from(s, 'latin1')),
    ],
  ];
  for (const [name, files] of corpora) {
    it(`equal the wire form's for ${name}`, () => {
      for (const file of files) expect(fileFacts(file, toCrlf)).toEqual(messageFacts(toCrlf(file)));
    });
  }

  it('takes the wire path for a file with any CR in it', () => {
    const file = Buffer.from('Subject: a\r\n\nbody\rwith a lone CR\n', 'latin1');
    expect(fileFacts(file, toCrlf)).toEqual(messageFacts(toCrlf(file)));
  });
});
