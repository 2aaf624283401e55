import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../config.js';
import { MemoryLog } from './memory-log.js';
import type { RoomLog } from './room-log.js';
import { SqliteLog } from './sqlite-log.js';

/** The file a data directory keeps the room in. */
export const ROOM_FILE = 'room.db';

export class StoreError extends Error {}

/** The room log the config asks for: SQLite in the data directory, or memory only. */
export function openRoomLog(config: ServerConfig): RoomLog {
  const dir = config.dataDir;
  if (dir === undefined)
    return new MemoryLog({
      historySize: config.historySize,
      maxIdentities: Math.max(1_000, config.maxClients),
    });
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new SqliteLog({ file: join(dir, ROOM_FILE), retention: config.retention });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY')
      throw new StoreError(
        `the data directory ${dir} is in use by another ciao server (use --data DIR or --no-persist)`,
      );
    throw new StoreError(`cannot keep the room in ${dir}: ${(err as Error).message}`);
  }
}
