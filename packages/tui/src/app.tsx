/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Key } from 'ink';
import { Box, useApp } from 'ink';
import stringWidth from 'string-width';
import type { ChatController } from './chat-controller.js';
import { InputLine } from './components/InputLine.js';
import { MessagePane } from './components/MessagePane.js';
import { NamePrompt } from './components/NamePrompt.js';
import { StatusBar } from './components/StatusBar.js';
import { UserList } from './components/UserList.js';
import { useBell } from './hooks/use-bell.js';
import { useChatState } from './hooks/use-chat-state.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { KEY_HINT, keyCommand, SHORT_KEY_HINT } from './keys.js';
import { scrollDown, scrollUp, visibleWindow } from './layout/visible-window.js';
import type { Completion } from './state/complete-name.js';
import { completeName } from './state/complete-name.js';
import { outgoingLine } from './state/chat-reducer.js';
import type { InputHistory } from './state/input-history.js';
import { emptyHistory, next, previous, remember } from './state/input-history.js';

/** Narrower terminals hide the user list. */
export const USER_LIST_MIN_COLUMNS = 70;
export const USER_LIST_WIDTH = 20;
/** The input grows up to this many rows for long lines. */
const MAX_INPUT_ROWS = 5;

export interface AppProps {
  readonly controller: ChatController;
  /** Fixed size (tests); default: the terminal's, following resizes. */
  readonly columns?: number;
  readonly rows?: number;
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
  const [input, setInput] = useState('');
  const history = useRef<InputHistory>(emptyHistory);
  const completion = useRef<Completion | undefined>(undefined);
  useBell(state.bells);

  const showUsers = state.showUsers && columns >= USER_LIST_MIN_COLUMNS && state.me !== '';
  const paneWidth = showUsers ? columns - USER_LIST_WIDTH : columns;
  const promptText = state.me === '' ? '>' : `${state.me} >`;
  const inputRows = Math.min(
    MAX_INPUT_ROWS,
    Math.max(
      1,
      Math.ceil((stringWidth(promptText) + 1 + stringWidth(input) + 1) / Math.max(1, columns)),
    ),
  );
  const paneHeight = Math.max(1, rows - 2 - inputRows);

  const pending = useMemo(
    () => state.outbox.map((item) => outgoingLine(item, state.me)),
    [state.outbox, state.me],
  );

  const leave = useCallback(() => {
    void controller.quit();
  }, [controller]);

  useEffect(() => {
    let live = true;
    void controller.closed.then(() => {
      if (live) exit();
    });
    return () => {
      live = false;
    };
  }, [controller, exit]);

  /** Replaces the input; the cursor goes to its end. */
  const replaceInput = (value: string): void => {
    setInput(value);
  };

  const scrollTo = (anchor: ReturnType<typeof scrollUp>): void => {
    controller.dispatch({ type: 'scroll', anchor });
  };

  const onKey = (inputChar: string, key: Key, current: string): void => {
    const command = keyCommand(inputChar, key);
    // Read the store, not this render's copy: keys can arrive faster than renders.
    const now = controller.getState();
    const content = {
      lines: now.lines,
      pending:
        now.outbox === state.outbox
          ? pending
          : now.outbox.map((item) => outgoingLine(item, now.me)),
    };
    if (command !== 'complete') completion.current = undefined;
    const paneBody = paneHeight - 1;
    switch (command) {
      case undefined:
        return;
      case 'quit':
        leave();
        return;
      case 'toggle_users':
        controller.dispatch({ type: 'toggle_users' });
        return;
      case 'page_up':
      case 'line_up': {
        const amount = command === 'page_up' ? Math.max(1, paneBody - 1) : 1;
        const anchor = scrollUp(content, now.scroll, paneWidth, paneBody, amount);
        scrollTo(anchor);
        // Reaching the top asks the server for what came before.
        if (visibleWindow(content, anchor, paneWidth, paneBody).atTop) controller.requestOlder();
        return;
      }
      case 'page_down':
      case 'line_down': {
        const amount = command === 'page_down' ? Math.max(1, paneBody - 1) : 1;
        scrollTo(scrollDown(content, now.scroll, paneWidth, amount));
        return;
      }
      case 'bottom':
        scrollTo(null);
        return;
      case 'history_prev': {
        const step = previous(history.current, current);
        if (step) {
          history.current = step.history;
          replaceInput(step.value);
        }
        return;
      }
      case 'history_next': {
        const step = next(history.current);
        if (step) {
          history.current = step.history;
          replaceInput(step.value);
        }
        return;
      }
      case 'complete': {
        const done = completeName(current, now.users, now.me, completion.current);
        completion.current = done;
        if (done) replaceInput(done.value);
        return;
      }
    }
  };

  const submit = (value: string): void => {
    history.current = remember(history.current, value);
    if (controller.submit(value)) replaceInput('');
  };

  useEffect(() => {
    controller.start();
  }, [controller]);

  if (state.me === '' || state.nameError !== undefined) {
    return (
      <Box flexDirection="column" width={columns} height={rows}>
        <StatusBar
          address={state.address}
          me=""
          conn={state.conn}
          userCount={state.users.length}
          width={columns}
        />
        <NamePrompt
          width={columns}
          height={rows - 1}
          error={state.nameError}
          initial={state.me}
          onSubmit={(name) => controller.setName(name)}
          onKey={(inputChar, key) => {
            if (keyCommand(inputChar, key) === 'quit') leave();
          }}
        />
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <StatusBar
        address={state.address}
        me={state.me}
        conn={state.conn}
        userCount={state.users.length}
        scrolled={state.scroll !== null}
        newCount={state.newCount}
        loadingHistory={state.history.loading}
        width={columns}
      />
      <Box flexDirection="row" height={paneHeight}>
        <MessagePane
          lines={state.lines}
          pending={pending}
          scroll={state.scroll}
          newCount={state.newCount}
          historyMore={state.history.more}
          loadingHistory={state.history.loading}
          width={paneWidth}
          height={paneHeight}
        />
        {showUsers && (
          <UserList users={state.users} me={state.me} width={USER_LIST_WIDTH} height={paneHeight} />
        )}
      </Box>
      <InputLine
        value={input}
        onChange={(value) => {
          setInput(value);
          completion.current = undefined;
        }}
        onSubmit={submit}
        onKey={onKey}
        prompt={promptText}
        hint={stringWidth(KEY_HINT) <= columns ? KEY_HINT : SHORT_KEY_HINT}
        width={columns}
        placeholder="type a message, /help for commands"
      />
    </Box>
  );
}
