/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, useApp, useStdout } from 'ink';
import type { ChatController } from './chat-controller.js';
import { InputLine, inputLineHeight } from './components/InputLine.js';
import { MessagePane, paneMarks } from './components/MessagePane.js';
import { NamePrompt } from './components/NamePrompt.js';
import { PasswordPrompt } from './components/PasswordPrompt.js';
import { StatusBar } from './components/StatusBar.js';
import { UserList, userListMaxOffset } from './components/UserList.js';
import { useBell } from './hooks/use-bell.js';
import { useChatState } from './hooks/use-chat-state.js';
import { useKeyHandlers } from './hooks/use-key-handlers.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import type { InputAction, InputState } from './input/input-state.js';
import { applyKeys, inputOnly } from './input/apply-keys.js';
import { cancel, EMPTY_INPUT, inputReducer, pressEnter } from './input/input-state.js';
import type { KeyPress } from './input/parse-keys.js';
import type { AppCommand } from './keys.js';
import { keyHint } from './keys.js';
import { dayOf } from './layout/line-rows.js';
import type { PaneContent } from './layout/visible-window.js';
import { scrollDown, scrollToTop, scrollUp, visibleWindow } from './layout/visible-window.js';
import type { ChatState } from './state/chat-reducer.js';
import { MAX_LINES, outgoingLine } from './state/chat-reducer.js';

/** Narrower terminals hide the user list. */
export const USER_LIST_MIN_COLUMNS = 70;
export const USER_LIST_WIDTH = 20;
/** The input's text takes at most this many rows (a quarter of a short terminal's). */
export const MAX_INPUT_ROWS = 5;
/** Clears the terminal before Ink draws the frame again (Ctrl+L). */
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

export interface AppProps {
  readonly controller: ChatController;
  /** Fixed size (tests); default: the terminal's, following resizes. */
  readonly columns?: number;
  readonly rows?: number;
}

/** The message pane's props that come from the state (the keys' scrolling needs them too). */
function paneProps(state: ChatState) {
  return {
    // A full buffer fetches nothing older: its first line is where kept history begins.
    historyMore: state.history.more && state.lines.length < MAX_LINES,
    loadingHistory: state.history.loading,
    today: dayOf(Date.now()),
    readMarker: state.readMarker,
    search: state.search,
  } as const;
}

/** The whole screen: status bar, message pane (+ user list), input line. */
export function App(props: AppProps): React.JSX.Element {
  const { controller } = props;
  const state = useChatState(controller);
  const terminal = useTerminalSize();
  const columns = props.columns ?? terminal.columns;
  // One row short of the terminal: a frame as tall as the screen makes Ink clear it every time.
  const rows = Math.max(4, props.rows ?? terminal.rows - 1);
  const { exit } = useApp();
  const { write } = useStdout();
  // The input as the last key left it: keys arrive faster than renders, and each builds on it.
  const input = useRef<InputState>(EMPTY_INPUT);
  const [shownInput, setShownInput] = useState<InputState>(EMPTY_INPUT);
  useBell(state.bells);

  const showUsers = state.showUsers && columns >= USER_LIST_MIN_COLUMNS && state.me !== '';
  const paneWidth = showUsers ? columns - USER_LIST_WIDTH : columns;
  const promptText = state.me === '' ? '>' : `${state.me} >`;
  // A quarter of the screen at most, so the pane always keeps most of its rows.
  const maxInputRows = Math.max(1, Math.min(MAX_INPUT_ROWS, Math.floor(rows / 4)));
  const inputHeight = inputLineHeight(shownInput.draft, columns, promptText, maxInputRows);
  const paneHeight = Math.max(1, rows - 1 - inputHeight);

  const pending = useMemo(
    () => state.outbox.map((item) => outgoingLine(item, state.me)),
    [state.outbox, state.me],
  );

  useEffect(() => {
    let live = true;
    void controller.closed.then(() => {
      if (live) exit();
    });
    return () => {
      live = false;
    };
  }, [controller, exit]);

  /** The pane's content as the store holds it now: keys can arrive faster than renders. */
  const paneContent = (now: ChatState): PaneContent => ({
    lines: now.lines,
    pending:
      now.outbox === state.outbox ? pending : now.outbox.map((item) => outgoingLine(item, now.me)),
    marks: paneMarks(paneProps(now)),
  });

  /** Scrolls the pane; reaching the top asks the server for what came before. */
  const scroll = (command: 'page_up' | 'page_down' | 'line_up' | 'line_down' | 'top'): void => {
    const now = controller.getState();
    const content = paneContent(now);
    const body = paneHeight - 1;
    if (command === 'top') {
      controller.dispatch({ type: 'scroll', anchor: scrollToTop(content, paneWidth, body) });
      controller.requestOlder();
      return;
    }
    const page = command === 'page_up' || command === 'page_down';
    const amount = page ? Math.max(1, body - 1) : 1;
    if (command === 'page_up' || command === 'line_up') {
      const anchor = scrollUp(content, now.scroll, paneWidth, body, amount);
      controller.dispatch({ type: 'scroll', anchor });
      if (visibleWindow(content, anchor, paneWidth, body).atTop) controller.requestOlder();
    } else {
      controller.dispatch({
        type: 'scroll',
        anchor: scrollDown(content, now.scroll, paneWidth, amount),
      });
    }
  };

  /** Runs one command on the input `current`; returns the input after it. */
  const run = (current: InputState, command: AppCommand): InputState => {
    const apply = (action: InputAction): InputState => inputReducer(current, action);
    switch (command) {
      case 'quit':
        void controller.quit();
        return current;
      case 'toggle_users':
        controller.dispatch({ type: 'toggle_users' });
        return current;
      case 'redraw':
        write(CLEAR_SCREEN);
        return current;
      case 'submit': {
        const enter = pressEnter(current);
        if (enter.type === 'confirm') return enter.state;
        if (enter.type === 'refuse') return current;
        return controller.submit(enter.text) ? apply({ type: 'sent' }) : current;
      }
      case 'cancel': {
        const cancelled = cancel(current);
        if (cancelled) return cancelled;
        if (controller.getState().search !== undefined) controller.endSearch();
        else controller.dispatch({ type: 'scroll', anchor: null });
        return current;
      }
      case 'home':
        // On an empty line Home jumps to the oldest line, as Ctrl+Home does.
        if (current.draft.text !== '') return apply({ type: 'edit', op: 'line_start' });
        scroll('top');
        return current;
      case 'top':
        scroll('top');
        return current;
      case 'search_older':
      case 'search_newer': {
        const direction = command === 'search_older' ? 'older' : 'newer';
        if (controller.searchAgain(direction)) return current;
        // No search yet: search for what is typed, or offer the command.
        const typed = current.draft.text.trim();
        if (typed === '') return apply({ type: 'insert', text: '/search ' });
        if (typed.startsWith('/')) return current;
        return controller.search(typed, 'older') ? apply({ type: 'sent' }) : current;
      }
      case 'reconnect':
        controller.reconnectNow();
        return current;
      case 'users_up':
      case 'users_down':
        controller.dispatch({
          type: 'scroll_users',
          by: command === 'users_up' ? -1 : 1,
          max: userListMaxOffset(controller.getState().users.length, paneHeight - 1),
        });
        return current;
      case 'complete': {
        const now = controller.getState();
        return apply({ type: 'complete', users: now.users, me: now.me });
      }
      case 'newline':
      case 'up':
      case 'down':
        return inputOnly(current, command);
      case 'end':
        controller.dispatch({ type: 'scroll', anchor: null });
        return apply({ type: 'edit', op: 'line_end' });
      case 'page_up':
      case 'page_down':
      case 'line_up':
      case 'line_down':
        scroll(command);
        return current;
      default:
        return assertNever(command);
    }
  };

  const pressKeys = (keys: readonly KeyPress[]): void => {
    // Keys that reach the chat's input while a prompt is taking over (a password typed at that
    // moment) must not become a message.
    if (promptOf(controller.getState()) !== undefined) return;
    const current = applyKeys(input.current, keys, run);
    if (current !== input.current) {
      input.current = current;
      setShownInput(current);
    }
  };
  const { onKeys, onPaste } = useKeyHandlers(pressKeys);

  useEffect(() => {
    controller.start();
  }, [controller]);

  const prompt = promptOf(state);
  if (prompt === 'password') {
    return (
      <Box flexDirection="column" width={columns} height={rows}>
        <StatusBar
          address={state.address}
          tls={state.tls}
          me={state.me}
          conn={state.conn}
          userCount={0}
          width={columns}
        />
        <PasswordPrompt
          width={columns}
          height={rows - 1}
          reason={
            state.conn.state === 'waiting' &&
            (state.conn.reason === 'missing' || state.conn.reason === 'checking')
              ? state.conn.reason
              : 'wrong'
          }
          address={state.address}
          onSubmit={(password) => controller.setPassword(password)}
          onQuit={() => void controller.quit()}
        />
      </Box>
    );
  }

  if (prompt === 'name') {
    return (
      <Box flexDirection="column" width={columns} height={rows}>
        <StatusBar
          address={state.address}
          tls={state.tls}
          me=""
          conn={state.conn}
          userCount={Math.max(state.users.length, state.usersTotal ?? 0)}
          width={columns}
        />
        <NamePrompt
          width={columns}
          height={rows - 1}
          error={state.nameError}
          initial={state.me}
          onSubmit={(name) => controller.setName(name)}
          onQuit={() => void controller.quit()}
        />
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <StatusBar
        address={state.address}
        tls={state.tls}
        me={state.me}
        conn={state.conn}
        userCount={Math.max(state.users.length, state.usersTotal ?? 0)}
        scrolled={state.scroll !== null}
        newCount={state.newCount}
        loadingHistory={state.history.loading}
        lagMs={state.lagMs}
        width={columns}
      />
      <Box flexDirection="row" height={paneHeight} flexShrink={0}>
        <MessagePane
          lines={state.lines}
          pending={pending}
          scroll={state.scroll}
          newCount={state.newCount}
          {...paneProps(state)}
          width={paneWidth}
          height={paneHeight}
        />
        {showUsers && (
          <UserList
            users={state.users}
            me={state.me}
            colours={state.colours}
            total={state.usersTotal}
            offset={state.userOffset}
            width={USER_LIST_WIDTH}
            height={paneHeight}
          />
        )}
      </Box>
      <InputLine
        draft={shownInput.draft}
        onKeys={onKeys}
        onPaste={onPaste}
        prompt={promptText}
        hint={keyHint(columns)}
        width={columns}
        maxRows={maxInputRows}
        confirming={shownInput.confirming}
        pasted={shownInput.beforePaste !== undefined}
        placeholder="type a message, /help for commands"
      />
    </Box>
  );
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}

/**
 * The prompt that takes the screen over, if any: the password the server wants, or a name
 * (none yet, or the last one refused). Keys typed meanwhile never reach the chat's input.
 */
function promptOf(state: ChatState): 'password' | 'name' | undefined {
  if (state.conn.state === 'waiting' && state.conn.for === 'password') return 'password';
  if (state.me === '' || state.nameError !== undefined) return 'name';
  return undefined;
}
