/** Exit codes, ncat's convention plus the shell's for Ctrl-C. */
export const EXIT_OK = 0
/** Network or runtime failure. */
export const EXIT_FAILURE = 1
/** Bad command line. */
export const EXIT_USAGE = 2
/** Stopped by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130
