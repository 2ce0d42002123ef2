/**
 * Reference data for addresses, keyed by lower-case words without dots: USPS street suffixes
 * (Publication 28, appendix C1), secondary unit designators (C2), directionals, and region codes.
 */

/** Street suffix spelling → USPS standard abbreviation in display case. */
export const STREET_SUFFIXES: ReadonlyMap<string, string> = build({
  Aly: ['alley', 'allee', 'ally', 'aly'],
  Anx: ['annex', 'anex', 'annx', 'anx'],
  Arc: ['arcade', 'arc'],
  Ave: ['avenue', 'av', 'ave', 'aven', 'avenu', 'avn', 'avnue'],
  Byu: ['bayou', 'bayoo', 'byu'],
  Bch: ['beach', 'bch'],
  Bnd: ['bend', 'bnd'],
  Blf: ['bluff', 'bluf', 'blf'],
  Btm: ['bottom', 'bot', 'bottm', 'btm'],
  Blvd: ['boulevard', 'boul', 'boulv', 'blvd'],
  Br: ['branch', 'brnch', 'br'],
  Brg: ['bridge', 'brdge', 'brg'],
  Brk: ['brook', 'brk'],
  Byp: ['bypass', 'bypa', 'bypas', 'byps', 'byp'],
  Cyn: ['canyon', 'canyn', 'cnyn', 'cyn'],
  Cswy: ['causeway', 'causwa', 'cswy'],
  Ctr: ['center', 'centre', 'cent', 'centr', 'cnter', 'cntr', 'cen', 'ctr'],
  Cir: ['circle', 'circ', 'circl', 'crcl', 'crcle', 'cir'],
  Clf: ['cliff', 'clf'],
  Clfs: ['cliffs', 'clfs'],
  Cmn: ['common', 'cmn'],
  Cor: ['corner', 'cor'],
  Cors: ['corners', 'cors'],
  Crse: ['course', 'crse'],
  Ct: ['court', 'crt', 'ct'],
  Cts: ['courts', 'cts'],
  Cv: ['cove', 'cv'],
  Crk: ['creek', 'crk'],
  Cres: ['crescent', 'crsent', 'crsnt', 'cres'],
  Crst: ['crest', 'crst'],
  Xing: ['crossing', 'crssng', 'xing'],
  Curv: ['curve', 'curv'],
  Dl: ['dale', 'dl'],
  Dr: ['drive', 'driv', 'drv', 'dr'],
  Est: ['estate', 'est'],
  Ests: ['estates', 'ests'],
  Expy: ['expressway', 'exp', 'expr', 'express', 'expw', 'expy'],
  Ext: ['extension', 'extn', 'extnsn', 'ext'],
  Fls: ['falls', 'fls'],
  Fry: ['ferry', 'frry', 'fry'],
  Fld: ['field', 'fld'],
  Flds: ['fields', 'flds'],
  Frst: ['forest', 'forests', 'frst'],
  Frk: ['fork', 'frk'],
  Fwy: ['freeway', 'freewy', 'frway', 'frwy', 'fwy'],
  Gdn: ['garden', 'gardn', 'grden', 'grdn', 'gdn'],
  Gdns: ['gardens', 'grdns', 'gdns'],
  Gtwy: ['gateway', 'gatewy', 'gatway', 'gtway', 'gtwy'],
  Gln: ['glen', 'gln'],
  Grn: ['green', 'grn'],
  Grv: ['grove', 'grov', 'grv'],
  Hbr: ['harbor', 'harbour', 'harb', 'harbr', 'hrbor', 'hbr'],
  Hvn: ['haven', 'hvn'],
  Hts: ['heights', 'ht', 'hts'],
  Hwy: ['highway', 'highwy', 'hiway', 'hiwy', 'hway', 'hwy'],
  Hl: ['hill', 'hl'],
  Hls: ['hills', 'hls'],
  Holw: ['hollow', 'hllw', 'hollows', 'holws', 'holw'],
  Jct: ['junction', 'jction', 'jctn', 'junctn', 'juncton', 'jct'],
  Knl: ['knoll', 'knol', 'knl'],
  Lk: ['lake', 'lk'],
  Lks: ['lakes', 'lks'],
  Lndg: ['landing', 'lndng', 'lndg'],
  Ln: ['lane', 'ln'],
  Loop: ['loop', 'loops'],
  Mall: ['mall'],
  Mnr: ['manor', 'mnr'],
  Mdw: ['meadow', 'mdw'],
  Mdws: ['meadows', 'medows', 'mdws'],
  Mews: ['mews'],
  Ml: ['mill', 'ml'],
  Mtwy: ['motorway', 'mtwy'],
  Mtn: ['mountain', 'mntain', 'mntn', 'mountin', 'mtin', 'mtn'],
  Orch: ['orchard', 'orchrd', 'orch'],
  Oval: ['oval', 'ovl'],
  Park: ['park', 'prk'],
  Pkwy: ['parkway', 'parkwy', 'pkway', 'pky', 'pkwy'],
  Pass: ['pass'],
  Path: ['path', 'paths'],
  Pike: ['pike', 'pikes'],
  Pl: ['place', 'pl'],
  Pln: ['plain', 'pln'],
  Plns: ['plains', 'plns'],
  Plz: ['plaza', 'plza', 'plz'],
  Pt: ['point', 'pt'],
  Pts: ['points', 'pts'],
  Prt: ['port', 'prt'],
  Pr: ['prairie', 'prr', 'pr'],
  Rdg: ['ridge', 'rdge', 'rdg'],
  Riv: ['river', 'rvr', 'rivr', 'riv'],
  Rd: ['road', 'rd'],
  Rte: ['route', 'rte'],
  Row: ['row'],
  Run: ['run'],
  Shr: ['shore', 'shoar', 'shr'],
  Shrs: ['shores', 'shoars', 'shrs'],
  Skwy: ['skyway', 'skwy'],
  Spg: ['spring', 'spng', 'sprng', 'spg'],
  Spgs: ['springs', 'spngs', 'sprngs', 'spgs'],
  Sq: ['square', 'sqr', 'sqre', 'squ', 'sq'],
  Sta: ['station', 'statn', 'stn', 'sta'],
  St: ['street', 'strt', 'str', 'st'],
  Smt: ['summit', 'sumit', 'sumitt', 'smt'],
  Ter: ['terrace', 'terr', 'ter'],
  Trce: ['trace', 'traces', 'trce'],
  Trl: ['trail', 'trails', 'trls', 'trl'],
  Tunl: ['tunnel', 'tunel', 'tunls', 'tunnels', 'tunnl', 'tunl'],
  Tpke: ['turnpike', 'trnpk', 'turnpk', 'tpke'],
  Vly: ['valley', 'vally', 'vlly', 'vly'],
  Via: ['viaduct', 'vdct', 'viadct', 'via'],
  Vw: ['view', 'vw'],
  Vlg: ['village', 'vill', 'villag', 'villg', 'vlg'],
  Vis: ['vista', 'vist', 'vst', 'vsta', 'vis'],
  Walk: ['walk', 'walks'],
  Way: ['way', 'wy'],
  Wls: ['wells', 'wls'],
  Close: ['close'],
  Gate: ['gate'],
});

/** Secondary unit designator → display form. "#" is read as an apartment number. */
export const UNIT_DESIGNATORS: ReadonlyMap<string, string> = build({
  Apt: ['apartment', 'apt', 'apmt', 'appt', '#'],
  Ste: ['suite', 'ste', 'suit'],
  Unit: ['unit'],
  Flat: ['flat'],
  Rm: ['room', 'rm'],
  Fl: ['floor', 'fl', 'flr'],
  Bldg: ['building', 'bldg', 'bld'],
  Dept: ['department', 'dept'],
  Lot: ['lot'],
  Trlr: ['trailer', 'trlr'],
  Spc: ['space', 'spc'],
  Ph: ['penthouse', 'ph'],
  Bsmt: ['basement', 'bsmt'],
  Ofc: ['office', 'ofc'],
  Lowr: ['lower', 'lowr'],
  Uppr: ['upper', 'uppr'],
  Frnt: ['front', 'frnt'],
  Rear: ['rear'],
  Side: ['side'],
  Lbby: ['lobby', 'lbby'],
});

/** Designators that need no number after them ("Rear", "Bsmt"). */
export const UNIT_WITHOUT_NUMBER: ReadonlySet<string> = new Set(['Ph', 'Bsmt', 'Lowr', 'Uppr', 'Frnt', 'Rear', 'Side', 'Lbby', 'Ofc']);

export const DIRECTIONALS: ReadonlyMap<string, string> = build({
  N: ['north', 'n'],
  S: ['south', 's'],
  E: ['east', 'e'],
  W: ['west', 'w'],
  NE: ['northeast', 'ne', 'north-east'],
  NW: ['northwest', 'nw', 'north-west'],
  SE: ['southeast', 'se', 'south-east'],
  SW: ['southwest', 'sw', 'south-west'],
});

/** Region name or abbreviation (matching form, spaces removed) → code, per country. */
export const REGIONS: Readonly<Record<string, ReadonlyMap<string, string>>> = {
  US: regions({
    AL: ['alabama', 'ala'], AK: ['alaska'], AZ: ['arizona', 'ariz'], AR: ['arkansas', 'ark'],
    CA: ['california', 'calif', 'cali', 'cal'], CO: ['colorado', 'colo'], CT: ['connecticut', 'conn'],
    DE: ['delaware', 'del'], DC: ['districtofcolumbia', 'washingtondc'], FL: ['florida', 'fla'],
    GA: ['georgia'], HI: ['hawaii'], ID: ['idaho'], IL: ['illinois', 'ill'], IN: ['indiana', 'ind'],
    IA: ['iowa'], KS: ['kansas', 'kans'], KY: ['kentucky'], LA: ['louisiana'], ME: ['maine'],
    MD: ['maryland'], MA: ['massachusetts', 'mass'], MI: ['michigan', 'mich'], MN: ['minnesota', 'minn'],
    MS: ['mississippi', 'miss'], MO: ['missouri'], MT: ['montana', 'mont'], NE: ['nebraska', 'nebr', 'neb'],
    NV: ['nevada', 'nev'], NH: ['newhampshire'], NJ: ['newjersey'], NM: ['newmexico'], NY: ['newyork'],
    NC: ['northcarolina'], ND: ['northdakota'], OH: ['ohio'], OK: ['oklahoma', 'okla'], OR: ['oregon', 'ore'],
    PA: ['pennsylvania', 'penn', 'penna'], RI: ['rhodeisland'], SC: ['southcarolina'], SD: ['southdakota'],
    TN: ['tennessee', 'tenn'], TX: ['texas', 'tex'], UT: ['utah'], VT: ['vermont'], VA: ['virginia'],
    WA: ['washington', 'wash'], WV: ['westvirginia'], WI: ['wisconsin', 'wis', 'wisc'], WY: ['wyoming', 'wyo'],
    PR: ['puertorico'], GU: ['guam'], VI: ['virginislands', 'usvirginislands'], AS: ['americansamoa'],
    MP: ['northernmarianaislands'], AA: ['armedforcesamericas'], AE: ['armedforceseurope'], AP: ['armedforcespacific'],
  }),
  CA: regions({
    AB: ['alberta', 'alta'], BC: ['britishcolumbia'], MB: ['manitoba', 'man'], NB: ['newbrunswick'],
    NL: ['newfoundlandandlabrador', 'newfoundland', 'nfld'], NS: ['novascotia'], NT: ['northwestterritories'],
    NU: ['nunavut'], ON: ['ontario', 'ont'], PE: ['princeedwardisland', 'pei'], QC: ['quebec', 'que', 'pq'],
    SK: ['saskatchewan', 'sask'], YT: ['yukon', 'yukonterritory'],
  }),
  AU: regions({
    NSW: ['newsouthwales'], VIC: ['victoria'], QLD: ['queensland'], WA: ['westernaustralia'],
    SA: ['southaustralia'], TAS: ['tasmania'], ACT: ['australiancapitalterritory'], NT: ['northernterritory'],
  }),
};

function build(table: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [display, spellings] of Object.entries(table)) {
    for (const s of spellings) if (!map.has(s)) map.set(s, display);
  }
  return map;
}

/** Each code also maps from itself, in upper and lower case. */
function regions(table: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [code, names] of Object.entries(table)) {
    map.set(code, code);
    map.set(code.toLowerCase(), code);
    for (const n of names) map.set(n, code);
  }
  return map;
}

/** What a word of a street line can be; one lookup answers all three questions. */
export interface StreetWord {
  suffix?: string;
  unit?: string;
  dir?: string;
}

/**
 * Every suffix, unit designator and directional, keyed by its lower-case spelling and also by
 * its UPPER and Title case forms, so the usual tokens are found as typed, without lower-casing.
 */
export const STREET_WORDS: ReadonlyMap<string, StreetWord> = (() => {
  const map = new Map<string, StreetWord>();
  const add = (table: ReadonlyMap<string, string>, field: keyof StreetWord): void => {
    for (const [spelling, value] of table) {
      const variants = [spelling, spelling.toUpperCase(), spelling.charAt(0).toUpperCase() + spelling.slice(1)];
      for (const v of variants) {
        const word = map.get(v) ?? {};
        word[field] = value;
        map.set(v, word);
      }
    }
  };
  add(STREET_SUFFIXES, 'suffix');
  add(UNIT_DESIGNATORS, 'unit');
  add(DIRECTIONALS, 'dir');
  return map;
})();
