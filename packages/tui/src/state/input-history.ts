/** Most lines kept for Up/Down. */
export const INPUT_HISTORY_SIZE = 200;

/**
 * Up/Down browsing of what was typed, like a shell: the line being edited is kept as a draft
 * and comes back when browsing past the newest entry.
 */
export interface InputHistory {
  readonly entries: readonly string[];
  /** entries.length when not browsing. */
  readonly index: number;
  readonly draft: string;
}

export const emptyHistory: InputHistory = { entries: [], index: 0, draft: '' };

/** Records a submitted line (not blank, not a repeat of the last one). */
export function remember(history: InputHistory, line: string): InputHistory {
  const entries =
    line.trim() === '' || history.entries[history.entries.length - 1] === line
      ? history.entries
      : [...history.entries, line].slice(-INPUT_HISTORY_SIZE);
  return { entries, index: entries.length, draft: '' };
}

/** Up: the previous entry, or undefined at the oldest. */
export function previous(
  history: InputHistory,
  current: string,
): { history: InputHistory; value: string } | undefined {
  if (history.index === 0) return undefined;
  const draft = history.index === history.entries.length ? current : history.draft;
  const index = history.index - 1;
  return { history: { ...history, index, draft }, value: history.entries[index]! };
}

/** Down: the next entry, the draft after the newest, or undefined when not browsing. */
export function next(history: InputHistory): { history: InputHistory; value: string } | undefined {
  if (history.index >= history.entries.length) return undefined;
  const index = history.index + 1;
  const value = index === history.entries.length ? history.draft : history.entries[index]!;
  return { history: { ...history, index }, value };
}
