import type { SockkitError } from '../core/errors.js'

/**
 * A usage error (exit 2) whose sentence a command has already worded from its own catalogue
 * area, in the user's language. Library code uses `invalidArg(key, params)` instead, whose
 * text lives in src/i18n/en/errors-*.ts.
 */
export const usageError = (message: string, extra: Record<string, unknown> = {}): SockkitError =>
  Object.assign(new Error(message), { code: 'ERR_SOCKKIT_INVALID_ARG', ...extra }) as SockkitError
