-- The reports' per-customer figures (src/report/segments.ts `acts`, src/report/service.ts
-- `activity`, src/report/trends.ts `firsts`) aggregate every activity by customer. With the
-- columns they read carried in the customer index, that aggregate is a parallel index-only
-- scan already in customer order, aggregated as it streams: 3–4 s on 10M activities, where a
-- hash aggregate over the table took 10–13 s (1M groups of a dozen aggregates each spill and
-- miss the cache). Index-only scans need the visibility map: `golden run` vacuums activities
-- after resolve; autovacuum does it for other writers.
--
-- Resolve relies on the same index for re-pointing a merged customer's activities
-- (WHERE customer_id = …), as before.

-- The trends report groups the window's activities by month. Without statistics on that
-- expression the planner guesses millions of groups and aggregates on one core; with them it
-- knows there are a few dozen and splits the pass over parallel workers (4.3 s → 2.2 s).

-- migrate:up
DROP INDEX activities_customer;
CREATE INDEX activities_customer ON activities (customer_id, occurred_at)
  INCLUDE (kind, business_unit, amount, csat, nps);
CREATE STATISTICS activities_month ON (date_trunc('month', occurred_at)) FROM activities;

-- migrate:down
DROP STATISTICS activities_month;
DROP INDEX activities_customer;
CREATE INDEX activities_customer ON activities (customer_id, occurred_at);
