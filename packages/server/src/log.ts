import type { LogFormat, LogLevel } from './config.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, string | number | boolean | undefined>;

/** One line per record: `pretty` for a person, `json` lines for machines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
}

export interface LogSink {
  write(line: string): unknown;
}

export function createLogger(
  level: LogLevel,
  format: LogFormat,
  sink: LogSink = process.stderr,
  now: () => Date = () => new Date(),
): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] < min) return;
    const t = now();
    if (format === 'json') {
      const rec: Record<string, unknown> = { time: t.toISOString(), level: lvl, msg };
      if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) rec[k] = v;
      sink.write(JSON.stringify(rec) + '\n');
      return;
    }
    let line = `${t.toISOString().slice(11, 23)} ${lvl.toUpperCase().padEnd(5)} ${msg}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) continue;
        const s = String(v);
        // Quote anything that could be mistaken for structure (names are restricted, but
        // addresses and error messages are not).
        line += ` ${k}=${/^[\w.:\-/[\]]+$/.test(s) ? s : JSON.stringify(s)}`;
      }
    }
    sink.write(line + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    enabled: (lvl) => RANK[lvl] >= min,
  };
}
