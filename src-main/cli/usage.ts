/** A mistake in how a command was typed: printed with the help text, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads a password from standard input (one line; the line end is not part of it). */
export async function readPasswordFromStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw new UsageError('--password-stdin: standard input was empty.');
  if (password.includes('\n'))
    throw new UsageError('--password-stdin: the password must be one line.');
  return password;
}
