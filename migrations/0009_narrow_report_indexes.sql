-- The two covering report indexes of 0003 (activities_report_kind, activities_report_unit) were
-- made for reports that aggregated every activity by kind, date and unit. Since 0007 those
-- figures come from the kept totals, and what still reads activities by date reads little:
--   * the first and last activity (the trends window, and whether the monthly totals cover it):
--     one probe each of a plain index on occurred_at;
--   * survey answers (service): a partial index over feedback rows, carrying what is read;
--   * tickets by month and category (trends): activities_ticket (0005), already over tickets only;
--   * the business units named by activities (segments): monthly_activity, a few hundred rows.
-- A report with --business-unit, or with an as-of day before the last activity, reads the
-- per-customer figures through activities_customer as before, and a trends window starting
-- inside a month scans the window's activities (in parallel).
--
-- The two indexes were 1.6 GB on 9.6M activities and took 22 s of a first night's 35 s of index
-- builds (they sort on text columns); the replacements are 180 MB and take under 4 s. Every
-- activity written later also updates two narrow indexes instead of two wide ones.

-- migrate:up
DROP INDEX activities_report_kind;
DROP INDEX activities_report_unit;
CREATE INDEX activities_occurred ON activities (occurred_at);
CREATE INDEX activities_feedback ON activities (occurred_at) INCLUDE (business_unit, channel, csat, nps) WHERE kind = 'feedback';

-- migrate:down
DROP INDEX activities_feedback;
DROP INDEX activities_occurred;
CREATE INDEX activities_report_unit ON activities (business_unit, kind, occurred_at)
  INCLUDE (customer_id, amount, category, channel, csat, nps);
CREATE INDEX activities_report_kind ON activities (kind, occurred_at)
  INCLUDE (customer_id, business_unit, amount, category, channel, csat, nps);
