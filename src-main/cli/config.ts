/** `mailport config get [KEY]` and `mailport config set KEY VALUE`. */
import { dataPaths } from '../core/config/paths.js';
import { getSetting, setSetting, settingKeys } from '../core/config/keys.js';
import { SettingsError, SettingsStore } from '../core/config/settings-store.js';
import { infeasible } from '../core/config/feasible.js';
import { UsageError } from './usage.js';

export async function configCommand(dataDir: string, args: string[]): Promise<number> {
  const [action, key, value, extra] = args;
  const store = await SettingsStore.open(dataPaths(dataDir).settings);
  if (action === 'get') {
    if (value !== undefined) throw new UsageError(`Unexpected argument "${value}".`);
    const settings = store.current;
    for (const k of key ? [key] : settingKeys())
      console.log(key ? getSetting(settings, k) : `${k} = ${getSetting(settings, k)}`);
    return 0;
  }
  if (action === 'set') {
    if (key === undefined || value === undefined)
      throw new UsageError('config set needs KEY and VALUE.');
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}".`);
    const before = store.current;
    const after = store.current;
    setSetting(after, key, value);
    const problems = await infeasible(before, after);
    if (problems.length) throw new SettingsError(`Not changed: ${problems.join('\n')}`);
    await store.update((draft) => setSetting(draft, key, value));
    console.log(`${key} = ${getSetting(store.current, key)}`);
    return 0;
  }
  throw new UsageError(`Unknown config action "${action ?? ''}": use get or set.`);
}
