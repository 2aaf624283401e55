import type { ServerFrame } from './frames.js';

/** What a line typed by a person means: shared by the server's plain sessions and the TUI. */
export type Command =
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'action'; readonly text: string }
  | { readonly kind: 'dm'; readonly to: string; readonly text: string }
  | { readonly kind: 'nick'; readonly name: string }
  /** `offset`: where the page of names starts (`/who 1001` asks from the 1,001st). */
  | { readonly kind: 'who'; readonly offset?: number }
  | { readonly kind: 'help' }
  | { readonly kind: 'clear' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'empty' }
  /** A known command missing its argument. */
  | { readonly kind: 'usage'; readonly command: string; readonly usage: string }
  | { readonly kind: 'unknown'; readonly command: string };

const USAGE = {
  me: '/me TEXT',
  msg: '/msg NAME TEXT',
  nick: '/nick NAME',
} as const;

/**
 * Parses one input line. A line starting with `/` is a command (`//text` sends `/text`);
 * `{quit}` is the original socket-chat client's way to leave. Anything else is a message,
 * passed through untouched (the server sanitises).
 */
export function parseCommand(input: string): Command {
  const trimmed = input.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed === '{quit}') return { kind: 'quit' };
  if (!trimmed.startsWith('/')) return { kind: 'say', text: input };
  if (trimmed.startsWith('//')) return { kind: 'say', text: trimmed.slice(1) };

  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const name = (match?.[1] ?? '').toLowerCase();
  const rest = match?.[2] ?? '';
  switch (name) {
    case 'me':
      return rest ? { kind: 'action', text: rest } : usage('me');
    case 'msg':
    case 'dm': {
      const dm = /^(\S+)\s+([\s\S]+)$/.exec(rest);
      return dm?.[1] && dm[2] ? { kind: 'dm', to: dm[1], text: dm[2] } : usage('msg');
    }
    case 'nick':
      // All of it: "/nick bad name" is the name "bad name", refused as the name prompt refuses
      // it, not the name "bad" taken silently.
      return rest ? { kind: 'nick', name: rest } : usage('nick');
    case 'who':
    case 'names': {
      const from = /^[1-9]\d{0,8}$/.exec(rest)?.[0];
      return from ? { kind: 'who', offset: Number(from) - 1 } : { kind: 'who' };
    }
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'clear':
      return { kind: 'clear' };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    default:
      return { kind: 'unknown', command: `/${name}` };
  }
}

function usage(command: keyof typeof USAGE): Command {
  return { kind: 'usage', command: `/${command}`, usage: USAGE[command] };
}

/** The commands every ciao client understands, one per line. */
export const COMMAND_HELP: readonly string[] = [
  '/me TEXT          describe what you are doing',
  '/msg NAME TEXT    send a private message to NAME',
  '/nick NAME        change your name',
  '/who [N]          list who is online (from the Nth name in a big room)',
  '/help             show this help',
  '/quit or {quit}   leave the chat',
  '//TEXT            send a message that starts with /',
];

/** HH:MM in the local time zone. */
export function formatClock(ts: number): string {
  const date = new Date(ts);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export interface RenderOptions {
  /** Formats an event's `ts`; frames without one use the current time. Default: `formatClock`. */
  readonly formatTime?: (ts: number) => string;
  /** The clock for frames without `ts`. Default: `Date.now`. */
  readonly now?: () => number;
}

/**
 * Renders a frame as the lines a plain-text session shows, without newlines. A text holding
 * newlines becomes several lines, each with the event's prefix, so nobody can forge a line
 * that looks like the server's or someone else's. Frames a person has no use for (`ping`,
 * `pong`, `history_end`) render as nothing.
 */
export function renderPlain(frame: ServerFrame, options: RenderOptions = {}): string[] {
  const formatTime = options.formatTime ?? formatClock;
  const stamp = `[${formatTime('ts' in frame ? frame.ts : (options.now ?? Date.now)())}]`;
  const prefixed = (prefix: string, text: string): string[] =>
    text.split('\n').map((line) => `${stamp} ${prefix}${line}`);

  switch (frame.type) {
    case 'message':
      return frame.action
        ? prefixed(`* ${frame.from} `, frame.text)
        : prefixed(`<${frame.from}> `, frame.text);
    case 'dm':
      if (!('seq' in frame)) return [];
      return prefixed(`*${frame.from} -> ${frame.to}* `, frame.text);
    case 'join':
      return [`${stamp} -> ${frame.name} joined`];
    case 'joins':
      return [`${stamp} -> ${foldNames(frame.names)} joined`];
    case 'leave':
      return [`${stamp} <- ${frame.name} left (${frame.reason})`];
    case 'nick':
      if (!('seq' in frame)) return [];
      return [`${stamp} -- ${frame.from} is now known as ${frame.to}`];
    case 'welcome': {
      const others = frame.users.filter((user) => user !== frame.name);
      const unlisted = (frame.userCount ?? frame.users.length) - frame.users.length;
      const online =
        others.length === 0
          ? 'nobody else is here yet'
          : `here: ${others.join(', ')}${unlisted > 0 ? ` and ${unlisted} more` : ''}`;
      return [
        `${stamp} -- welcome, ${frame.name}! ${online}. Type /help for commands, /quit to leave.`,
        ...(frame.motd ? prefixed('-- ', frame.motd) : []),
      ];
    }
    case 'users': {
      const total = frame.total ?? frame.names.length;
      const from = frame.offset ?? 0;
      const rest = total - from - frame.names.length;
      const page = from > 0 || rest > 0 ? ` ${from + 1}-${from + frame.names.length}` : '';
      const more = rest > 0 ? ` (/who ${from + frame.names.length + 1} for more)` : '';
      return [`${stamp} -- online (${total})${page}: ${frame.names.join(', ')}${more}`];
    }
    case 'notice':
      return prefixed('-- ', frame.text);
    case 'error':
      return prefixed('! ', frame.message);
    case 'history_end':
    case 'delivered':
    case 'ping':
    case 'pong':
      return [];
    default:
      return assertNever(frame);
  }
}

/**
 * Names as one phrase, folded past three: "ann", "ann and bob", "ann, bob and cy",
 * "ann, bob and 48 others" (PROTOCOL.md: a storm of joins is one line, not one per name).
 */
export function foldNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `${names[0]!}, ${names[1]!} and ${names.length - 2} others`;
}

function assertNever(value: never): never {
  throw new Error(`unhandled frame ${JSON.stringify(value)}`);
}
