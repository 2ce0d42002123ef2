import { z } from 'zod';
import { ACTIVITY_FIELDS, ACTIVITY_KINDS, CUSTOMER_FIELDS, ENCODINGS, SEGMENT_FIGURES, type SegmentFigure } from './fields.js';

/**
 * The project config (`golden.config.json`). Every field carries its default here;
 * the README's config reference is written from these comments.
 */

const NAME = /^[a-z][a-z0-9_]*$/;

const singleChar = (what: string) =>
  z
    .string()
    .refine((s) => s.length === 1, { message: `expected ${what} to be a single character` });

const fileGlobs = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** What every CSV export shares: where the files are and how to read them. */
const fileFormat = {
  /** Business unit that owns this export (Retail, Cards, Web, Contact centre …). */
  businessUnit: z.string().min(1),
  /** File glob(s), relative to the config file. */
  files: fileGlobs,
  /** Field delimiter; "\t" for tab. @default "," */
  delimiter: singleChar('delimiter').default(','),
  /** Quote character. @default "\"" */
  quote: singleChar('quote').default('"'),
  /** File encoding; a UTF-8 byte-order mark is always accepted. @default "utf-8" */
  encoding: z.enum(ENCODINGS).default('utf-8'),
  /** Date (and date-time) formats tried in order, e.g. "DD/MM/YYYY", "YYYY-MM-DD HH:mm:ss". @default ["YYYY-MM-DD"] */
  dateFormats: z.array(z.string().min(1)).min(1).default(['YYYY-MM-DD']),
  /** Header of the column that identifies a row within this source. */
  key: z.string().min(1),
};

export const sourceSchema = z.strictObject({
  ...fileFormat,
  /** Survivorship rank when golden values disagree: lower wins. @default 100 */
  priority: z.number().int().min(0).default(100),
  /** ISO 3166 country for phone numbers and addresses without one. @default the top-level defaultCountry */
  country: z.string().length(2).optional(),
  /** Header → canonical customer field (null: read but ignore). */
  columns: z.record(z.string(), z.enum(CUSTOMER_FIELDS).nullable()),
  /** Canonical fields a row must have to be loaded; rows without them go to the rejects file. @default [] */
  required: z.array(z.enum(CUSTOMER_FIELDS)).default([]),
});

const customerRef = z.strictObject({
  /** Header of the column that names the customer. */
  column: z.string().min(1),
  /** How the column identifies the customer. @default "source_key" */
  by: z.enum(['source_key', 'email', 'phone']).default('source_key'),
  /** With by = source_key: the customer source whose keys the column holds. */
  source: z.string().optional(),
});

export const activitySchema = z.strictObject({
  ...fileFormat,
  /** What each row is. */
  kind: z.enum(ACTIVITY_KINDS),
  /** How each row finds its customer. */
  customer: customerRef,
  /** Header → canonical activity field (null: read but ignore). */
  columns: z.record(z.string(), z.enum(ACTIVITY_FIELDS).nullable()),
});

/** Fields a blocking rule can use (staged matching forms); "field:N" keeps the first N characters. */
export const BLOCKING_FIELDS = [
  'given_name_match',
  'given_name_formal',
  'family_name_match',
  'family_phonetic',
  'emails', // primary and other e-mails, one key each
  'email_local', // the primary e-mail's part before the @ (same person, another provider)
  'phones', // primary and other phones, one key each
  'street_match',
  'house_number',
  'postcode',
  'city',
  'region',
  'birth_date',
  'birth_year',
  'name_pair', // given and family name in either order, for swapped exports
] as const;

const blockingPart = z.string().refine(
  (s) => {
    const [field, width, extra] = s.split(':');
    return (
      extra === undefined &&
      (BLOCKING_FIELDS as readonly string[]).includes(field ?? '') &&
      (width === undefined || /^[1-9][0-9]?$/.test(width))
    );
  },
  { message: `expected a field (${BLOCKING_FIELDS.join(', ')}), optionally with ":N" for its first N characters` },
);

export const blockingRuleSchema = z.strictObject({
  /** Short name, shown by `--explain-blocking` and stored with each key. */
  name: z.string().regex(NAME, 'expected a lower-case name (a-z, 0-9, _)'),
  /** Records that agree on all of these become candidate pairs. */
  on: z.array(blockingPart).min(1),
});

export const DEFAULT_BLOCKING = [
  { name: 'email', on: ['emails'] },
  { name: 'phone', on: ['phones'] },
  { name: 'postcode_name', on: ['postcode', 'family_phonetic', 'given_name_formal:1'] },
  { name: 'name_birth', on: ['family_phonetic', 'birth_date', 'given_name_formal:1'] },
  { name: 'given_birth', on: ['given_name_formal', 'birth_date'] },
  { name: 'postcode_house', on: ['postcode', 'house_number'] },
  { name: 'birth_postcode', on: ['birth_date', 'postcode'] },
];

export const SURVIVORSHIP_GROUPS = ['name', 'email', 'phone', 'address', 'birth_date', 'gender'] as const;
export const SURVIVORSHIP_RULES = ['priority', 'recent', 'frequent', 'complete'] as const;
export const CANNOT_LINK_RULES = ['birth_date', 'given_name', 'name_suffix'] as const;

const probability = z.number().gt(0).lt(1);

export const resolveSchema = z
  .strictObject({
    /** Pairs at or above this match probability are merged. @default 0.99 */
    autoMergeAt: probability.default(0.99),
    /** Pairs from here up to autoMergeAt go to `golden review`. @default 0.8 */
    reviewAt: probability.default(0.8),
    /** Pairs below this probability are a clear non-match: clustering never chains across them. @default 0.01 */
    separateBelow: probability.default(0.01),
    /** Blocks larger than this are skipped (junk values shared by many records). @default 100 */
    maxBlockSize: z.number().int().min(2).default(100),
    /** Blocking rules; a pair is compared when any rule puts both records in one block. @default e-mail; phone; postcode+surname sound+initial; surname sound+birth date; given name+birth date; postcode+house number; birth date+postcode */
    blocking: z.array(blockingRuleSchema).min(1).default(DEFAULT_BLOCKING),
    /** E-mails and phones that are never evidence (shared inboxes, switchboards), as written or normalised. @default [] */
    blocklist: z.array(z.string().min(1)).default([]),
    /** An e-mail or phone held by more records than this counts as "shared" (its own, weaker level). @default 4 */
    sharedIdentifierLimit: z.number().int().min(2).default(4),
    /**
     * Hard rules that keep two records apart whatever else agrees: birth dates beyond typo
     * distance, given names that conflict (not a nickname, spelling variant, initial, shortening
     * or swap), different generational suffixes. The first two yield when the records share a
     * personal (unshared) e-mail address. @default ["birth_date", "given_name", "name_suffix"]
     */
    cannotLink: z.array(z.enum(CANNOT_LINK_RULES)).default([...CANNOT_LINK_RULES]),
    /** How each golden attribute group picks its value among a customer's records. @default priority for all */
    survivorship: z.partialRecord(z.enum(SURVIVORSHIP_GROUPS), z.enum(SURVIVORSHIP_RULES)).default({}),
    /** Random record pairs drawn to estimate u probabilities. @default 100000 */
    uSampleSize: z.number().int().min(1000).default(100_000),
  })
  .superRefine((r, ctx) => {
    if (!(r.separateBelow < r.reviewAt && r.reviewAt <= r.autoMergeAt)) {
      ctx.addIssue({ code: 'custom', path: ['reviewAt'], message: 'expected separateBelow < reviewAt <= autoMergeAt' });
    }
    const seen = new Set<string>();
    r.blocking.forEach((rule, i) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: ['blocking', i, 'name'], message: `duplicate rule name "${rule.name}"` });
      seen.add(rule.name);
      // One key per e-mail or phone a record holds: a rule can range over one such list only.
      if (rule.on.filter((p) => /^(emails|phones)(:|$)/.test(p)).length > 1) {
        ctx.addIssue({ code: 'custom', path: ['blocking', i, 'on'], message: 'expected at most one of "emails" and "phones" in one rule' });
      }
    });
  });

const standard = z.strictObject({
  /** Name shown in the service report. */
  name: z.string().min(1),
  /** A ticket meets the standard when closed within this many hours. */
  resolutionHours: z.number().positive(),
});

/** An inclusive range over one figure; at least one end. */
const range = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'give min, max or both' });

export const reportsSchema = z.strictObject({
  /** Folder `golden run` writes its reports into (a dated subfolder each night), relative to the config. @default "reports" */
  outDir: z.string().min(1).default('reports'),
  /** A customer active before and silent this many days is at risk of churn. @default 180 */
  churnDays: z.number().int().min(1).default(180),
  /** RFM segment rules replacing the built-in ones: ordered, first match wins; r and fm are score ranges 1–5. @default the README's table */
  segmentRules: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        r: z.tuple([z.number().int().min(1).max(5), z.number().int().min(1).max(5)]),
        fm: z.tuple([z.number().int().min(1).max(5), z.number().int().min(1).max(5)]),
      }),
    )
    .min(1)
    .optional(),
  /**
   * Segments of your own beside the RFM ones: a name and conditions that must all hold, ranges
   * ({ "min", "max" }) over the customer's figures and lists for its RFM segment, value tier and
   * business units. @default none
   */
  customSegments: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        where: z.strictObject({
          ...(Object.fromEntries(SEGMENT_FIGURES.map((f) => [f, range.optional()])) as Record<SegmentFigure, z.ZodOptional<typeof range>>),
          segment: z.array(z.string().min(1)).min(1).optional(),
          valueTier: z.array(z.string().min(1)).min(1).optional(),
          usesUnits: z.array(z.string().min(1)).min(1).optional(),
          notUsesUnits: z.array(z.string().min(1)).min(1).optional(),
        }),
      }),
    )
    .default([]),
  /** Value tiers by revenue, highest first. @default Platinum 5000, Gold 1000, Silver 250, Bronze 0 */
  valueTiers: z
    .array(z.strictObject({ name: z.string().min(1), minRevenue: z.number() }))
    .min(1)
    .default([
      { name: 'Platinum', minRevenue: 5000 },
      { name: 'Gold', minRevenue: 1000 },
      { name: 'Silver', minRevenue: 250 },
      { name: 'Bronze', minRevenue: 0 },
    ]),
});

/** Service standards: `{ "resolutionHours": 72 }`, or several named ones. @default 72 hours */
export const serviceStandardsSchema = z
  .union([z.strictObject({ resolutionHours: z.number().positive() }), z.array(standard).min(1)])
  .default({ resolutionHours: 72 })
  .transform((v) => (Array.isArray(v) ? v : [{ name: `${v.resolutionHours} h`, resolutionHours: v.resolutionHours }]));

export const configSchema = z
  .strictObject({
    /** Free-form notes, e.g. the guesses `golden init` wants reviewed. Ignored by golden. */
    review: z.array(z.string()).optional(),
    /** ISO 3166 country used to read phone numbers written without a country code. @default "US" */
    defaultCountry: z.string().length(2).default('US'),
    /** Folder for rejects files, relative to the config file. @default beside each input file */
    rejectsDir: z.string().optional(),
    /** Customer exports, by source name (lower-case letters, digits, _). */
    sources: z.record(z.string().regex(NAME, 'expected a lower-case name (a-z, 0-9, _)'), sourceSchema),
    /** Activity exports (orders, transactions, tickets, feedback), by name. @default {} */
    activities: z
      .record(z.string().regex(NAME, 'expected a lower-case name (a-z, 0-9, _)'), activitySchema)
      .default({}),
    /** Identity resolution: blocking, thresholds, guards, survivorship. @default {} */
    resolve: resolveSchema.default(resolveSchema.parse({})),
    /** Reports: output folder, churn window, value tiers. @default {} */
    reports: reportsSchema.default(reportsSchema.parse({})),
    /** Service standards for the service report: `{ "resolutionHours": 72 }` or `[{ "name", "resolutionHours" }]`. @default 72 hours */
    serviceStandards: serviceStandardsSchema,
  })
  .superRefine((config, ctx) => {
    if (Object.keys(config.sources).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'expected at least one source' });
    }
    for (const [name, activity] of Object.entries(config.activities)) {
      const ref = activity.customer;
      if (ref.by === 'source_key' && ref.source === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['activities', name, 'customer', 'source'],
          message: 'required when "by" is "source_key": name the customer source whose keys this column holds',
        });
      }
      if (ref.source !== undefined && !(ref.source in config.sources)) {
        ctx.addIssue({
          code: 'custom',
          path: ['activities', name, 'customer', 'source'],
          message: `unknown source "${ref.source}" (sources: ${Object.keys(config.sources).join(', ')})`,
        });
      }
      if (name in config.sources) {
        ctx.addIssue({
          code: 'custom',
          path: ['activities', name],
          message: `name "${name}" is already used by a source`,
        });
      }
    }
  });

export type GoldenConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type ActivityConfig = z.output<typeof activitySchema>;
export type ResolveConfig = z.output<typeof resolveSchema>;
export type ReportsConfig = z.output<typeof reportsSchema>;
export type BlockingRule = z.output<typeof blockingRuleSchema>;
