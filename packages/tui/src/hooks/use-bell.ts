import { useEffect, useRef } from 'react';
import { useStdout } from 'ink';

/** Rings the terminal bell when `count` grows (a live mention or private message). */
export function useBell(count: number): void {
  const { stdout } = useStdout();
  const last = useRef(count);
  useEffect(() => {
    if (count > last.current) stdout.write('\x07');
    last.current = count;
  }, [count, stdout]);
}
