import { useCallback, useRef } from 'react';
import type { KeyPress } from '../input/parse-keys.js';
import { parseKeys } from '../input/parse-keys.js';

/**
 * Stable `onKeys`/`onPaste` handlers for an InputLine that call this render's `pressKeys`. The
 * text input re-subscribes to stdin whenever its handler changes, so the handlers must not.
 */
export function useKeyHandlers(pressKeys: (keys: readonly KeyPress[]) => void): {
  onKeys: (chunk: string) => void;
  onPaste: (text: string) => void;
} {
  const latest = useRef(pressKeys);
  latest.current = pressKeys;
  const onKeys = useCallback((chunk: string) => latest.current(parseKeys(chunk)), []);
  const onPaste = useCallback((text: string) => latest.current([{ type: 'paste', text }]), []);
  return { onKeys, onPaste };
}
