/**
 * The normalised attributes a source record carries. staging_records and customer_sources
 * share these column names, so one projection reads either.
 */
export const ATTRIBUTE_COLUMNS = [
  'title',
  'given_name',
  'middle_name',
  'family_name',
  'name_suffix',
  'given_name_match',
  'family_name_match',
  'given_name_formal',
  'family_phonetic',
  'email',
  'email_match',
  'other_emails',
  'phone',
  'other_phones',
  'street',
  'street_match',
  'house_number',
  'address_line2',
  'city',
  'region',
  'postcode',
  'country',
  'birth_date',
  'birth_year',
  'gender',
  'customer_since',
] as const;

export const ATTRIBUTES = ATTRIBUTE_COLUMNS.join(', ');

/** Same attributes ⇔ same hash; row() text keeps nulls apart from empty strings. */
export function attributesHashSql(alias: string): string {
  return `md5(row(${ATTRIBUTE_COLUMNS.map((c) => `${alias}.${c}`).join(', ')})::text)`;
}

/**
 * What comparisons read, computed once per record (PERF-NOTES: precomputing e-mail parts,
 * initials and lower-cased values cut the per-pair cost several times).
 */
export function comparisonProjection(t: string): string {
  return `${t}.given_name_match AS gn, ${t}.given_name_formal AS gf,
    lower(left(${t}.middle_name, 1)) AS mi,
    ${t}.family_name_match AS fn, ${t}.family_phonetic AS fp,
    upper(${t}.name_suffix) AS sfx,
    ${t}.email_match AS em, split_part(${t}.email_match, '@', 1) AS em_local, split_part(${t}.email_match, '@', 2) AS em_domain,
    CASE WHEN cardinality(${t}.other_emails) > 0 THEN array(SELECT lower(x) FROM unnest(${t}.other_emails) x) END AS em_others,
    ${t}.phone AS ph, CASE WHEN cardinality(${t}.other_phones) > 0 THEN ${t}.other_phones END AS ph_others,
    ${t}.street_match AS st, ${t}.house_number AS hn, lower(${t}.address_line2) AS l2, ${t}.postcode AS pc, lower(${t}.city) AS city,
    ${t}.birth_date AS bd, ${t}.gender AS gender`;
}
