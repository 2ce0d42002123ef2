-- Identity resolution: record ids for pair codes, persisted blocking keys, trained models,
-- resolve runs, and a merge log that can explain and undo each merge.

-- migrate:up

-- A batch's staged rows are consumed once by resolve; then they are deleted.
ALTER TABLE import_batches ADD COLUMN resolved_at timestamptz;
-- Hash of the normalised attributes, computed by the importer: resolve compares it with the
-- crosswalk's to find changed records.
ALTER TABLE staging_records ADD COLUMN attributes_hash text;

-- One row per resolve that changed the database (dry runs leave none).
CREATE TABLE resolve_runs (
  id          bigint PRIMARY KEY,
  model_id    bigint NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  counts      jsonb NOT NULL DEFAULT '{}'
);

-- Trained Fellegi–Sunter parameters: m and u per comparison level, the prior, and the
-- term frequencies of names. The newest row is the one in use.
CREATE TABLE match_models (
  id            bigint PRIMARY KEY,
  trained_at    timestamptz NOT NULL DEFAULT now(),
  record_count  bigint NOT NULL,
  pair_count    bigint NOT NULL,
  parameters    jsonb NOT NULL
);
CREATE TABLE match_term_frequencies (
  model_id  bigint NOT NULL REFERENCES match_models (id) ON DELETE CASCADE,
  field     text NOT NULL,
  value     text NOT NULL,
  frequency double precision NOT NULL,
  PRIMARY KEY (model_id, field, value)
);

-- Each crosswalk record gets a small integer id, so a candidate pair is one bigint code.
-- Ids are assigned by resolve in (source, source_key) order, never from a sequence, so a run
-- that was killed and rerun gives the same ids as one that was not.
ALTER TABLE customer_sources ADD COLUMN id bigint NOT NULL;
ALTER TABLE customer_sources ADD CONSTRAINT customer_sources_id UNIQUE (id);
ALTER TABLE customer_sources ADD COLUMN updated_run bigint;
-- What normalisation noted about the record (invalid e-mail, …), kept for the quality report.
ALTER TABLE customer_sources ADD COLUMN issues text[] NOT NULL DEFAULT '{}';

-- Blocking keys of every crosswalk record: hash(rule, values) → record. A nightly delta finds
-- its candidates here through the index instead of re-hashing the whole history. Derived data:
-- UNLOGGED (a server crash empties it, and resolve rebuilds it from customer_sources).
CREATE UNLOGGED TABLE record_keys (
  key       bigint NOT NULL,
  record_id bigint NOT NULL,
  rule      smallint NOT NULL
);
-- What the keys were built from (the blocking rules); other rules rebuild record_keys.
CREATE TABLE resolve_state (
  name  text PRIMARY KEY,
  value jsonb NOT NULL
);
-- No index on record_id: a changed record's old keys are left behind (they can only add a
-- candidate pair, which is then compared on current values), so nothing looks keys up by record.
CREATE INDEX record_keys_key ON record_keys (key);

-- merge_log: one row per join of two groups of records. merged_id is the absorbed customer
-- when it existed before the run (null when new records joined); the linking pair and its
-- evidence explain the join; undo holds what restores the state before it. survivor_id is the
-- customer the whole cluster ended in at the end of that run (joins inside one run form a chain).
ALTER TABLE merge_log ALTER COLUMN merged_id DROP NOT NULL;
ALTER TABLE merge_log ADD COLUMN run_id bigint;
ALTER TABLE merge_log ADD COLUMN kind text NOT NULL DEFAULT 'auto' CHECK (kind IN ('auto', 'link', 'review'));
ALTER TABLE merge_log ADD COLUMN left_record_id bigint;
ALTER TABLE merge_log ADD COLUMN right_record_id bigint;
ALTER TABLE merge_log ADD COLUMN weight double precision;
-- The records that joined the survivor in this merge (crosswalk ids).
ALTER TABLE merge_log ADD COLUMN records bigint[] NOT NULL DEFAULT '{}';
-- explain finds a customer's merges by the records of their linking pairs.
CREATE INDEX merge_log_left_record ON merge_log (left_record_id);
CREATE INDEX merge_log_right_record ON merge_log (right_record_id);

-- Overrides and review items name records by source:key, which survive any merge or split.
ALTER TABLE match_overrides ADD COLUMN left_source text;
ALTER TABLE match_overrides ADD COLUMN left_key text;
ALTER TABLE match_overrides ADD COLUMN right_source text;
ALTER TABLE match_overrides ADD COLUMN right_key text;
CREATE INDEX match_overrides_left ON match_overrides (left_source, left_key);
CREATE INDEX match_overrides_right ON match_overrides (right_source, right_key);

ALTER TABLE review_queue ADD COLUMN left_record_id bigint NOT NULL;
ALTER TABLE review_queue ADD COLUMN right_record_id bigint NOT NULL;
ALTER TABLE review_queue ADD COLUMN run_id bigint;
CREATE UNIQUE INDEX review_queue_pair ON review_queue (left_record_id, right_record_id);

-- Activities that found no customer yet are attached by the next resolve.
CREATE INDEX activities_unattached ON activities (id) WHERE customer_id IS NULL;

-- migrate:down
DROP INDEX activities_unattached;
DROP INDEX review_queue_pair;
ALTER TABLE review_queue DROP COLUMN run_id, DROP COLUMN right_record_id, DROP COLUMN left_record_id;
ALTER TABLE match_overrides DROP COLUMN right_key, DROP COLUMN right_source, DROP COLUMN left_key, DROP COLUMN left_source;
DROP INDEX merge_log_right_record;
DROP INDEX merge_log_left_record;
ALTER TABLE merge_log DROP COLUMN records, DROP COLUMN weight, DROP COLUMN right_record_id, DROP COLUMN left_record_id, DROP COLUMN kind, DROP COLUMN run_id;
ALTER TABLE merge_log ALTER COLUMN merged_id SET NOT NULL;
DROP TABLE resolve_state;
DROP TABLE record_keys;
ALTER TABLE customer_sources DROP COLUMN issues;
ALTER TABLE customer_sources DROP COLUMN updated_run;
ALTER TABLE customer_sources DROP CONSTRAINT customer_sources_id;
ALTER TABLE customer_sources DROP COLUMN id;
DROP TABLE match_term_frequencies;
DROP TABLE match_models;
DROP TABLE resolve_runs;
ALTER TABLE staging_records DROP COLUMN attributes_hash;
ALTER TABLE import_batches DROP COLUMN resolved_at;
