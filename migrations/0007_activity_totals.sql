-- Activity totals kept up to date by triggers on activities, so the reports read small tables
-- instead of aggregating ten million activities on every run:
-- - customer_activity, each customer's figures (src/report/segments.ts `acts` and
--   src/report/service.ts `activity`; 2.8 s on three cores down to 0.6 s on one, for 1M
--   customers and 9.6M activities);
-- - source_activity and source_activity_issues, each activity source's rows, rows without a
--   customer and rows with issues (src/report/quality.ts; two passes over the whole table);
-- - monthly_activity, sums per month, business unit and kind (src/report/trends.ts volumes).
--
-- The *_live views are the definitions: what the tables must equal at every commit (tests
-- compare them). Whichever code or person writes to activities, each statement's trigger
-- recomputes the rows of the customers it touched (inserted, moved, re-pointed, deleted) and
-- adds its rows to the per-source and per-month sums and takes away those it deleted or changed. A customer
-- without activities has no row. A bulk move into activities switches the triggers off inside
-- its transaction and rebuilds the tables once (src/resolve/activities.ts).
--
-- The figures hold every activity, whatever its date: a report as of a day before a
-- customer's last activity (last_at), or one leaving out batches imported after its day,
-- reads activities instead.

-- migrate:up
CREATE VIEW customer_activity_live AS
SELECT a.customer_id,
  count(*)::int AS activities,
  count(*) FILTER (WHERE a.kind = 'order')::int AS orders,
  count(*) FILTER (WHERE a.kind = 'transaction')::int AS transactions,
  count(*) FILTER (WHERE a.kind = 'ticket')::int AS tickets,
  coalesce(sum(a.amount) FILTER (WHERE a.kind IN ('order', 'transaction')), 0)::numeric(16, 2) AS revenue,
  min(a.occurred_at) AS first_at,
  max(a.occurred_at) AS last_at,
  -- a use of a business unit: an order, transaction or ticket (a survey answer is none)
  min(a.occurred_at) FILTER (WHERE a.kind IN ('order', 'transaction', 'ticket')) AS first_use,
  max(a.occurred_at) FILTER (WHERE a.kind IN ('order', 'transaction', 'ticket')) AS last_use,
  max(a.occurred_at) FILTER (WHERE a.kind IN ('order', 'transaction')) AS last_purchase,
  count(a.csat)::int AS csat_n,
  coalesce(sum(a.csat), 0)::int AS csat_sum,
  count(a.nps)::int AS nps_n,
  coalesce(sum(a.nps), 0)::int AS nps_sum,
  count(*) FILTER (WHERE a.nps >= 9)::int AS promoters,
  count(*) FILTER (WHERE a.nps <= 6)::int AS detractors,
  min(a.csat) FILTER (WHERE a.kind = 'feedback') AS lowest_feedback_csat,
  coalesce(array_agg(DISTINCT a.business_unit ORDER BY a.business_unit) FILTER (WHERE a.kind IN ('order', 'transaction', 'ticket')), '{}') AS units
FROM activities a
WHERE a.customer_id IS NOT NULL
GROUP BY a.customer_id;

CREATE TABLE customer_activity (
  customer_id          bigint PRIMARY KEY,
  activities           int NOT NULL,
  orders               int NOT NULL,
  transactions         int NOT NULL,
  tickets              int NOT NULL,
  revenue              numeric(16, 2) NOT NULL,
  first_at             timestamp NOT NULL,
  last_at              timestamp NOT NULL,
  first_use            timestamp,
  last_use             timestamp,
  last_purchase        timestamp,
  csat_n               int NOT NULL,
  csat_sum             int NOT NULL,
  nps_n                int NOT NULL,
  nps_sum              int NOT NULL,
  promoters            int NOT NULL,
  detractors           int NOT NULL,
  lowest_feedback_csat smallint,
  units                text[] NOT NULL
);

-- The rows of these customers recomputed. `= ANY` on the grouping column is pushed into the
-- view, so only their activities are read (the customer index). Refreshes queue on a lock held
-- to commit: the next one then reads in a new snapshot what the last one wrote, so two writers
-- never leave a total that misses the other's rows (nor insert one customer twice).
CREATE FUNCTION customer_activity_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  LOCK TABLE customer_activity IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM customer_activity WHERE customer_id = ANY (ids);
  INSERT INTO customer_activity SELECT * FROM customer_activity_live WHERE customer_id = ANY (ids);
END $$;

-- What the quality report counts per activity source: its rows, those without a customer, those
-- with issues, and the rows of each issue (the label before any "(detail)"). Sums, so the
-- triggers add what a statement inserted and take away what it deleted or changed.
CREATE FUNCTION activity_issue_label(issue text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN trim(split_part(issue, '(', 1));

CREATE VIEW source_activity_live AS
SELECT a.source, count(*) AS rows, count(*) FILTER (WHERE a.customer_id IS NULL) AS unattached,
  count(*) FILTER (WHERE cardinality(a.issues) > 0) AS with_issues
FROM activities a
GROUP BY a.source;

CREATE VIEW source_activity_issues_live AS
SELECT a.source, activity_issue_label(i) AS issue, count(*) AS rows
FROM activities a CROSS JOIN LATERAL unnest(a.issues) AS i
WHERE cardinality(a.issues) > 0
GROUP BY 1, 2;

CREATE TABLE source_activity (
  source      text PRIMARY KEY,
  rows        bigint NOT NULL,
  unattached  bigint NOT NULL,
  with_issues bigint NOT NULL
);

CREATE TABLE source_activity_issues (
  source text NOT NULL,
  issue  text NOT NULL,
  rows   bigint NOT NULL,
  PRIMARY KEY (source, issue)
);

-- Per month, business unit and kind, what the trends report's monthly volumes sum.
CREATE VIEW monthly_activity_live AS
SELECT date_trunc('month', a.occurred_at)::date AS month, a.business_unit, a.kind, count(*) AS rows,
  coalesce(sum(a.amount), 0) AS amount, count(a.csat) AS csat_n, coalesce(sum(a.csat), 0) AS csat_sum,
  count(a.nps) AS nps_n, count(*) FILTER (WHERE a.nps >= 9) AS promoters, count(*) FILTER (WHERE a.nps <= 6) AS detractors
FROM activities a
GROUP BY 1, 2, 3;

CREATE TABLE monthly_activity (
  month         date NOT NULL,
  business_unit text NOT NULL,
  kind          text NOT NULL,
  rows          bigint NOT NULL,
  amount        numeric NOT NULL,
  csat_n        bigint NOT NULL,
  csat_sum      bigint NOT NULL,
  nps_n         bigint NOT NULL,
  promoters     bigint NOT NULL,
  detractors    bigint NOT NULL,
  PRIMARY KEY (month, business_unit, kind)
);

-- One function for every INSERT, UPDATE and DELETE statement on activities: the customers it
-- touched are recomputed, the per-source sums get its rows added (new_rows) and taken away
-- (old_rows). Each trigger has only the transition tables of its event, so each part runs
-- only for the events that have its table.
CREATE FUNCTION activity_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM customer_activity_refresh(ARRAY(SELECT DISTINCT customer_id FROM new_rows WHERE customer_id IS NOT NULL));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM customer_activity_refresh(ARRAY(
      SELECT customer_id FROM old_rows WHERE customer_id IS NOT NULL
      UNION SELECT customer_id FROM new_rows WHERE customer_id IS NOT NULL));
  ELSE
    PERFORM customer_activity_refresh(ARRAY(SELECT DISTINCT customer_id FROM old_rows WHERE customer_id IS NOT NULL));
  END IF;

  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO source_activity AS t
      SELECT source, count(*), count(*) FILTER (WHERE customer_id IS NULL), count(*) FILTER (WHERE cardinality(issues) > 0)
      FROM new_rows GROUP BY source
      ON CONFLICT (source) DO UPDATE
      SET rows = t.rows + excluded.rows, unattached = t.unattached + excluded.unattached, with_issues = t.with_issues + excluded.with_issues;
    INSERT INTO source_activity_issues AS t
      SELECT source, activity_issue_label(i), count(*) FROM new_rows CROSS JOIN LATERAL unnest(issues) AS i
      WHERE cardinality(issues) > 0 GROUP BY 1, 2
      ON CONFLICT (source, issue) DO UPDATE SET rows = t.rows + excluded.rows;
    INSERT INTO monthly_activity AS t
      SELECT date_trunc('month', occurred_at)::date, business_unit, kind, count(*), coalesce(sum(amount), 0), count(csat),
        coalesce(sum(csat), 0), count(nps), count(*) FILTER (WHERE nps >= 9), count(*) FILTER (WHERE nps <= 6)
      FROM new_rows GROUP BY 1, 2, 3
      ON CONFLICT (month, business_unit, kind) DO UPDATE
      SET rows = t.rows + excluded.rows, amount = t.amount + excluded.amount, csat_n = t.csat_n + excluded.csat_n,
        csat_sum = t.csat_sum + excluded.csat_sum, nps_n = t.nps_n + excluded.nps_n, promoters = t.promoters + excluded.promoters,
        detractors = t.detractors + excluded.detractors;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO source_activity AS t
      SELECT source, -count(*), -count(*) FILTER (WHERE customer_id IS NULL), -count(*) FILTER (WHERE cardinality(issues) > 0)
      FROM old_rows GROUP BY source
      ON CONFLICT (source) DO UPDATE
      SET rows = t.rows + excluded.rows, unattached = t.unattached + excluded.unattached, with_issues = t.with_issues + excluded.with_issues;
    INSERT INTO source_activity_issues AS t
      SELECT source, activity_issue_label(i), -count(*) FROM old_rows CROSS JOIN LATERAL unnest(issues) AS i
      WHERE cardinality(issues) > 0 GROUP BY 1, 2
      ON CONFLICT (source, issue) DO UPDATE SET rows = t.rows + excluded.rows;
    INSERT INTO monthly_activity AS t
      SELECT date_trunc('month', occurred_at)::date, business_unit, kind, -count(*), -coalesce(sum(amount), 0), -count(csat),
        -coalesce(sum(csat), 0), -count(nps), -count(*) FILTER (WHERE nps >= 9), -count(*) FILTER (WHERE nps <= 6)
      FROM old_rows GROUP BY 1, 2, 3
      ON CONFLICT (month, business_unit, kind) DO UPDATE
      SET rows = t.rows + excluded.rows, amount = t.amount + excluded.amount, csat_n = t.csat_n + excluded.csat_n,
        csat_sum = t.csat_sum + excluded.csat_sum, nps_n = t.nps_n + excluded.nps_n, promoters = t.promoters + excluded.promoters,
        detractors = t.detractors + excluded.detractors;
    -- as the views, no row for what has none left
    DELETE FROM source_activity WHERE rows = 0;
    DELETE FROM source_activity_issues WHERE rows = 0;
    DELETE FROM monthly_activity WHERE rows = 0;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION activity_totals_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE naming these tables too has them in use
  DELETE FROM customer_activity;
  DELETE FROM source_activity;
  DELETE FROM source_activity_issues;
  DELETE FROM monthly_activity;
  RETURN NULL;
END $$;

CREATE TRIGGER activity_totals_insert AFTER INSERT ON activities
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_totals_follow();
CREATE TRIGGER activity_totals_update AFTER UPDATE ON activities
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_totals_follow();
CREATE TRIGGER activity_totals_delete AFTER DELETE ON activities
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_totals_follow();
CREATE TRIGGER activity_totals_truncate AFTER TRUNCATE ON activities
  FOR EACH STATEMENT EXECUTE FUNCTION activity_totals_truncated();

INSERT INTO customer_activity SELECT * FROM customer_activity_live;
INSERT INTO source_activity SELECT * FROM source_activity_live;
INSERT INTO source_activity_issues SELECT * FROM source_activity_issues_live;
INSERT INTO monthly_activity SELECT * FROM monthly_activity_live;

-- migrate:down
DROP TRIGGER activity_totals_truncate ON activities;
DROP TRIGGER activity_totals_delete ON activities;
DROP TRIGGER activity_totals_update ON activities;
DROP TRIGGER activity_totals_insert ON activities;
DROP FUNCTION activity_totals_truncated();
DROP FUNCTION activity_totals_follow();
DROP TABLE monthly_activity;
DROP VIEW monthly_activity_live;
DROP TABLE source_activity_issues;
DROP TABLE source_activity;
DROP VIEW source_activity_issues_live;
DROP VIEW source_activity_live;
DROP FUNCTION activity_issue_label(text);
DROP FUNCTION customer_activity_refresh(bigint[]);
DROP TABLE customer_activity;
DROP VIEW customer_activity_live;
