import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { filterPastes } from '../input/paste-filter.js';

/**
 * While mounted, bracketed pastes are cut out of stdin before Ink parses it and each is handed
 * to `onPaste` whole, in order with the keys around it. Undefined: pastes reach Ink as keys.
 */
export function usePastes(onPaste: ((text: string) => void) | undefined): void {
  const { stdin } = useStdin();
  const handler = useRef(onPaste);
  handler.current = onPaste;
  const active = onPaste !== undefined;
  useEffect(
    () => (active ? filterPastes(stdin, (text) => handler.current?.(text)) : undefined),
    [stdin, active],
  );
}
