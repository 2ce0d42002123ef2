import { cardServices } from './card.js';
import { callCentre } from './callCentre.js';
import type { SiloSpec } from './common.js';
import { retailLoyalty } from './retail.js';
import { webShop } from './web.js';

export type { RecordContext, Rendered, SiloSpec, SourceName } from './common.js';

/** The four customer silos, in the order their records are drawn for each person. */
export const SILOS: readonly SiloSpec[] = [retailLoyalty, cardServices, webShop, callCentre];
