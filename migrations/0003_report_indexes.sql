-- Indexes the report queries rely on (src/report/segments.ts, src/report/trends.ts).
-- The report queries read activities by kind and an occurred_at range (nothing after the as-of
-- day, or a --from/--to window), optionally for one business unit. Both indexes carry the
-- columns the reports read, so those reads are index-only scans of a narrow index instead of
-- passes over the wide table (descriptions, references, issues). Each index costs COPY time on
-- import, so there are two and no more. A report over the whole history still reads every
-- activity (a sequential scan is the right plan then); the indexes serve the as-of bound,
-- windows, single kinds and single units.
--
-- Already there and relied on too: activities_customer (customer_id, occurred_at) for the
-- segments population with --business-unit (does the customer have an activity in the unit?);
-- customer_sources_pkey (source, source_key) for the crosswalk side of the units a customer uses.

-- migrate:up

-- segments: the activity side of the units a customer uses (kind IN order/transaction/ticket,
--   occurred_at up to the as-of day) and the per-customer RFM figures (all kinds, up to it).
-- trends: the first month with activity (min(occurred_at) per kind, one probe each), the monthly
--   series over a window (kind IN all four, occurred_at range), tickets by category and channel
--   and the rising ticket categories (kind = 'ticket', occurred_at range).
CREATE INDEX activities_report_kind ON activities (kind, occurred_at)
  INCLUDE (customer_id, business_unit, amount, category, channel, csat, nps);

-- segments and trends with --business-unit: the same reads restricted to one unit.
CREATE INDEX activities_report_unit ON activities (business_unit, kind, occurred_at)
  INCLUDE (customer_id, amount, category, channel, csat, nps);

-- migrate:down
DROP INDEX activities_report_unit;
DROP INDEX activities_report_kind;
