/** When a running Mailport checks its certificate (names, expiry, CA; `ensure.ts`). */

/** Certificates are remade this long before they expire. */
export const RENEW_BEFORE_DAYS = 30;

/** How often a running Mailport checks its certificate against the LAN addresses and expiry. */
export const CERTIFICATE_CHECK_MS = 10 * 60_000;

/**
 * A start with a usable certificate on disk serves it at once and runs the full check this
 * long after binding, once the first clients have been answered (issue 16: start-up time);
 * a certificate the check re-issues replaces it on the live listeners.
 */
export const FIRST_CERTIFICATE_CHECK_MS = 2_000;
