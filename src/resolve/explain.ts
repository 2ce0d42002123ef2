import type { Queryable } from '../db/index.js';
import { decodePattern } from './comparisons.js';
import { resolveReference, type CustomerLocation } from './edit.js';
import { levelWeight, priorWeight, weightToProbability, type MatchModel } from './model.js';
import { GROUPS } from './survivorship.js';
import { loadModelById } from './train.js';

/**
 * The data behind `golden explain`: a customer's golden values and where each came from, the
 * source records behind it, and every merge that brought its records together, with the match
 * weight of the linking pair taken apart into the prior, one term per comparison and the
 * term-frequency adjustment (they add up to the weight stored in merge_log).
 */

export interface ExplainedGroup {
  group: string;
  /** The source that supplied the group (lineage), null when no record has a value. */
  source: string | null;
  values: Record<string, string | null>;
}

export interface ExplainedRecord {
  id: number;
  ref: string;
  source: string;
  key: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  birthDate: string | null;
  gender: string | null;
  customerSince: string | null;
  otherEmails: string[];
  otherPhones: string[];
  firstSeenBatch: number;
  lastSeenBatch: number;
}

export interface WaterfallTerm {
  comparison: string;
  label: string;
  /** 0 = missing on one side, 1 … n best to worst. */
  level: number;
  levelLabel: string;
  weight: number;
}

export interface Waterfall {
  modelId: number;
  prior: number;
  comparisons: WaterfallTerm[];
  termFrequency: number;
  /** prior + comparisons: the pattern's weight. */
  patternWeight: number;
  /** patternWeight + termFrequency: the match weight in bits (log2 odds). */
  total: number;
  probability: number;
}

export interface ExplainedMerge {
  id: number;
  kind: 'auto' | 'link' | 'review';
  mergedAt: Date;
  runId: number | null;
  survivorId: number;
  mergedId: number | null;
  left: string | null;
  right: string | null;
  /** Records that joined the survivor in this merge. */
  records: string[];
  score: number | null;
  weight: number | null;
  /** Override joins: how they were decided. */
  override: 'link' | 'review' | null;
  note: string | null;
  /** The model's reasons; null for override joins without model evidence. */
  waterfall: Waterfall | null;
  /** The linking pair has since been split into different customers. */
  apart: boolean;
}

export interface Explanation {
  requested: string;
  customerId: number;
  /** Set when the reference was a customer id that was merged away. */
  location: CustomerLocation | null;
  customer: {
    id: number;
    customerSince: string | null;
    createdAt: Date;
    updatedAt: Date;
    lineage: Record<string, string>;
  };
  groups: ExplainedGroup[];
  records: ExplainedRecord[];
  merges: ExplainedMerge[];
}

interface ModelEvidence {
  modelId?: number;
  pattern?: number;
  patternWeight?: number;
  termFrequency?: number;
  override?: boolean;
  note?: string;
}

/** The waterfall of one scored pair, from the model it was scored with. */
export function waterfall(model: MatchModel, modelId: number, pattern: number, termFrequency: number): Waterfall {
  const levels = decodePattern(pattern);
  const prior = priorWeight(model);
  const comparisons = model.comparisons.map((c, i): WaterfallTerm => {
    const level = levels[i] ?? 0;
    return {
      comparison: c.name,
      label: c.label,
      level,
      levelLabel: level === 0 ? 'missing' : (c.levels[level - 1]?.label ?? `level ${level}`),
      weight: levelWeight(model, i, level),
    };
  });
  // Summed in scorePattern's order, so the total is the stored weight to the last bit.
  let patternWeight = prior;
  for (const term of comparisons) patternWeight += term.weight;
  const total = patternWeight + termFrequency;
  return { modelId, prior, comparisons, termFrequency, patternWeight, total, probability: weightToProbability(total) };
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const join = (parts: unknown[], sep = ' '): string | null => {
  const kept = parts.map(text).filter((p): p is string => p !== null && p !== '');
  return kept.length === 0 ? null : kept.join(sep);
};

export async function explainCustomer(db: Queryable, reference: string): Promise<Explanation> {
  const resolved = await resolveReference(db, reference);
  const id = resolved.customerId;
  const [customer] = await db.query<Record<string, unknown>>('SELECT * FROM customers WHERE id = $1', [id]);
  if (customer === undefined) throw new Error(`customer ${id} disappeared`);
  const lineage = (customer.lineage ?? {}) as Record<string, string>;
  const groups = Object.entries(GROUPS).map(([group, g]) => ({
    group,
    source: lineage[group] ?? null,
    values: Object.fromEntries(g.columns.map((c) => [c, text(customer[c])])),
  }));

  const recordRows = await db.query<Record<string, unknown>>('SELECT * FROM customer_sources WHERE customer_id = $1 ORDER BY source, source_key', [id]);
  const records = recordRows.map(
    (r): ExplainedRecord => ({
      id: Number(r.id),
      ref: `${String(r.source)}:${String(r.source_key)}`,
      source: String(r.source),
      key: String(r.source_key),
      name: join([r.title, r.given_name, r.middle_name, r.family_name, r.name_suffix]),
      email: text(r.email),
      phone: text(r.phone),
      address: join([r.street, r.address_line2, r.city, join([r.region, r.postcode]), r.country], ', '),
      birthDate: text(r.birth_date),
      gender: text(r.gender),
      customerSince: text(r.customer_since),
      otherEmails: (r.other_emails as string[] | null) ?? [],
      otherPhones: (r.other_phones as string[] | null) ?? [],
      firstSeenBatch: Number(r.first_seen_batch),
      lastSeenBatch: Number(r.last_seen_batch),
    }),
  );

  const mergeRows = await db.query<{
    id: number;
    kind: 'auto' | 'link' | 'review';
    merged_at: Date;
    run_id: number | null;
    survivor_id: number;
    merged_id: number | null;
    left_ref: string | null;
    right_ref: string | null;
    records: string[];
    score: number | null;
    weight: number | null;
    evidence: ModelEvidence;
    apart: boolean;
  }>(
    `SELECT m.id, m.kind, m.merged_at, m.run_id, m.survivor_id, m.merged_id, m.score, m.weight, m.evidence,
       l.source || ':' || l.source_key AS left_ref, r.source || ':' || r.source_key AS right_ref,
       ARRAY(SELECT cs.source || ':' || cs.source_key FROM customer_sources cs WHERE cs.id = ANY (m.records) ORDER BY cs.id) AS records,
       coalesce(l.customer_id <> r.customer_id, false) AS apart
     FROM merge_log m
     LEFT JOIN customer_sources l ON l.id = m.left_record_id
     LEFT JOIN customer_sources r ON r.id = m.right_record_id
     WHERE m.undone_at IS NULL AND (l.customer_id = $1 OR r.customer_id = $1)
     ORDER BY m.id`,
    [id],
  );
  const models = new Map<number, MatchModel | null>();
  const merges: ExplainedMerge[] = [];
  for (const m of mergeRows) {
    const evidence = m.evidence ?? {};
    let fall: Waterfall | null = null;
    if (typeof evidence.modelId === 'number' && typeof evidence.pattern === 'number') {
      if (!models.has(evidence.modelId)) models.set(evidence.modelId, await loadModelById(db, evidence.modelId));
      const model = models.get(evidence.modelId);
      if (model) fall = waterfall(model, evidence.modelId, evidence.pattern, Number(evidence.termFrequency ?? 0));
    }
    merges.push({
      id: Number(m.id),
      kind: m.kind,
      mergedAt: m.merged_at,
      runId: m.run_id === null ? null : Number(m.run_id),
      survivorId: Number(m.survivor_id),
      mergedId: m.merged_id === null ? null : Number(m.merged_id),
      left: m.left_ref,
      right: m.right_ref,
      records: m.records,
      score: m.score === null ? null : Number(m.score),
      weight: m.weight === null ? null : Number(m.weight),
      // By kind first: a must-link joined in resolve carries model evidence when the pair was also a candidate.
      override: m.kind === 'review' ? 'review' : m.kind === 'link' || evidence.override ? 'link' : null,
      note: evidence.note ?? null,
      waterfall: fall,
      apart: m.apart,
    });
  }
  return {
    requested: reference,
    customerId: id,
    location: resolved.location && resolved.location.via.length > 0 ? resolved.location : null,
    customer: {
      id,
      customerSince: text(customer.customer_since),
      createdAt: customer.created_at as Date,
      updatedAt: customer.updated_at as Date,
      lineage,
    },
    groups,
    records,
    merges,
  };
}
