/**
 * One user action (a button, a switch, a form): whether it is running and, when it failed,
 * what went wrong in plain words. Components show `error` right beside the control.
 */
export class Action {
  busy = $state(false);
  error = $state<string | null>(null);
  /** A short confirmation after success ("Saved."), cleared by the next run. */
  done = $state<string | null>(null);

  /** Runs `work`; returns its value, or undefined when it failed (the error is kept). */
  async run<T>(work: () => Promise<T>, doneText: string | null = null): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    this.done = null;
    try {
      const value = await work();
      this.done = doneText;
      return value;
    } catch (err) {
      this.error = plainError(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  clear(): void {
    this.error = null;
    this.done = null;
  }
}

/** The words of a failure: an Error's, or the `{ code, message }` the desktop preload throws. */
export function plainError(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return message;
  return 'Something went wrong. The log (Logs screen) has the details.';
}

/** The code of a failed bridge call (`UNAUTHORIZED`, `CONFLICT`…), if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
