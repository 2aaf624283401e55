/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';
import { nameKey } from '@ciao/protocol';
import { nameColour } from '../layout/line-rows.js';

export interface UserListProps {
  /** Names online, in display order. */
  readonly users: readonly string[];
  /** Our name, shown bold. */
  readonly me: string;
  readonly width: number;
  readonly height: number;
}

/** The right-hand list of who is online; the overflow is summed up on the last row. */
export function UserList(props: UserListProps): React.JSX.Element {
  const room = Math.max(0, props.height - 1);
  const overflow = props.users.length > room;
  const shown = overflow ? props.users.slice(0, Math.max(0, room - 1)) : props.users;
  const meKey = nameKey(props.me);
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
        Users ({props.users.length})
      </Text>
      {shown.map((user) => (
        <Text
          key={user}
          color={nameColour(user)}
          bold={nameKey(user) === meKey}
          wrap="truncate-end"
        >
          {user}
        </Text>
      ))}
      {overflow && (
        <Text dimColor wrap="truncate-end">
          +{props.users.length - shown.length} more
        </Text>
      )}
    </Box>
  );
}
