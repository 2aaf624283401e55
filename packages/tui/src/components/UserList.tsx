/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';
import { nameKey } from '@ciao/protocol';
import type { NickColours } from '../state/nick-colours.js';
import { colourOf } from '../state/nick-colours.js';
import { useColour } from '../hooks/use-colour.js';

export interface UserListProps {
  /** Names online, in display order. */
  readonly users: readonly string[];
  /** Our name, shown bold. */
  readonly me: string;
  /** Name colours, as in the pane. Default: each name's hashed colour. */
  readonly colours?: NickColours;
  /** How many users there are, when `users` is only the pages read so far. Default its length. */
  readonly total?: number;
  /** Index of the first name shown (scrolled with Ctrl+Up/Down). Default 0. */
  readonly offset?: number;
  readonly width: number;
  readonly height: number;
}

const NO_COLOURS: NickColours = new Map();

/** The largest first name worth scrolling to: `count` names in `room` rows, the last screen full. */
export function userListMaxOffset(count: number, room: number): number {
  // Scrolled to the end, one row says "↑ N more" and the rest are names.
  return count <= room ? 0 : Math.max(0, count - (room - 1));
}

/** The first name shown: `offset`, kept so the last screen is full. */
export function userListStart(count: number, room: number, offset: number): number {
  return Math.max(0, Math.min(offset, userListMaxOffset(count, room)));
}

/** The right-hand list of who is online with a count; scrolls when it does not fit. */
export function UserList(props: UserListProps): React.JSX.Element {
  const c = useColour();
  const room = Math.max(0, props.height - 1);
  const count = props.users.length;
  const start = userListStart(count, room, props.offset ?? 0);
  const above = start > 0 ? 1 : 0;
  let shownCount = Math.max(0, room - above);
  if (start + shownCount < count) shownCount = Math.max(0, shownCount - 1);
  const shown = props.users.slice(start, start + shownCount);
  const below = count - start - shown.length;
  const meKey = nameKey(props.me);
  const colours = props.colours ?? NO_COLOURS;
  return (
    <Box
      flexDirection="column"
      width={props.width}
      height={props.height}
      borderStyle="single"
      borderTop={false}
      borderBottom={false}
      borderRight={false}
      paddingLeft={1}
      overflow="hidden"
    >
      <Text bold wrap="truncate-end">
        Users ({Math.max(count, props.total ?? 0)})
      </Text>
      {above > 0 && (
        <Text dimColor wrap="truncate-end">
          ↑ {start} more
        </Text>
      )}
      {shown.map((user) => (
        <Text
          key={user}
          color={c(colourOf(colours, user))}
          bold={nameKey(user) === meKey}
          wrap="truncate-end"
        >
          {user}
        </Text>
      ))}
      {below > 0 && (
        <Text dimColor wrap="truncate-end">
          ↓ {below} more
        </Text>
      )}
    </Box>
  );
}
