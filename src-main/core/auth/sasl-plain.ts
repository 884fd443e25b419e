/**
 * SASL PLAIN (RFC 4616): base64 of `[authzid] NUL authcid NUL passwd`. An authzid other than
 * the user is refused: Mailport has no proxy logins.
 */
export function decodeSaslPlain(base64: string): { user: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return undefined;
  const parts = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3) return undefined;
  const [authzid, user, password] = parts as [string, string, string];
  if (!user || (authzid && authzid !== user)) return undefined;
  return { user, password };
}
