// The records schema as versioned migrations, one list for SQLite and PostgreSQL (sql.ts applies
// them at start). Append-only: a released migration is never edited; a change is a new one.

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * Versioned, append-only: a released migration is never edited; a change is a new one. The
 * types are spelled so both engines read them the same (SQLite: BIGINT is an integer, DOUBLE
 * PRECISION a real). Seats are deleted with their match by the store (no reliance on cascades).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "matches and seats",
    statements: [
      `CREATE TABLE matches (
        id TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL,
        room TEXT NOT NULL,
        broker_version TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at_ms BIGINT NOT NULL,
        ended_at_ms BIGINT,
        end_code TEXT,
        end_reason TEXT,
        turns INTEGER,
        bytes_relayed BIGINT,
        game_peer TEXT NOT NULL,
        game_client TEXT NOT NULL,
        game_client_version TEXT NOT NULL,
        result TEXT,
        replay TEXT
      )`,
      `CREATE TABLE seats (
        match_id TEXT NOT NULL,
        seat INTEGER NOT NULL,
        name TEXT NOT NULL,
        peer TEXT NOT NULL,
        client TEXT NOT NULL,
        client_version TEXT NOT NULL,
        moves INTEGER,
        think_total_ms DOUBLE PRECISION,
        think_max_ms DOUBLE PRECISION,
        PRIMARY KEY (match_id, seat)
      )`,
      "CREATE INDEX matches_ended ON matches (ended_at_ms, id)",
      "CREATE INDEX matches_room_ended ON matches (room, ended_at_ms, id)",
      "CREATE INDEX matches_instance_status ON matches (instance_id, status)",
      "CREATE INDEX matches_rated ON matches (room, ended_at_ms, id) WHERE result IS NOT NULL",
      "CREATE INDEX seats_name ON seats (name)",
    ],
  },
  {
    version: 2,
    name: "human seats",
    // 1 when a person played the seat (its Hello said `human`: the /play page), else 0.
    statements: ["ALTER TABLE seats ADD COLUMN human INTEGER NOT NULL DEFAULT 0"],
  },
  {
    version: 3,
    name: "who was at fault",
    // The match_ended event's culprit: -1 the game, a bot's seat index, NULL nobody (or not known).
    statements: ["ALTER TABLE matches ADD COLUMN culprit INTEGER"],
  },
];
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;
