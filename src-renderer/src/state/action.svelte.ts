import { untrack } from 'svelte';

/**
 * One user action (a button, a switch, a form): whether it is running and, when it failed,
 * what went wrong in plain words. Components show `error` right beside the control.
 */
export class Action {
  busy = $state(false);
  error = $state<string | null>(null);
  /** The code of the last failure from Mailport (`CONFIRM`, `EXISTS`…), if it had one. */
  code = $state<string | null>(null);
  /** A short confirmation after success ("Saved."), cleared by the next run. */
  done = $state<string | null>(null);

  /**
   * Runs `work`; returns its value, or undefined when it failed (the error is kept) or when the
   * same action is still running (controls stay enabled while busy, so the keyboard focus stays
   * where it is; a second press is ignored instead).
   */
  async run<T>(work: () => Promise<T>, doneText: string | null = null): Promise<T | undefined> {
    // Not a dependency of whatever effect starts the action.
    if (untrack(() => this.busy)) return undefined;
    this.busy = true;
    this.error = null;
    this.code = null;
    this.done = null;
    try {
      const value = await work();
      this.done = doneText;
      return value;
    } catch (err) {
      this.error = plainError(err);
      this.code = errorCode(err) ?? null;
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Refuses before anything is sent (the form has a mistake), in plain words. */
  refuse(message: string): void {
    this.error = message;
    this.code = null;
    this.done = null;
  }

  /** Tells something that needs no call ("Nothing to apply"). */
  say(message: string): void {
    this.error = null;
    this.done = message;
  }

  clear(): void {
    this.error = null;
    this.code = null;
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
