import fc from 'fast-check';

/** Raw bytes of keys a person types (no lone Esc: Esc then "[" is a CSI to any reader). */
export const KEY = fc.constantFrom(
  'a',
  'b',
  'Z',
  ' ',
  '.',
  'é',
  '👍🏽',
  '👨‍👩‍👧‍👦',
  '日',
  '\x17', // Ctrl+W
  '\x15', // Ctrl+U
  '\x0b', // Ctrl+K
  '\x01', // Ctrl+A
  '\x05', // Ctrl+E
  '\x04', // Ctrl+D
  '\x02', // Ctrl+B
  '\x06', // Ctrl+F
  '\x7f', // Backspace
  '\b', // Backspace (BS)
  '\x1b[3~', // Delete
  '\x1b[D', // Left
  '\x1b[C', // Right
  '\x1b[A', // Up
  '\x1b[B', // Down
  '\x1b[H', // Home
  '\x1b[1;5D', // Ctrl+Left
  '\x1b[1;5C', // Ctrl+Right
  '\x1bb', // Alt+B
  '\x1bf', // Alt+F
  '\x1bd', // Alt+D
  '\x1b\x7f', // Alt+Backspace
  '\x1b\r', // Alt+Enter
  '\n', // Ctrl+J
  '\t', // Tab
);

/** `keys` cut into chunks after the key indexes in `cuts`. */
export function chunked(keys: readonly string[], cuts: readonly boolean[]): string[] {
  const chunks: string[] = [];
  let chunk = '';
  keys.forEach((key, i) => {
    chunk += key;
    if (cuts[i % cuts.length]) {
      chunks.push(chunk);
      chunk = '';
    }
  });
  if (chunk !== '') chunks.push(chunk);
  return chunks;
}
