/** The IMAP command registry: name (with the UID forms) → command module. */
import type { ImapCommand } from '../command.js';
import { append } from './append.js';
import { authenticate } from './authenticate.js';
import { capability } from './capability.js';
import { close, unselect } from './close.js';
import { compress } from './compress.js';
import { copy, move, uidCopy, uidMove } from './copy.js';
import { create } from './create.js';
import { deleteCommand } from './delete.js';
import { enable } from './enable.js';
import { expunge, uidExpunge } from './expunge.js';
import { fetch, uidFetch } from './fetch.js';
import { id } from './id.js';
import { idle } from './idle.js';
import { list, lsub } from './list.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { namespace } from './namespace.js';
import { check, noop } from './noop.js';
import { rename } from './rename.js';
import { search, uidSearch } from './search.js';
import { examine, select } from './select.js';
import { sort, uidSort } from './sort.js';
import { starttls } from './starttls.js';
import { status } from './status.js';
import { store, uidStore } from './store.js';
import { subscribe, unsubscribe } from './subscribe.js';
import { thread, uidThread } from './thread.js';

const all: readonly ImapCommand[] = [
  append,
  authenticate,
  capability,
  check,
  close,
  compress,
  copy,
  create,
  deleteCommand,
  enable,
  examine,
  expunge,
  fetch,
  id,
  idle,
  list,
  login,
  logout,
  lsub,
  move,
  namespace,
  noop,
  rename,
  search,
  select,
  sort,
  starttls,
  status,
  store,
  subscribe,
  thread,
  uidCopy,
  uidExpunge,
  uidFetch,
  uidMove,
  uidSearch,
  uidSort,
  uidStore,
  uidThread,
  unselect,
  unsubscribe,
];

export const IMAP_COMMANDS: ReadonlyMap<string, ImapCommand> = new Map(all.map((c) => [c.name, c]));
