import type { BellMode } from './chat-reducer.js';
import { BELL_MODES } from './chat-reducer.js';

/** Commands the client handles itself (the shared parser knows only what the server does). */
export type LocalCommand =
  | { readonly kind: 'bell'; readonly mode: BellMode | undefined }
  | { readonly kind: 'reconnect' }
  | { readonly kind: 'search'; readonly query: string }
  | { readonly kind: 'usage'; readonly usage: string };

export const LOCAL_HELP: readonly string[] = [
  '/bell [off|mentions|all]  when the bell rings (mentions and private messages by default)',
  '/search TEXT       find TEXT in the pane (Ctrl+R older, Ctrl+S newer, Esc ends)',
  '/reconnect         connect again now (Ctrl+T)',
  '/clear            clear the message pane',
];

/** The client's own command in `input`, or undefined when it is not one of them. */
export function parseLocalCommand(input: string): LocalCommand | undefined {
  const match = /^\s*\/(bell|reconnect|search)(?:\s+(.*))?$/is.exec(input);
  if (!match) return undefined;
  const rest = (match[2] ?? '').trim();
  switch (match[1]!.toLowerCase()) {
    case 'bell': {
      if (rest === '') return { kind: 'bell', mode: undefined };
      const mode = BELL_MODES.find((m) => m === rest.toLowerCase());
      return mode ? { kind: 'bell', mode } : { kind: 'usage', usage: '/bell off|mentions|all' };
    }
    case 'reconnect':
      return { kind: 'reconnect' };
    default:
      return rest === ''
        ? { kind: 'usage', usage: '/search TEXT' }
        : { kind: 'search', query: rest };
  }
}
