/**
 * Dotted keys (`listeners.imap.port`) for `mailport config get|set`, derived from the schema's
 * defaults so that the list of keys can never drift from the schema.
 */
import { describeIssues, settingsSchema, type Settings } from './schema.js';
import { SettingsError } from './settings-store.js';

type Leaf = string | number | boolean;

/** Every settable leaf key, e.g. `listeners.imap.port`. Accounts have their own commands. */
export function settingKeys(): string[] {
  const keys: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (!Array.isArray(value) && prefix !== 'version') {
      keys.push(prefix);
    }
  };
  walk(settingsSchema.parse({}), '');
  return keys;
}

export function getSetting(settings: Settings, key: string): Leaf {
  assertKnown(key);
  let value: unknown = settings;
  for (const part of key.split('.')) value = (value as Record<string, unknown>)[part];
  return value as Leaf;
}

/** Sets `key` from its text form; throws SettingsError if the key or value is not allowed. */
export function setSetting(settings: Settings, key: string, text: string): void {
  assertKnown(key);
  const parts = key.split('.');
  const last = parts.pop()!;
  let parent = settings as unknown as Record<string, unknown>;
  for (const part of parts) parent = parent[part] as Record<string, unknown>;
  parent[last] = parseLeaf(typeof parent[last], text);
  const result = settingsSchema.safeParse(settings);
  if (!result.success)
    throw new SettingsError(`${describeIssues(result.error)}${allowedValues(key)}`);
}

function parseLeaf(type: string, text: string): Leaf {
  if (type === 'number' && /^-?\d+$/.test(text)) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function assertKnown(key: string): void {
  const keys = settingKeys();
  if (!keys.includes(key)) {
    throw new SettingsError(`Unknown setting "${key}". Settings are:\n  ${keys.join('\n  ')}`);
  }
}

function allowedValues(key: string): string {
  const hints: Record<string, string> = {
    'security.loginPolicy': 'secure | plaintext',
    'security.tlsMinVersion': 'TLSv1.2 | TLSv1.3',
    'bind.address': 'all | loopback | an IP address of this computer',
    'logging.level': 'error | warn | info | debug',
  };
  const hint = hints[key] ?? (key.endsWith('.port') ? 'a port number 1–65535' : undefined);
  return hint ? `\nAllowed: ${hint}` : '';
}
