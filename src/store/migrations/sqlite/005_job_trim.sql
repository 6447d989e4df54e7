-- The trim a job's request asked for, as JSON {"request": "auto" | {start, end}}; NULL for none (suggest
-- only), also for every job before this migration. When the job succeeds, a clip job of it makes
-- the trimmed asset.
ALTER TABLE jobs ADD COLUMN trim TEXT;  -- JSON TrimRequest
-- Finding a job's clips and trimmed asset (GET /v1/jobs?parent=).
CREATE INDEX jobs_parent_job_id ON jobs (parent_job_id) WHERE parent_job_id IS NOT NULL;
