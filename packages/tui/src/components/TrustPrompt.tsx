/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useRef } from 'react';
import { Box, Text, useInput } from 'ink';

export interface TrustPromptProps {
  /** `host:port` as pinned. */
  readonly server: string;
  /** SHA-256 fingerprint, `AB:CD:…`. */
  readonly fingerprint: string;
  /** Where the answer is remembered (shown so the user can find it later). */
  readonly file: string;
  /** Called once: true for `y`, false for anything that is not a yes. */
  readonly onAnswer: (trust: boolean) => void;
}

/**
 * First TLS connection to a server whose certificate no trusted CA signed: show its
 * fingerprint and ask once, SSH style. No is the default (Enter, Esc, n, Ctrl+C).
 */
export function TrustPrompt(props: TrustPromptProps): React.JSX.Element {
  const answered = useRef(false);
  useInput((input, key) => {
    if (answered.current) return;
    const yes = input === 'y' || input === 'Y';
    if (
      !yes &&
      !(input === 'n' || input === 'N' || key.return || key.escape || (key.ctrl && input === 'c'))
    )
      return;
    answered.current = true;
    props.onAnswer(yes);
  });
  // 32 bytes as two rows of 16 keep it readable in 60 columns and easy to compare.
  const rows = [props.fingerprint.slice(0, 47), props.fingerprint.slice(48)];
  return (
    <Box flexDirection="column" paddingX={2} paddingY={1}>
      <Text bold>New server: {props.server}</Text>
      <Text wrap="wrap">Its TLS certificate is not signed by a CA this machine trusts.</Text>
      <Text wrap="wrap">Compare its SHA-256 fingerprint with the one the server printed:</Text>
      <Box flexDirection="column" paddingX={2} marginY={1}>
        {rows.map((row) => (
          <Text key={row} color="yellow">
            {row}
          </Text>
        ))}
      </Box>
      <Text wrap="wrap">
        Trust it and remember it in <Text dimColor>{props.file}</Text>? <Text bold>[y/N]</Text>
      </Text>
    </Box>
  );
}
