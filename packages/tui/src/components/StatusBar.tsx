/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';
import type { ConnStatus } from '../state/chat-reducer.js';
import { NOT_RESPONDING_MS } from '../net/liveness.js';
import { useColour } from '../hooks/use-colour.js';

export interface StatusBarProps {
  /** `host:port`. */
  readonly address: string;
  /** The connection is TLS: ` tls` follows the address. Default false. */
  readonly tls?: boolean;
  /** Our name; '' before we have one. */
  readonly me: string;
  readonly conn: ConnStatus;
  /** Users online. */
  readonly userCount: number;
  /** The pane is scrolled back. Default false. */
  readonly scrolled?: boolean;
  /** Lines that arrived below the view while scrolled back. Default 0. */
  readonly newCount?: number;
  /** Older history is being fetched. Default false. */
  readonly loadingHistory?: boolean;
  /** How late the answer to our ping is; undefined when it is not late. Default undefined. */
  readonly lagMs?: number;
  readonly width: number;
}

/** What the connection is doing, in words, with its colour. */
export function describeConn(conn: ConnStatus, lagMs?: number): { text: string; color: string } {
  switch (conn.state) {
    case 'idle':
      return { text: '○ not connected yet', color: 'gray' };
    case 'connecting':
      return {
        text: conn.attempt === 0 ? '◌ connecting…' : `◌ reconnecting (attempt ${conn.attempt})…`,
        color: 'yellow',
      };
    case 'online':
      if (lagMs !== undefined && lagMs >= NOT_RESPONDING_MS)
        return {
          text: `◌ not responding (${Math.round(lagMs / 1000)}s) · ^T reconnects`,
          color: 'red',
        };
      if (lagMs !== undefined)
        return { text: `● online · lag ${Math.round(lagMs / 1000)}s`, color: 'yellow' };
      return { text: '● online', color: 'green' };
    case 'offline':
      // The retry time first: a narrow bar truncates the reason, not the countdown.
      return {
        text: `○ offline, retry ${conn.next === undefined ? '' : `${conn.next} `}in ${Math.ceil(conn.retryInMs / 1000)}s (^T now): ${conn.reason}`,
        color: 'red',
      };
    case 'stopped':
      return { text: `✗ disconnected: ${conn.reason} · /reconnect tries again`, color: 'red' };
    case 'waiting':
      if (conn.for === 'name') return { text: '○ name refused: choose another', color: 'yellow' };
      if (conn.reason === 'checking') return { text: '◌ checking the password…', color: 'yellow' };
      return conn.reason === 'missing'
        ? { text: '○ the server wants a password', color: 'yellow' }
        : { text: '✗ wrong password: try again', color: 'red' };
  }
}

/** The top row: server, name, connection state, users online, scroll marker. */
export function StatusBar(props: StatusBarProps): React.JSX.Element {
  const conn = describeConn(props.conn, props.lagMs);
  const c = useColour();
  const scrolled = props.scrolled ?? false;
  const newCount = props.newCount ?? 0;
  return (
    <Box width={props.width} height={1} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold color={c('cyan')}>
          ciao
        </Text>
        {/* Narrow terminals keep the state and the scroll marker rather than the address. */}
        {props.width >= 70 && (
          <>
            <Text dimColor> │ </Text>
            <Text>
              {props.address}
              {props.tls ? ' tls' : ''}
            </Text>
          </>
        )}
        {props.me !== '' && (
          <>
            <Text dimColor> │ </Text>
            <Text bold>{props.me}</Text>
          </>
        )}
        <Text dimColor> │ </Text>
        <Text color={c(conn.color)}>{conn.text}</Text>
        {props.conn.state === 'online' && (
          <>
            <Text dimColor> │ </Text>
            <Text>
              {props.userCount} {props.userCount === 1 ? 'user' : 'users'}
            </Text>
          </>
        )}
        {props.loadingHistory && <Text dimColor> │ loading history…</Text>}
        {scrolled && (
          <>
            <Text dimColor> │ </Text>
            <Text inverse color={c('yellow')}>
              {newCount > 0 ? ` ↓ ${newCount} new ` : ' ↑ scrolled '}
            </Text>
          </>
        )}
      </Text>
    </Box>
  );
}
