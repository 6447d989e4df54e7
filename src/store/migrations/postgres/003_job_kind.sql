-- A job is a transcode of a recording, or a clip of another job's finished asset (its parent):
-- the clip's range on the parent's timeline and its title. Jobs before this migration are transcodes.
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'transcode';
ALTER TABLE jobs ADD COLUMN parent_job_id TEXT;
ALTER TABLE jobs ADD COLUMN clip jsonb;
