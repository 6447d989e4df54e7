-- Jobs, their attempts and events, and outbound webhook deliveries.
-- Timestamps are ISO-8601 UTC strings (Date.toISOString), which sort and compare as text.

CREATE TABLE jobs (
  -- Insertion order: FIFO within a priority and the listing cursor. AUTOINCREMENT so a number is
  -- never reused, even after old jobs are deleted.
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT    NOT NULL UNIQUE,
  idempotency_key  TEXT    NOT NULL UNIQUE,
  source           TEXT    NOT NULL,
  source_kind      TEXT    NOT NULL,
  -- priorityWeight: urgent 3 … low 0, so the queue order is ORDER BY priority DESC, seq.
  priority         INTEGER NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress         REAL    NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  output_prefix    TEXT    NOT NULL,
  metadata         TEXT    NOT NULL DEFAULT '{}',  -- JSON object of strings
  playable_at      TEXT,
  error            TEXT,                           -- JSON JobError
  run_after        TEXT,
  lease_owner      TEXT,
  lease_expires_at TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT    NOT NULL,
  updated_at       TEXT    NOT NULL,
  started_at       TEXT,
  finished_at      TEXT
);

-- The claim scans only queued jobs, already in queue order.
CREATE INDEX jobs_queue ON jobs (priority DESC, seq) WHERE state = 'queued';
-- requeueExpired looks only at running jobs.
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';

CREATE TABLE attempts (
  job_id      TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  number      INTEGER NOT NULL,
  started_at  TEXT    NOT NULL,
  finished_at TEXT,
  outcome     TEXT CHECK (outcome IN ('succeeded', 'failed', 'preempted', 'cancelled', 'interrupted')),
  reason      TEXT,
  counts      INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (job_id, number)
) WITHOUT ROWID;

CREATE TABLE job_events (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  at     TEXT NOT NULL,
  type   TEXT NOT NULL,
  data   TEXT NOT NULL DEFAULT '{}'  -- JSON object
);
CREATE INDEX job_events_job ON job_events (job_id, id);

CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint        TEXT    NOT NULL,
  event_type      TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  message_id      TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  next_attempt_at TEXT    NOT NULL,
  last_status     INTEGER,
  last_error      TEXT,
  created_at      TEXT    NOT NULL,
  delivered_at    TEXT
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
