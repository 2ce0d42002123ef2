/**
 * US places: city, state, a ZIP range inside the city's real ZIP prefix, and the city's
 * area codes. Weights are rough population shares, so big cities get most customers.
 */

export interface City {
  name: string;
  state: string; // USPS code
  zipFrom: number; // first ZIP of the range (five digits, may start with 0)
  zipCount: number; // how many consecutive ZIPs to draw from
  areaCodes: readonly number[];
  weight: number;
}

const c = (
  name: string,
  state: string,
  zipFrom: number,
  zipCount: number,
  areaCodes: readonly number[],
  weight: number,
): City => ({ name, state, zipFrom, zipCount, areaCodes, weight });

export const CITIES: readonly City[] = [
  c('New York', 'NY', 10001, 40, [212, 646, 917, 332], 80),
  c('Brooklyn', 'NY', 11201, 39, [718, 347, 929], 30),
  c('Los Angeles', 'CA', 90001, 90, [213, 323, 310, 424, 818], 40),
  c('Chicago', 'IL', 60601, 60, [312, 773, 872], 27),
  c('Houston', 'TX', 77001, 99, [713, 281, 832, 346], 23),
  c('Phoenix', 'AZ', 85001, 50, [602, 480, 623], 16),
  c('Philadelphia', 'PA', 19102, 50, [215, 267, 445], 16),
  c('San Antonio', 'TX', 78201, 60, [210, 726], 15),
  c('San Diego', 'CA', 92101, 60, [619, 858], 14),
  c('Dallas', 'TX', 75201, 60, [214, 469, 972], 13),
  c('San Jose', 'CA', 95110, 30, [408, 669], 10),
  c('Austin', 'TX', 78701, 50, [512, 737], 10),
  c('Jacksonville', 'FL', 32202, 50, [904], 9),
  c('Fort Worth', 'TX', 76102, 40, [817, 682], 9),
  c('Columbus', 'OH', 43201, 40, [614, 380], 9),
  c('Charlotte', 'NC', 28202, 70, [704, 980], 9),
  c('San Francisco', 'CA', 94102, 30, [415, 628], 9),
  c('Indianapolis', 'IN', 46201, 60, [317, 463], 9),
  c('Seattle', 'WA', 98101, 99, [206], 8),
  c('Denver', 'CO', 80202, 50, [303, 720], 8),
  c('Washington', 'DC', 20001, 40, [202], 7),
  c('Boston', 'MA', 2108, 30, [617, 857], 7),
  c('El Paso', 'TX', 79901, 35, [915], 7),
  c('Nashville', 'TN', 37201, 20, [615, 629], 7),
  c('Detroit', 'MI', 48201, 35, [313], 6),
  c('Oklahoma City', 'OK', 73102, 60, [405], 7),
  c('Portland', 'OR', 97201, 30, [503, 971], 7),
  c('Las Vegas', 'NV', 89101, 60, [702, 725], 7),
  c('Memphis', 'TN', 38103, 30, [901], 6),
  c('Louisville', 'KY', 40202, 30, [502], 6),
  c('Baltimore', 'MD', 21201, 30, [410, 443], 6),
  c('Milwaukee', 'WI', 53202, 30, [414], 6),
  c('Albuquerque', 'NM', 87102, 20, [505], 5),
  c('Tucson', 'AZ', 85701, 45, [520], 5),
  c('Fresno', 'CA', 93701, 30, [559], 5),
  c('Sacramento', 'CA', 95811, 30, [916, 279], 5),
  c('Kansas City', 'MO', 64101, 60, [816], 5),
  c('Mesa', 'AZ', 85201, 15, [480], 5),
  c('Atlanta', 'GA', 30303, 50, [404, 470, 678], 5),
  c('Omaha', 'NE', 68102, 30, [402, 531], 5),
  c('Colorado Springs', 'CO', 80903, 20, [719], 5),
  c('Raleigh', 'NC', 27601, 15, [919, 984], 5),
  c('Miami', 'FL', 33125, 70, [305, 786], 5),
  c('Minneapolis', 'MN', 55401, 20, [612], 4),
  c('Tulsa', 'OK', 74103, 30, [918, 539], 4),
  c('Cleveland', 'OH', 44102, 30, [216], 4),
  c('Wichita', 'KS', 67202, 30, [316], 4),
  c('New Orleans', 'LA', 70112, 20, [504], 4),
  c('Tampa', 'FL', 33602, 30, [813, 656], 4),
  c('Pittsburgh', 'PA', 15201, 30, [412, 878], 3),
  c('Cincinnati', 'OH', 45202, 30, [513], 3),
  c('St. Louis', 'MO', 63101, 40, [314], 3),
  c('Orlando', 'FL', 32801, 30, [407, 689], 3),
  c('Salt Lake City', 'UT', 84101, 20, [801, 385], 2),
  c('Springfield', 'IL', 62701, 12, [217], 2),
  c('Springfield', 'MA', 1101, 10, [413], 2),
  c('Springfield', 'MO', 65802, 10, [417], 2),
  c('Portland', 'ME', 4101, 3, [207], 1),
  c('Burlington', 'VT', 5401, 8, [802], 1),
  c('Providence', 'RI', 2903, 6, [401], 2),
  c('Hartford', 'CT', 6103, 10, [860, 959], 2),
  c('Newark', 'NJ', 7102, 12, [973, 862], 3),
  c('Jersey City', 'NJ', 7302, 8, [201, 551], 3),
  c('Buffalo', 'NY', 14201, 20, [716], 3),
  c('Rochester', 'NY', 14604, 20, [585], 2),
  c('Richmond', 'VA', 23219, 20, [804], 2),
  c('Virginia Beach', 'VA', 23451, 15, [757], 4),
  c('Birmingham', 'AL', 35203, 30, [205, 659], 2),
  c('Boise', 'ID', 83702, 15, [208, 986], 2),
  c('Anchorage', 'AK', 99501, 15, [907], 2),
  c('Honolulu', 'HI', 96813, 14, [808], 2),
  c('Madison', 'WI', 53703, 15, [608], 2),
  c('Des Moines', 'IA', 50309, 15, [515], 2),
  c('Little Rock', 'AR', 72201, 12, [501], 2),
  c('Charleston', 'SC', 29401, 15, [843, 854], 1),
  c('Savannah', 'GA', 31401, 10, [912], 1),
  c('Spokane', 'WA', 99201, 20, [509], 2),
  c('Reno', 'NV', 89501, 20, [775], 2),
  c('Fargo', 'ND', 58102, 5, [701], 1),
  c('Sioux Falls', 'SD', 57103, 8, [605], 1),
  c('Billings', 'MT', 59101, 6, [406], 1),
  c('Cheyenne', 'WY', 82001, 6, [307], 1),
  c('Wilmington', 'DE', 19801, 8, [302], 1),
  c('Manchester', 'NH', 3101, 4, [603], 1),
  c('Jackson', 'MS', 39201, 13, [601, 769], 1),
  c('Charleston', 'WV', 25301, 12, [304, 681], 1),
];

export const STATE_NAMES: Readonly<Record<string, string>> = {
  AK: 'Alaska', AL: 'Alabama', AR: 'Arkansas', AZ: 'Arizona', CA: 'California', CO: 'Colorado',
  CT: 'Connecticut', DC: 'District of Columbia', DE: 'Delaware', FL: 'Florida', GA: 'Georgia',
  HI: 'Hawaii', IA: 'Iowa', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', KS: 'Kansas',
  KY: 'Kentucky', LA: 'Louisiana', MA: 'Massachusetts', MD: 'Maryland', ME: 'Maine',
  MI: 'Michigan', MN: 'Minnesota', MO: 'Missouri', MS: 'Mississippi', MT: 'Montana',
  NC: 'North Carolina', ND: 'North Dakota', NE: 'Nebraska', NH: 'New Hampshire', NJ: 'New Jersey',
  NM: 'New Mexico', NV: 'Nevada', NY: 'New York', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon',
  PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota',
  TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VA: 'Virginia', VT: 'Vermont', WA: 'Washington',
  WI: 'Wisconsin', WV: 'West Virginia', WY: 'Wyoming',
};

export const STREET_NAMES: readonly string[] = [
  'Main', 'Oak', 'Maple', 'Cedar', 'Elm', 'Pine', 'Washington', 'Lake', 'Hill', 'Park',
  'Walnut', 'Chestnut', 'Spruce', 'Willow', 'Jefferson', 'Lincoln', 'Madison', 'Franklin',
  'Jackson', 'Church', 'Center', 'Highland', 'Sunset', 'Ridge', 'River', 'Forest', 'Meadow',
  'Spring', 'Mill', 'Market', 'Broad', 'Prospect', 'Union', 'Liberty', 'Adams', 'Grant',
  'Dogwood', 'Magnolia', 'Sycamore', 'Birch', 'Hickory', 'Laurel', 'Cherry', 'Valley',
  'Lakeview', 'Hillcrest', 'Fairview', 'Woodland', 'Green', 'College', 'School', 'North',
  'South', 'West', 'East', 'First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth',
  'Seventh', 'Eighth', 'Ninth', 'Tenth', 'Martin Luther King Jr', 'Kennedy', 'Roosevelt',
  'Wilson', 'Monroe', 'Harrison', 'Cleveland', 'Country Club', 'Mountain View', 'Ocean',
  'Bayview', 'Harbor', 'Orchard', 'Vine', 'Poplar', 'Aspen', 'Juniper', 'Redwood',
];

/** [full, abbreviation] — silos disagree on which they write. */
export const STREET_SUFFIXES: readonly (readonly [full: string, abbr: string])[] = [
  ['Street', 'St'],
  ['Avenue', 'Ave'],
  ['Road', 'Rd'],
  ['Drive', 'Dr'],
  ['Lane', 'Ln'],
  ['Boulevard', 'Blvd'],
  ['Court', 'Ct'],
  ['Place', 'Pl'],
  ['Way', 'Way'],
  ['Circle', 'Cir'],
  ['Terrace', 'Ter'],
  ['Parkway', 'Pkwy'],
];

export const STREET_SUFFIX_WEIGHTS: readonly number[] = [30, 22, 14, 12, 8, 4, 5, 3, 3, 2, 1, 1];
