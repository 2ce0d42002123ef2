import type { GoldenConfig } from '../config/index.js';
import type { Engine, Session } from '../db/index.js';
import { formalGivenName, OTHER_EXPANSIONS } from '../normalize/index.js';
import { ATTRIBUTE_COLUMNS, ATTRIBUTES, attributesHashSql, comparisonProjection } from './columns.js';
import { blockingKeysSql } from './blocking.js';
import { COMPARISONS, levelSql, patternSql } from './comparisons.js';

/**
 * The set-based stages of resolve, each one statement over scratch tables (rs_*). Scratch
 * tables are UNLOGGED and created inside the resolve transaction: a crash or a dry run leaves
 * nothing behind, and they are ANALYZEd before they are joined (PERF-NOTES: fresh tables have
 * no statistics and the planner then chooses very badly).
 */
export const SCRATCH_TABLES = [
  'rs_delta', 'rs_blocked', 'rs_expansions', 'rs_keys', 'rs_blocks', 'rs_members', 'rs_pairs', 'rs_idfreq', 'rs_recs', 'rs_levels',
  'rs_sample_ids', 'rs_weights', 'rs_edges', 'rs_assign', 'rs_absorb', 'rs_joins', 'rs_review', 'rs_newrec', 'rs_clusters',
  'rs_touched', 'rs_golden', 'rs_merges',
] as const;

const UNLOGGED = 'CREATE UNLOGGED TABLE';
const NO_VACUUM = 'WITH (autovacuum_enabled = off)';

/**
 * Session settings for resolve, training and moving activities on PostgreSQL, scoped to the
 * transaction: the server default work_mem (4 MB) sent every big sort to disk, and the JIT
 * compiled the comparison CASE for seconds and won nothing back. Parallel plans are made cheap
 * to choose: the server's default costs kept the key, block and edge tables on one core (resolve
 * of 1.86M records: 163 s, 150 s with these).
 */
export async function tuneForBulkWork(tx: Session, engine: Engine): Promise<void> {
  if (engine === 'postgres') {
    await tx.exec(`SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB'; SET LOCAL jit = off;
      SET LOCAL parallel_setup_cost = 10; SET LOCAL parallel_tuple_cost = 0.001`);
  }
}

export async function dropScratch(tx: Session): Promise<void> {
  await tx.exec(`DROP TABLE IF EXISTS ${SCRATCH_TABLES.join(', ')}`);
}

async function analyze(tx: Session, table: string): Promise<void> {
  await tx.exec(`ANALYZE ${table}`);
}

const ids = (list: readonly number[]) => (list.length === 0 ? 'NULL' : list.map((n) => String(Math.trunc(n))).join(', '));

/**
 * rs_delta: the latest staged version of each source record in the given batches (a key
 * repeated in a file: the last line wins), with its crosswalk id if seen before and whether it
 * changed. New records get ids after the current maximum, in (source, source_key) order, so
 * the ids never depend on file order or on an earlier crashed run.
 * In training mode every crosswalk record is taken instead, as if all had changed.
 */
export async function buildDelta(tx: Session, batches: readonly number[], mode: 'resolve' | 'train'): Promise<void> {
  if (mode === 'train') {
    await tx.exec(`${UNLOGGED} rs_delta ${NO_VACUUM} AS
      SELECT id, source, source_key, last_seen_batch AS batch_id, issues, ${ATTRIBUTES}, attributes_hash,
        customer_id, 'changed'::text AS change
      FROM customer_sources`);
  } else {
    const [{ max }] = (await tx.query<{ max: number }>('SELECT coalesce(max(id), 0)::bigint AS max FROM customer_sources')) as [{ max: number }];
    // A new record's id is the maximum plus its rank among the staged records in (source,
    // source_key) order: the order DISTINCT ON already sorted them in, so no second sort (ids of
    // records seen before are skipped over, which leaves harmless gaps).
    await tx.exec(`${UNLOGGED} rs_delta ${NO_VACUUM} AS
      WITH latest AS (
        -- Rows staged before the importer computed the hash get one here.
        SELECT DISTINCT ON (source, source_key) s.batch_id, s.source, s.source_key, s.issues, ${ATTRIBUTE_COLUMNS.map((c) => `s.${c}`).join(', ')},
          coalesce(s.attributes_hash, ${attributesHashSql('s')}) AS attributes_hash
        FROM staging_records s WHERE s.batch_id IN (${ids(batches)})
        ORDER BY s.source, s.source_key, s.batch_id DESC, s.line_no DESC
      ), ranked AS (
        SELECT latest.*, row_number() OVER (ORDER BY source, source_key) AS rank FROM latest
      )
      SELECT coalesce(cs.id, ${Number(max)} + h.rank) AS id, h.*, cs.customer_id,
        CASE WHEN cs.id IS NULL THEN 'new' WHEN cs.attributes_hash = h.attributes_hash THEN 'same' ELSE 'changed' END AS change
      FROM ranked h LEFT JOIN customer_sources cs ON cs.source = h.source AND cs.source_key = h.source_key`);
  }
  await tx.exec('CREATE INDEX ON rs_delta (id)');
  await analyze(tx, 'rs_delta');
}

/** Blocklisted e-mails and phones, already normalised by the caller. */
export async function buildBlocklist(tx: Session, values: readonly string[]): Promise<void> {
  await tx.exec(`${UNLOGGED} rs_blocked (value text PRIMARY KEY)`);
  if (values.length > 0) {
    await tx.query('INSERT INTO rs_blocked SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING', [values]);
  }
}

/**
 * Candidate pairs. Keys of the changed records, plus the stored keys of unchanged records that
 * share one of them; blocks between 2 and maxBlockSize records; pairs with at least one changed
 * record, deduplicated on one bigint code (left id << 31 | right id) by sorting, which beat
 * hash aggregation on millions of keys (PERF-NOTES). `rules` is a bitmask of the rules that
 * produced the pair.
 */
export async function buildPairs(tx: Session, config: GoldenConfig): Promise<void> {
  const { blocking, maxBlockSize } = config.resolve;
  const delta = blockingKeysSql(blocking, 'rs_delta', "t.change <> 'same'");
  // Without stored keys (a first load) the delta's keys are all there is: read once, not kept
  // aside for the lookup into record_keys (which wrote 11M keys to a temporary file).
  const stored = await hasRecordKeys(tx);
  await tx.exec(`${UNLOGGED} rs_keys ${NO_VACUUM} AS
    ${
      stored
        ? `WITH d AS (${delta})
    SELECT key, record_id, rule, true AS is_delta FROM d
    UNION ALL
    SELECT rk.key, rk.record_id, rk.rule, false FROM record_keys rk
    WHERE rk.key IN (SELECT key FROM d)
      AND NOT EXISTS (SELECT 1 FROM rs_delta x WHERE x.id = rk.record_id AND x.change <> 'same')`
        : `SELECT key, record_id, rule, true AS is_delta FROM (${delta}) d`
    }`);
  await analyze(tx, 'rs_keys');
  await pairsFromKeys(tx, Number(maxBlockSize));
}

/**
 * rs_pairs from rs_keys (key, record_id, rule, is_delta): every two different records sharing
 * a key of a block of 2 … maxBlockSize records, when one of them changed, with the bits of the
 * rules that paired them.
 */
export async function pairsFromKeys(tx: Session, maxBlockSize: number): Promise<void> {
  // Blocks of 2 … maxBlockSize records holding a changed record, then their pairs, deduplicated
  // on one bigint code. Both group by sorting: hash aggregation over millions of keys spilled
  // and ran slower (PERF-NOTES; 6.8 s against 4.4 s for the blocks of 11.4M keys). Building
  // sorted id arrays per block and unnesting their pairs instead took twice as long.
  // A key belongs to one rule (its hash includes the rule's name). Most blocks hold two or
  // three records, and their pairs follow from the block's lowest, highest and (by xor) middle
  // record id without a join; only the members of larger blocks are joined with each other
  // (first load, 11.4M keys in 3.1M blocks: 22.7 s for the blocks and the join of all their
  // 8.1M members, 14.8 s so). A three-record block holding unchanged records goes through the
  // join, where pairs of two unchanged records are left out.
  await tx.exec('SET LOCAL enable_hashagg = off');
  await tx.exec(`${UNLOGGED} rs_blocks ${NO_VACUUM} AS
    SELECT key, count(*) AS n, min(rule) AS rule, min(record_id) AS lo, max(record_id) AS hi, bit_xor(record_id) AS ids_xor,
      bool_and(is_delta) AS all_delta
    FROM rs_keys GROUP BY key HAVING count(*) BETWEEN 2 AND ${Math.trunc(maxBlockSize)} AND bool_or(is_delta)`);
  await analyze(tx, 'rs_blocks');
  const small = 'k.n = 2 OR (k.n = 3 AND k.all_delta)';
  await tx.exec(`${UNLOGGED} rs_members ${NO_VACUUM} AS
    SELECT a.key, a.record_id, a.rule, a.is_delta FROM rs_blocks k JOIN rs_keys a ON a.key = k.key WHERE NOT (${small})`);
  await analyze(tx, 'rs_members');
  // Ids may repeat inside a block (one record's two e-mails): a pair needs two different ids.
  const middle = 'k.ids_xor # k.lo # k.hi';
  await tx.exec(`${UNLOGGED} rs_pairs ${NO_VACUUM} AS
    SELECT code, bit_or(rules) AS rules FROM (
      SELECT (k.lo << 31) | k.hi AS code, 1 << k.rule AS rules FROM rs_blocks k WHERE k.n = 2 AND k.lo < k.hi
      UNION ALL
      SELECT (p.l << 31) | p.r, 1 << k.rule
      FROM rs_blocks k CROSS JOIN LATERAL (VALUES (k.lo, ${middle}), (k.lo, k.hi), (${middle}, k.hi)) AS p(l, r)
      WHERE k.n = 3 AND k.all_delta AND p.l < p.r
      UNION ALL
      SELECT (a.record_id << 31) | b.record_id, 1 << a.rule
      FROM rs_members a JOIN rs_members b ON b.key = a.key AND a.record_id < b.record_id
      WHERE a.is_delta OR b.is_delta
    ) x GROUP BY code`);
  await tx.exec('RESET enable_hashagg');
  await analyze(tx, 'rs_pairs');
}

/** Whether record_keys holds any key: none before the first load (or after it was lost). */
export async function hasRecordKeys(tx: Session): Promise<boolean> {
  return (await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM record_keys) AS any'))[0]?.any === true;
}

/** A person's initials in either order (given and family names get swapped in exports). */
const INITIALS = 'CASE WHEN gf IS NOT NULL AND fn IS NOT NULL THEN least(left(gf, 1), left(fn, 1)) || greatest(left(gf, 1), left(fn, 1)) END';

/**
 * rs_recs: every record a comparison or the u sample reads, with comparison columns computed
 * once. An e-mail or phone held by more than sharedIdentifierLimit records is flagged shared.
 */
export async function buildRecords(tx: Session, config: GoldenConfig, allDelta: boolean): Promise<void> {
  const limit = Number(config.resolve.sharedIdentifierLimit);
  // Given names with several possible formal names, each with all of them.
  await tx.exec(`${UNLOGGED} rs_expansions (name text PRIMARY KEY, formals text[] NOT NULL)`);
  const names = Object.keys(OTHER_EXPANSIONS);
  await tx.query("INSERT INTO rs_expansions SELECT name, string_to_array(f, ',') FROM unnest($1::text[], $2::text[]) AS u(name, f)", [
    names,
    names.map((n) => [formalGivenName(n), ...OTHER_EXPANSIONS[n]!].join(',')),
  ]);
  // Training (first load, golden train) reads every changed record for the u sample; a
  // nightly run only those in a candidate pair.
  const touched = allDelta
    ? ''
    : `AND t.id IN (SELECT code >> 31 FROM rs_pairs UNION SELECT code & 2147483647 FROM rs_pairs)`;
  await tx.exec(`${UNLOGGED} rs_recs ${NO_VACUUM} AS
    SELECT t.id, t.customer_id, x.formals AS ga, ${comparisonProjection('t')}
    FROM rs_delta t LEFT JOIN rs_expansions x ON x.name = t.given_name_match
    WHERE t.change <> 'same' ${touched}
    UNION ALL
    SELECT t.id, t.customer_id, x.formals AS ga, ${comparisonProjection('t')}
    FROM customer_sources t LEFT JOIN rs_expansions x ON x.name = t.given_name_match
    WHERE t.id IN (SELECT code >> 31 FROM rs_pairs UNION SELECT code & 2147483647 FROM rs_pairs)
      AND NOT EXISTS (SELECT 1 FROM rs_delta d WHERE d.id = t.id AND d.change <> 'same')`);
  // Who holds each e-mail and phone: the records in this run plus the customers already
  // holding it. Held by more than the limit, or by people with different given-name initials
  // (a family inbox, a household landline), it is "shared": weaker evidence, and no exception
  // to the cannot-link rules.
  const existing = (await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM customer_identifiers) AS any'))[0]?.any === true;
  // Only the shared values are kept: written whole and then deleted, the ~3M values of a first
  // load that are not shared cost seconds for nothing.
  await tx.exec(`${UNLOGGED} rs_idfreq ${NO_VACUUM} AS
    WITH ids AS (
      SELECT 'email' AS kind, em AS value, ${INITIALS} AS initial FROM rs_recs WHERE em IS NOT NULL
      UNION ALL SELECT 'phone', ph, ${INITIALS} FROM rs_recs WHERE ph IS NOT NULL
    ), here AS (
      SELECT kind, value, count(*) AS n, min(initial) AS lo, max(initial) AS hi FROM ids GROUP BY kind, value
    )
    SELECT * FROM (
    SELECT h.kind, h.value, h.n${existing ? ' + x.n' : ''} AS n,
      ${existing ? 'least(h.lo, x.lo) <> greatest(h.hi, x.hi)' : 'h.lo <> h.hi'} AS mixed
    FROM here h
    ${
      existing
        ? `CROSS JOIN LATERAL (
      SELECT count(*) AS n, min(i.initial) AS lo, max(i.initial) AS hi
      FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id,
        LATERAL (SELECT least(lower(left(c.given_name, 1)), lower(left(c.family_name, 1))) || greatest(lower(left(c.given_name, 1)), lower(left(c.family_name, 1))) AS initial) i
      WHERE ci.kind = h.kind AND ci.value = h.value
        AND ci.customer_id NOT IN (SELECT customer_id FROM rs_recs WHERE customer_id IS NOT NULL)
    ) x`
        : ''
    }
    ) f WHERE n > ${limit} OR coalesce(mixed, false)`);
  await tx.exec(`ALTER TABLE rs_recs ADD COLUMN em_shared boolean NOT NULL DEFAULT false, ADD COLUMN ph_shared boolean NOT NULL DEFAULT false`);
  // Blocklisted e-mails and phones are no evidence at all: as if the record had none.
  await tx.exec(`UPDATE rs_recs SET em = NULL, em_local = NULL, em_domain = NULL WHERE em IN (SELECT value FROM rs_blocked)`);
  await tx.exec(`UPDATE rs_recs SET ph = NULL WHERE ph IN (SELECT value FROM rs_blocked)`);
  await tx.exec(`UPDATE rs_recs SET em_others = nullif(array(SELECT x FROM unnest(em_others) x WHERE x NOT IN (SELECT value FROM rs_blocked)), '{}')
    WHERE em_others && (SELECT coalesce(array_agg(value), '{}') FROM rs_blocked)`);
  await tx.exec(`UPDATE rs_recs SET ph_others = nullif(array(SELECT x FROM unnest(ph_others) x WHERE x NOT IN (SELECT value FROM rs_blocked)), '{}')
    WHERE ph_others && (SELECT coalesce(array_agg(value), '{}') FROM rs_blocked)`);
  // One pass over the records for both flags (rs_idfreq now holds only shared values).
  await tx.exec(`UPDATE rs_recs SET
      em_shared = coalesce(em IN (SELECT value FROM rs_idfreq WHERE kind = 'email'), false),
      ph_shared = coalesce(ph IN (SELECT value FROM rs_idfreq WHERE kind = 'phone'), false)
    WHERE em IN (SELECT value FROM rs_idfreq WHERE kind = 'email') OR ph IN (SELECT value FROM rs_idfreq WHERE kind = 'phone')`);
  await tx.exec('ALTER TABLE rs_recs ADD PRIMARY KEY (id)');
  await analyze(tx, 'rs_recs');
}

/**
 * The pattern and term-frequency values of a set of pairs (columns l_id, r_id) as SELECT …
 * Each level CASE appears once, inside the pattern's sum, and every column comes from the
 * join itself, so parallel workers compute it all (an outer query over the levels ran in the
 * leader alone: first load, 4.5M pairs, 13.9 s against 12.9 s so).
 */
export function levelsSelect(pairs: string, extra: string): string {
  const exact = (name: string) => COMPARISONS.find((c) => c.name === name)!.levels.find((level) => level.termFrequency)!.when!;
  return `SELECT ${extra ? `${extra}, ` : ''}${patternSql((i) => levelSql(COMPARISONS[i]!))} AS pattern,
      CASE WHEN ${exact('given_name')} THEN l.gn END AS tf_given, CASE WHEN ${exact('family_name')} THEN l.fn END AS tf_family
    FROM ${pairs} p JOIN rs_recs l ON l.id = p.l_id JOIN rs_recs r ON r.id = p.r_id`;
}

export async function buildLevels(tx: Session): Promise<void> {
  await tx.exec(`${UNLOGGED} rs_levels ${NO_VACUUM} AS
    ${levelsSelect('(SELECT code, rules, code >> 31 AS l_id, code & 2147483647 AS r_id FROM rs_pairs)', 'p.code, p.rules')}`);
  await analyze(tx, 'rs_levels');
}

/**
 * Pattern counts of n random record pairs (for u). The pairs are drawn with a hash of the
 * row number, not random(), so they are the same on every run and in parallel workers.
 */
export async function samplePatterns(tx: Session, n: number): Promise<{ pattern: number; count: number }[]> {
  await tx.exec(`${UNLOGGED} rs_sample_ids ${NO_VACUUM} AS SELECT id, row_number() OVER (ORDER BY id) AS rn FROM rs_recs`);
  await tx.exec('CREATE INDEX ON rs_sample_ids (rn)');
  await analyze(tx, 'rs_sample_ids');
  const rows = await tx.query<{ pattern: number; count: number }>(
    `WITH total AS (SELECT count(*) AS n FROM rs_sample_ids),
     picks AS (
       SELECT 1 + abs(hashint8(g)) % t.n AS a, 1 + abs(hashint8(g + 1000003)) % t.n AS b
       FROM total t, generate_series(1, $1::bigint) g WHERE t.n > 1
     ),
     pairs AS (
       SELECT sa.id AS l_id, sb.id AS r_id FROM picks
       JOIN rs_sample_ids sa ON sa.rn = picks.a JOIN rs_sample_ids sb ON sb.rn = picks.b
       WHERE picks.a <> picks.b
     )
     SELECT pattern, count(*)::bigint AS count FROM (${levelsSelect('pairs', '')}) s GROUP BY pattern ORDER BY pattern`,
    [n],
  );
  await tx.exec('DROP TABLE rs_sample_ids');
  return rows.map((r) => ({ pattern: Number(r.pattern), count: Number(r.count) }));
}

export async function patternCounts(tx: Session): Promise<{ pattern: number; count: number }[]> {
  const rows = await tx.query<{ pattern: number; count: number }>('SELECT pattern, count(*)::bigint AS count FROM rs_levels GROUP BY pattern ORDER BY pattern');
  return rows.map((r) => ({ pattern: Number(r.pattern), count: Number(r.count) }));
}
