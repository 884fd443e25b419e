/**
 * Firefox and Thunderbird keep one NSS database per profile. `profiles.ini` lists them:
 *
 *   [Profile0]
 *   Name=default-release
 *   IsRelative=1
 *   Path=abcd1234.default-release
 *
 * A relative Path is under the folder holding profiles.ini; an absolute one is used as it is.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

export interface MozillaProfile {
  readonly name: string;
  readonly folder: string;
}

/** The `[Profile…]` sections of a profiles.ini text, resolved against `baseDir`. */
export function parseProfilesIni(text: string, baseDir: string): MozillaProfile[] {
  const sections: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = /^Profile\d+$/i.test(header[1]!) ? {} : undefined;
      if (current) sections.push(current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current && equals > 0)
      current[line.slice(0, equals).trim()] = line.slice(equals + 1).trim();
  }
  return sections.flatMap((section) => {
    const path = section.Path;
    if (!path) return [];
    const relative = section.IsRelative !== '0' && !isAbsolute(path);
    return [{ name: section.Name || path, folder: relative ? join(baseDir, path) : path }];
  });
}

/** The profiles listed under `baseDir/profiles.ini`, or none when there is no such file. */
export async function readProfiles(baseDir: string): Promise<MozillaProfile[]> {
  try {
    return parseProfilesIni(await readFile(join(baseDir, 'profiles.ini'), 'utf8'), baseDir);
  } catch {
    return [];
  }
}
