/** Small lookup tables for e-mail domains and activity categories. */

/** Providers people sign up with today. */
export const MODERN_PROVIDERS: readonly string[] = [
  'gmail.com', 'gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'yahoo.com', 'outlook.com',
  'icloud.com', 'hotmail.com', 'proton.me',
];

/** Providers of an older address a person kept in some silos (disjoint from the modern ones). */
export const OLD_PROVIDERS: readonly string[] = [
  'aol.com', 'aol.com', 'msn.com', 'earthlink.net', 'comcast.net', 'att.net', 'verizon.net',
  'juno.com', 'sbcglobal.net', 'bellsouth.net',
];

/** Employers' domains for work e-mails. */
export const COMPANY_DOMAINS: readonly string[] = [
  'acmecorp.com', 'globex.com', 'initech.com', 'umbrella-inc.com', 'hooli.com', 'vandelay.com',
  'stark-ind.com', 'wayne-ent.com', 'cyberdyne.com', 'soylent.com', 'tyrell.com', 'wonka.com',
  'dundermifflin.com', 'piedpiper.com', 'oscorp.com', 'massive-dynamic.com', 'aperture.com',
  'blackmesa.org', 'cityhospital.org', 'statecollege.edu', 'countyschools.org', 'lawfirm-llp.com',
];

export const RETAIL_CATEGORIES: readonly string[] = [
  'grocery', 'apparel', 'electronics', 'home', 'beauty', 'toys', 'garden', 'sports', 'books', 'pharmacy',
];
export const RETAIL_CATEGORY_WEIGHTS: readonly number[] = [34, 14, 7, 11, 9, 5, 4, 5, 4, 7];
/** Typical basket in cents per category (the amount is log-normal around it). */
export const RETAIL_CATEGORY_BASKET: readonly number[] = [
  4500, 6500, 18000, 7500, 3200, 4000, 5500, 6000, 2500, 2800,
];

export const MERCHANT_CATEGORIES: readonly string[] = [
  'grocery', 'restaurants', 'fuel', 'online retail', 'travel', 'utilities', 'entertainment',
  'healthcare', 'transport', 'department stores',
];
export const MERCHANT_WEIGHTS: readonly number[] = [24, 20, 13, 15, 4, 6, 6, 4, 5, 3];
export const MERCHANT_TYPICAL: readonly number[] = [
  6500, 3800, 4500, 5200, 42000, 11000, 3500, 9000, 1800, 8500,
];

export const TICKET_CATEGORIES: readonly string[] = ['billing', 'delivery', 'card', 'account', 'product', 'returns'];
export const TICKET_WEIGHTS: readonly number[] = [25, 14, 15, 20, 16, 10];
/** The category whose share climbs over the last months of the period. */
export const RISING_TICKET_CATEGORY = 'delivery';

export const TICKET_CHANNELS: readonly string[] = ['phone', 'email', 'chat'];
export const TICKET_CHANNEL_WEIGHTS: readonly number[] = [55, 25, 20];

export const RETAIL_CHANNELS: readonly string[] = ['store', 'online', 'app'];
export const RETAIL_CHANNEL_WEIGHTS: readonly number[] = [70, 20, 10];

export const SURVEY_CHANNELS: readonly string[] = ['email', 'web', 'app', 'sms'];
export const SURVEY_CHANNEL_WEIGHTS: readonly number[] = [55, 20, 15, 10];
