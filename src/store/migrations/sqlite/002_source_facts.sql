-- Typed facts about the recording from the intake (SourceFacts: durationSeconds, bytes, codecs),
-- which executors size workers by. Jobs queued before this migration have none: '{}'.
ALTER TABLE jobs ADD COLUMN source_facts TEXT NOT NULL DEFAULT '{}';  -- JSON SourceFacts
