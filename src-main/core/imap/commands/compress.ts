/**
 * COMPRESS — RFC 4978 §3:
 *
 *   command-auth =/ compress
 *   compress     = "COMPRESS" SP algorithm
 *   algorithm    = "DEFLATE"
 *
 * After the tagged OK both directions are raw DEFLATE (the session switches the socket).
 * A second COMPRESS gets NO [COMPRESSIONACTIVE] (RFC 4978 §3, the code from RFC 5530 §3).
 */
import { expectCount } from '../args.js';
import type { ImapCommand } from '../command.js';
import { bad, no, ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { quoteInput } from '../../net/client-text.js';

export const compress: ImapCommand = {
  name: 'COMPRESS',
  states: AUTHENTICATED,
  handle(ctx, args) {
    expectCount(args, 1);
    const mechanism = args[0]?.type === 'atom' ? args[0].value : '';
    const start = ctx.startCompression; // read once: the setting may change meanwhile
    if (!start) return bad('COMPRESS is turned off on this server');
    if (ctx.compressed) return no('Compression is already on.', 'COMPRESSIONACTIVE');
    if (mechanism.toUpperCase() !== 'DEFLATE')
      return no(`Unknown compression mechanism ${quoteInput(mechanism || '?')}`);
    start();
    return ok('Begin compression.');
  },
};
