import type { Account, ActivityPerson } from './activities/writer.js';
import { civilFromDays, daysFromCivil } from './dates.js';
import { DIRTY_KINDS, dirtyLine } from './dirty.js';
import type { CustomerFacts } from './facts.js';
import type { Person } from './person.js';
import type { Rng } from './prng.js';
import type { CsvSink } from './sink.js';
import { SILOS, type RecordContext, type SiloSpec, type SourceName } from './silos/index.js';

/** Share of a person's silo memberships that come as two accounts (an old and a new one). */
const TWO_ACCOUNTS = 0.04;
/** How often a household / look-alike member is in exactly the same silos as the first member. */
const SAME_SILOS_IN_GROUP = 0.7;

export interface CustomerSinks {
  silos: Record<SourceName, CsvSink>;
  truth: CsvSink;
  dirty: CsvSink;
}

/**
 * Writes a person's records into the silos they belong to (with ground truth and the
 * occasional dirty copy) and returns what the activity writer needs about them.
 */
export class CustomerWriter {
  private readonly counters: Record<SourceName, number> = {
    retail_loyalty: 0,
    card_services: 0,
    web_shop: 0,
    call_centre: 0,
  };
  private readonly shareTotal = SILOS.reduce((sum, s) => sum + s.share, 0);

  constructor(
    private readonly rng: Rng,
    private readonly sinks: CustomerSinks,
    private readonly facts: CustomerFacts,
    private readonly end: number,
    private readonly dirtyRate: number,
  ) {}

  /** Which silos a person is in; every person is in at least one. */
  drawMembership(): boolean[] {
    const member = SILOS.map((s) => this.rng.chance(s.share));
    if (!member.includes(true)) {
      let x = this.rng.next() * this.shareTotal;
      let i = 0;
      while (i < SILOS.length - 1 && x >= (SILOS[i] as SiloSpec).share) x -= (SILOS[i++] as SiloSpec).share;
      member[i] = true;
    }
    return member;
  }

  /** Memberships for the members of one unit: group members often share their silos. */
  membershipsFor(unit: readonly Person[]): boolean[][] {
    const first = this.drawMembership();
    return unit.map((_, i) => (i === 0 || this.rng.chance(SAME_SILOS_IN_GROUP) ? first : this.drawMembership()));
  }

  private openDay(spec: SiloSpec, person: Person, after: number): number {
    const adult = person.birth + Math.ceil(18 * 365.25);
    const latest = this.end - 1;
    const earliest = Math.min(latest, Math.max(daysFromCivil(spec.openedFrom, 1, 1), adult, after));
    return earliest + this.rng.int(latest - earliest + 1);
  }

  write(person: Person, membership: readonly boolean[]): ActivityPerson {
    const out: ActivityPerson = { retail: [], card: [], callCentre: [], emails: [], firstOpened: Infinity };
    const emails = new Set<string>();
    let silos = 0;
    SILOS.forEach((spec, s) => {
      if (!membership[s]) return;
      silos++;
      const first = this.openDay(spec, person, -Infinity);
      const accounts: Account[] = [];
      if (this.rng.chance(TWO_ACCOUNTS) && this.end - 1 - first > 365) {
        accounts.push({ key: '', opened: first }, { key: '', opened: this.openDay(spec, person, first + 180) });
      } else {
        accounts.push({ key: '', opened: first });
      }
      const facts = this.facts.records[spec.source];
      facts.persons++;
      if (accounts.length === 2) facts.personsWithTwoRecords++;
      accounts.forEach((account, i) => {
        account.key = spec.key(++this.counters[spec.source]);
        const ctx: RecordContext = {
          person,
          key: account.key,
          older: i === 0 && accounts.length === 2,
          opened: account.opened,
          keepBirth: person.groupKind !== '',
        };
        const rendered = spec.render(ctx, this.rng);
        for (const e of rendered.emails) emails.add(e.toLowerCase());
        this.writeTruth(spec, account.key, person, this.sinks.silos[spec.source].nextLineNo);
        this.sinks.silos[spec.source].writeRow(rendered.cells);
        facts.rows++;
        facts.clean++;
        out.firstOpened = Math.min(out.firstOpened, account.opened);
        if (this.dirtyRate > 0 && this.rng.chance(this.dirtyRate)) this.writeDirty(spec, ctx);
      });
      if (spec.source === 'retail_loyalty') out.retail = accounts;
      else if (spec.source === 'card_services') out.card = accounts;
      else if (spec.source === 'call_centre') out.callCentre = accounts;
    });
    this.facts.bySourceCount[silos] = (this.facts.bySourceCount[silos] ?? 0) + 1;
    out.emails = [...emails].sort();
    return out;
  }

  /** An extra, broken copy of the record the importer must reject. Kinds take turns. */
  private writeDirty(spec: SiloSpec, clean: RecordContext): void {
    const kind = DIRTY_KINDS[this.facts.dirtyTotal % DIRTY_KINDS.length] as (typeof DIRTY_KINDS)[number];
    const key = spec.key(++this.counters[spec.source]);
    const rendered = spec.render({ ...clean, key, older: false }, this.rng);
    const line = dirtyLine(kind, spec, rendered.cells, civilFromDays(clean.person.birth).y);
    const sink = this.sinks.silos[spec.source];
    const lineNo = sink.nextLineNo;
    this.writeTruth(spec, kind === 'blank_key' ? '' : key, clean.person, lineNo);
    this.sinks.dirty.writeRow([spec.file, String(lineNo), kind]);
    sink.writeLine(line);
    const facts = this.facts.records[spec.source];
    facts.rows++;
    facts.dirty++;
    this.facts.dirty[kind]++;
    this.facts.dirtyTotal++;
  }

  private writeTruth(spec: SiloSpec, key: string, person: Person, lineNo: number): void {
    this.sinks.truth.writeRow([
      spec.source,
      key,
      String(person.id),
      person.groupKind,
      person.groupId === 0 ? '' : String(person.groupId),
      String(lineNo),
    ]);
  }
}
