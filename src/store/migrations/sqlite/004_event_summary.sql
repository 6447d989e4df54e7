-- What a succeeded job's encode found of the event inside the recording (JobEventSummary:
-- suggestedTrim, chapterCount), for the job's view. NULL for jobs that have none (not finished,
-- finished before this migration, or encoded without event detection).
ALTER TABLE jobs ADD COLUMN event_summary TEXT;  -- JSON JobEventSummary
