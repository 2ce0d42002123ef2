import type { ActivityField, ActivityKind } from '../../config/fields.js';
import type { CsvDialect } from '../csv.js';
import type { SourceName } from '../silos/index.js';

export type ActivityName = 'retail_orders' | 'card_transactions' | 'support_tickets' | 'survey_feedback';

/** One activity export: file habits, how it names its customer, and the config mapping. */
export interface ActivitySpec {
  name: ActivityName;
  file: string;
  businessUnit: string;
  kind: ActivityKind;
  dialect: CsvDialect;
  dateFormats: readonly string[];
  header: readonly string[];
  key: string;
  customer: { column: string; by: 'source_key' | 'email'; source?: SourceName };
  /** Header → canonical activity field; id and customer columns map to null. */
  columns: Readonly<Record<string, ActivityField | null>>;
}

export const retailOrders: ActivitySpec = {
  name: 'retail_orders',
  file: 'retail_orders.csv',
  businessUnit: 'Retail',
  kind: 'order',
  // Same point-of-sale vendor as the loyalty export.
  dialect: { delimiter: ';', eol: '\n', encoding: 'windows-1252', bom: false },
  dateFormats: ['DD.MM.YYYY'],
  header: ['order_id', 'member_no', 'order_date', 'channel', 'store_id', 'category', 'amount'],
  key: 'order_id',
  customer: { column: 'member_no', by: 'source_key', source: 'retail_loyalty' },
  columns: {
    order_id: null,
    member_no: null,
    order_date: 'occurred_at',
    channel: 'channel',
    store_id: null,
    category: 'category',
    amount: 'amount',
  },
};

export const cardTransactions: ActivitySpec = {
  name: 'card_transactions',
  file: 'card_transactions.csv',
  businessUnit: 'Cards',
  kind: 'transaction',
  dialect: { delimiter: ',', eol: '\n', encoding: 'utf-8', bom: false },
  dateFormats: ['YYYY-MM-DD HH:mm:ss'],
  header: ['txn_id', 'acct_no', 'posted_at', 'merchant_category', 'amount', 'currency'],
  key: 'txn_id',
  customer: { column: 'acct_no', by: 'source_key', source: 'card_services' },
  columns: {
    txn_id: null,
    acct_no: null,
    posted_at: 'occurred_at',
    merchant_category: 'category',
    amount: 'amount',
    currency: 'currency',
  },
};

export const supportTickets: ActivitySpec = {
  name: 'support_tickets',
  file: 'support_tickets.csv',
  businessUnit: 'Contact centre',
  kind: 'ticket',
  // Same Windows CRM as the call-centre customer export.
  dialect: { delimiter: ',', eol: '\r\n', encoding: 'utf-8', bom: false },
  dateFormats: ['MM/DD/YYYY HH:mm'],
  header: ['ticket_id', 'caller_id', 'opened_at', 'closed_at', 'channel', 'category', 'status'],
  key: 'ticket_id',
  customer: { column: 'caller_id', by: 'source_key', source: 'call_centre' },
  columns: {
    ticket_id: null,
    caller_id: null,
    opened_at: 'occurred_at',
    closed_at: 'closed_at',
    channel: 'channel',
    category: 'category',
    status: 'status',
  },
};

export const surveyFeedback: ActivitySpec = {
  name: 'survey_feedback',
  file: 'survey_feedback.csv',
  businessUnit: 'Marketing',
  kind: 'feedback',
  dialect: { delimiter: ',', eol: '\n', encoding: 'utf-8', bom: false },
  dateFormats: ['YYYY-MM-DD'],
  header: ['response_id', 'email', 'answered_at', 'channel', 'csat', 'nps'],
  key: 'response_id',
  customer: { column: 'email', by: 'email' },
  columns: {
    response_id: null,
    email: null,
    answered_at: 'occurred_at',
    channel: 'channel',
    csat: 'csat',
    nps: 'nps',
  },
};

export const ACTIVITIES: readonly ActivitySpec[] = [retailOrders, cardTransactions, supportTickets, surveyFeedback];
