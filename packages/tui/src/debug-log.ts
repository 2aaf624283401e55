import { appendFileSync } from 'node:fs';

/**
 * Debug lines go to the file named by CIAO_DEBUG_LOG, never to the terminal the UI draws on.
 * Without the variable this is a no-op, so callers need no guard.
 */
export function debugLog(message: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env['CIAO_DEBUG_LOG'];
  if (!file) return;
  try {
    appendFileSync(file, `${new Date().toISOString()} ${message}\n`);
  } catch {
    // A debug log that cannot be written must not take the chat down.
  }
}
