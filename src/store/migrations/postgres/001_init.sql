-- Jobs, their attempts and events, and outbound webhook deliveries.
-- Unqualified names: the store sets search_path to its schema.

CREATE TABLE jobs (
  id               text PRIMARY KEY,
  -- Insertion order: FIFO within a priority and the listing cursor.
  seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  idempotency_key  text NOT NULL UNIQUE,
  source           text NOT NULL,
  source_kind      text NOT NULL,
  -- priorityWeight: urgent 3 … low 0, so the queue order is ORDER BY priority DESC, seq.
  priority         smallint NOT NULL,
  state            text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress         double precision NOT NULL DEFAULT 0,
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  output_prefix    text NOT NULL,
  metadata         jsonb NOT NULL DEFAULT '{}',
  playable_at      timestamptz,
  error            jsonb,
  run_after        timestamptz,
  lease_owner      text,
  lease_expires_at timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  started_at       timestamptz,
  finished_at      timestamptz
);

-- The claim scans only queued jobs, already in queue order.
CREATE INDEX jobs_queue ON jobs (priority DESC, seq) WHERE state = 'queued';
-- requeueExpired looks only at running jobs.
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';

CREATE TABLE attempts (
  job_id      text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  number      integer NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  outcome     text CHECK (outcome IN ('succeeded', 'failed', 'preempted', 'cancelled', 'interrupted')),
  reason      text,
  counts      boolean NOT NULL DEFAULT true,
  PRIMARY KEY (job_id, number)
);

CREATE TABLE job_events (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  at     timestamptz NOT NULL,
  type   text NOT NULL,
  data   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX job_events_job ON job_events (job_id, id);

CREATE TABLE deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint        text NOT NULL,
  event_type      text NOT NULL,
  payload         text NOT NULL,
  message_id      text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  next_attempt_at timestamptz NOT NULL,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
