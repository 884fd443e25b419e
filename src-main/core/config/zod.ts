/**
 * zod as every schema in Mailport uses it, configured before any schema is built.
 *
 * `jitless`: zod 4 compiles a parser for each object schema (generated source run through
 * `new Function`) at its first parse. The settings file is parsed once at start and on each
 * change, the ControlApi's arguments once per request: the generated code cost more to write
 * and compile than it ever saved (about 7 ms of `mailport serve`'s start, issue 16), and the
 * interpreted path gives the same results and the same issues. zod reads the option when a
 * schema is constructed, hence this module: the schema modules import `z` from here only.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
