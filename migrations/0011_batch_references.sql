-- The crosswalk's first_seen_batch / last_seen_batch and merge_log.batch_id name the import batch
-- they came from, without a foreign key from now on, like staging_records and staging_activities.
-- A first load writes both tables in bulk with their constraints dropped and added again (see
-- withoutIndexes), and dropping or adding a foreign key locks the table it refers to: resolve
-- then held import_batches until its commit, and `golden run`, which stages activity files
-- beside resolve, could not start or finish a file meanwhile (a first night's last two files
-- waited 60 s, and the activities' move behind them). Import batches are never deleted (a reload
-- marks the old one superseded), so the references cannot dangle through golden.

-- migrate:up
ALTER TABLE merge_log DROP CONSTRAINT merge_log_batch_id_fkey;
ALTER TABLE customer_sources DROP CONSTRAINT customer_sources_first_seen_batch_fkey;
ALTER TABLE customer_sources DROP CONSTRAINT customer_sources_last_seen_batch_fkey;

-- migrate:down
ALTER TABLE customer_sources ADD CONSTRAINT customer_sources_last_seen_batch_fkey FOREIGN KEY (last_seen_batch) REFERENCES import_batches (id);
ALTER TABLE customer_sources ADD CONSTRAINT customer_sources_first_seen_batch_fkey FOREIGN KEY (first_seen_batch) REFERENCES import_batches (id);
ALTER TABLE merge_log ADD CONSTRAINT merge_log_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES import_batches (id);
