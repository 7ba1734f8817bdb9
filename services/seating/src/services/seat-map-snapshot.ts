import { createHash } from 'node:crypto';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { AvailabilityDto, mapAvailability, mapSeatMap } from '../dtos/seat.dto';
import { SeatStatus } from '../entities/seat.entity';
import { MapPlanSeat, STATE_CODES, SectionCounts, SnapshotSeat } from '../repositories/seats.repository';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type ContentEncoding = 'br' | 'gzip';

/** Bodies smaller than this go out as they are: compressing them saves less than it costs. */
export const COMPRESS_MIN_BYTES = 1024;

/** One response body of a snapshot: its JSON bytes, serialised once, and each compressed form, made once on first request. */
export class PreparedBody {
  private readonly encoded = new Map<ContentEncoding, Promise<Buffer>>();

  constructor(readonly json: Buffer) {}

  /** The body in `encoding`; the compression runs once per snapshot (in libuv's pool), later callers share it. */
  encode(encoding: ContentEncoding): Promise<Buffer> {
    let body = this.encoded.get(encoding);
    if (!body) {
      // Brotli at quality 5 compresses a 10,000-seat map about as fast as gzip -6 and smaller; 11 (the default) takes 50 times longer.
      body =
        encoding === 'br'
          ? brotliAsync(this.json, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: this.json.length } })
          : gzipAsync(this.json, { level: 6 });
      this.encoded.set(encoding, body);
      // A failed compression is not kept: the next reader tries again.
      body.catch(() => this.encoded.delete(encoding));
    }
    return body;
  }
}

/** The status letters of SeatsRepository.seatStates, as they appear in a map body. */
const STATUS_JSON: Record<string, string> = Object.fromEntries(Object.entries(STATE_CODES).map(([code, status]) => [code, JSON.stringify(status)]));

/**
 * An event's seats in map order, as read once (seats are only ever added, never edited), with
 * what a snapshot needs to turn a string of status letters (SeatsRepository.seatStates, one per
 * seat in seat id order) into bodies, counts and differences without an object per seat.
 */
export class MapPlan {
  readonly size: number;
  /** Seat ids by rank (the i-th seat by seat id). */
  private readonly seatIdOfRank: Float64Array;
  /** For each seat in map order, its rank. */
  private readonly rankOfPlace: Uint32Array;
  /** Each rank's section (index into `sections`). */
  private readonly sectionOfRank: Uint16Array;
  /** Sections front to back, with their lowest price. */
  private readonly sections: { section: string; price: number }[] = [];
  /** Body templates by key ('map', 'map/VIP'): the JSON around each seat's status, and the rank of each status in JSON order. */
  private readonly templates = new Map<string, { parts: string[]; ranks: Uint32Array }>();

  constructor(
    private readonly seats: MapPlanSeat[],
    private readonly eventId: number,
  ) {
    this.size = seats.length;
    const byId = seats.map((_, place) => place).sort((a, b) => seats[a].seatId - seats[b].seatId);
    this.seatIdOfRank = Float64Array.from(byId, (place) => seats[place].seatId);
    this.rankOfPlace = new Uint32Array(seats.length);
    byId.forEach((place, rank) => (this.rankOfPlace[place] = rank));
    this.sectionOfRank = new Uint16Array(seats.length);
    const sectionIndex = new Map<string, number>();
    seats.forEach((seat, place) => {
      let index = sectionIndex.get(seat.section);
      if (index === undefined) {
        sectionIndex.set(seat.section, (index = this.sections.length));
        this.sections.push({ section: seat.section, price: seat.price });
      }
      if (seat.price < this.sections[index].price) this.sections[index].price = seat.price;
      this.sectionOfRank[this.rankOfPlace[place]] = index;
    });
  }

  hasSection(section: string): boolean {
    return this.sections.some((s) => s.section === section);
  }

  /**
   * The seat map (of one section) with these statuses, as JSON. The JSON around the statuses is
   * made once per plan: the map with a NUL character for every status (PostgreSQL text cannot
   * hold one, so none occurs in a section or row name) is cut where those appear.
   */
  mapJson(codes: string, section?: string): string {
    const key = section === undefined ? 'map' : `map/${section}`;
    let template = this.templates.get(key);
    if (!template) {
      const placeholder = '\u0000' as SeatStatus;
      const all = mapSeatMap(this.eventId, this.seats.map((seat) => ({ ...seat, status: placeholder })));
      const found = section === undefined ? undefined : all.sections.find((s) => s.section === section);
      const map = found ? { ...all, totalSeats: found.rows.reduce((n, r) => n + r.seats.length, 0), sections: [found] } : all;
      const placeOf = new Map(this.seats.map((s, place) => [s.seatId, place]));
      const ranks: number[] = [];
      for (const s of map.sections) for (const row of s.rows) for (const seat of row.seats) ranks.push(this.rankOfPlace[placeOf.get(seat[0])!]);
      const parts = JSON.stringify(map).split(JSON.stringify(placeholder));
      if (parts.length !== ranks.length + 1) throw new Error(`Seat map template of event ${this.eventId}: ${parts.length - 1} statuses for ${ranks.length} seats`);
      this.templates.set(key, (template = { parts, ranks: Uint32Array.from(ranks) }));
    }
    const { parts, ranks } = template;
    let json = parts[0];
    for (let i = 0; i < ranks.length; i++) json += STATUS_JSON[codes[ranks[i]]] + parts[i + 1];
    return json;
  }

  /** Counts by section, front to back. */
  counts(codes: string): SectionCounts[] {
    const counts = this.sections.map(({ section, price }) => ({ section, total: 0, available: 0, reserved: 0, allocated: 0, blocked: 0, price }));
    for (let rank = 0; rank < codes.length; rank++) {
      const c = counts[this.sectionOfRank[rank]];
      c.total++;
      const code = codes[rank];
      if (code === 'A') c.available++;
      else if (code === 'R') c.reserved++;
      else if (code === 'S') c.allocated++;
      else c.blocked++;
    }
    return counts;
  }

  /** The seats whose letter differs between two strings of letters, as [seatId, status] in map order. */
  changes(before: string, after: string): [number, SeatStatus][] {
    const changes: [number, SeatStatus][] = [];
    for (let place = 0; place < this.size; place++) {
      const rank = this.rankOfPlace[place];
      if (before[rank] !== after[rank]) changes.push([this.seatIdOfRank[rank], STATE_CODES[after[rank]]]);
    }
    return changes;
  }
}

/**
 * An event's seat map and counts as of one query, immutable: the plan and one status letter per
 * seat. `version` is a hash of the content, so every replica gives the same state the same
 * version (an ETag a client may take from one replica to another) and a refresh that finds
 * nothing new keeps the version. Bodies are made on first request; a page that follows the live
 * feed never asks for one, so a refresh costs the letters, the counts and a diff.
 */
export class SeatMapSnapshot {
  /** Seat map and availability bodies, of the event ('map', 'availability') or of one section ('map/VIP'), made on first request. */
  private readonly bodies = new Map<string, PreparedBody>();
  private readonly counts: SectionCounts[];
  readonly version: string;

  private constructor(
    readonly eventId: number,
    readonly plan: MapPlan,
    /** One letter per seat in seat id order (STATE_CODES). */
    readonly codes: string,
    /** Epoch ms when the first live hold in it lapses (it then shows a free seat as held); null when none. */
    readonly earliestHoldExpiry: number | null,
  ) {
    this.counts = plan.counts(codes);
    this.version = plan.size ? createHash('sha1').update(planDigest(plan)).update(codes).digest('base64url').slice(0, 20) : 'none';
  }

  /** From the plan and its status letters; undefined when they are of another number of seats (seats were added since the plan was read). */
  static of(eventId: number, plan: MapPlan, codes: string, earliestHoldExpiry: number | null): SeatMapSnapshot | undefined {
    if (codes.length !== plan.size) return undefined;
    for (let i = 0; i < codes.length; i++) if (!STATE_CODES[codes[i]]) throw new Error(`Unknown seat state letter ${JSON.stringify(codes[i])}`);
    return new SeatMapSnapshot(eventId, plan, codes, earliestHoldExpiry);
  }

  /** From seats with their statuses, in map order. */
  static build(eventId: number, seats: SnapshotSeat[], earliestHoldExpiry: number | null = null): SeatMapSnapshot {
    const plan = new MapPlan(
      seats.map(({ status: _, ...seat }) => seat),
      eventId,
    );
    const letter = Object.fromEntries(Object.entries(STATE_CODES).map(([code, status]) => [status, code]));
    const codes = [...seats]
      .sort((a, b) => a.seatId - b.seatId)
      .map((s) => letter[s.status])
      .join('');
    return SeatMapSnapshot.of(eventId, plan, codes, earliestHoldExpiry)!;
  }

  get exists(): boolean {
    return this.plan.size > 0;
  }

  get seatCount(): number {
    return this.plan.size;
  }

  /** The weak ETag of every body of this snapshot (weak: the compressed forms are other bytes of the same content). */
  get etag(): string {
    return `W/"${this.version}"`;
  }

  /** The seat map (of one section), serialised once; undefined when there is no such section. */
  mapBody(section?: string): PreparedBody | undefined {
    return this.body(section === undefined ? 'map' : `map/${section}`, () =>
      this.exists && (section === undefined || this.plan.hasSection(section)) ? this.plan.mapJson(this.codes, section) : undefined,
    );
  }

  /** The counts (of one section), serialised once; undefined when there is no such section. */
  availabilityBody(section?: string): PreparedBody | undefined {
    return this.body(section === undefined ? 'availability' : `availability/${section}`, () => {
      const availability = this.availability(section);
      return availability && JSON.stringify(availability);
    });
  }

  availability(section?: string): AvailabilityDto | undefined {
    const counts = section === undefined ? this.counts : this.counts.filter((c) => c.section === section);
    return counts.length ? mapAvailability(this.eventId, counts) : undefined;
  }

  /** The body under `key`, made by `make` on first request; nothing is kept when `make` finds none. */
  private body(key: string, make: () => string | undefined): PreparedBody | undefined {
    let body = this.bodies.get(key);
    if (!body) {
      const json = make();
      if (json === undefined) return undefined;
      this.bodies.set(key, (body = new PreparedBody(Buffer.from(json))));
    }
    return body;
  }
}

/** What identifies a plan in a version: the hash of its map with every seat free, made once per plan. */
const planDigests = new WeakMap<MapPlan, string>();
function planDigest(plan: MapPlan): string {
  let digest = planDigests.get(plan);
  if (digest === undefined) planDigests.set(plan, (digest = createHash('sha1').update(plan.mapJson('A'.repeat(plan.size))).digest('base64url')));
  return digest;
}

/**
 * The seats whose status differs between two consecutive snapshots, as [seatId, status] in map
 * order. `reload` when the set of seats changed (a plan was added), which a diff cannot describe
 * to a page that drew the old map.
 */
export function diffSnapshots(prev: SeatMapSnapshot, next: SeatMapSnapshot): { changes: [number, string][]; reload: boolean } {
  const samePlan = prev.plan === next.plan || (prev.plan.size === next.plan.size && planDigest(prev.plan) === planDigest(next.plan));
  if (samePlan) return { changes: next.plan.changes(prev.codes, next.codes), reload: false };
  // Another plan (seats were added): the seats that are new or changed, and a reload.
  const before = new Map(prev.plan.changes(' '.repeat(prev.plan.size), prev.codes));
  const changes = next.plan.changes(' '.repeat(next.plan.size), next.codes).filter(([seatId, status]) => before.get(seatId) !== status);
  return { changes, reload: true };
}

/**
 * The encoding to answer with: brotli or gzip when the client accepts it (a q=0 refuses), else
 * none. Preference: the client's q values, then brotli (smaller), then gzip.
 */
export function pickEncoding(acceptEncoding: string | undefined): ContentEncoding | undefined {
  if (!acceptEncoding) return undefined;
  let best: ContentEncoding | undefined;
  let bestQ = 0;
  let star: number | undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(value)) continue;
    if (name === '*') star = value;
    else q.set(name, value);
  }
  for (const encoding of ['br', 'gzip'] as const) {
    const value = q.get(encoding) ?? star ?? 0;
    if (value > bestQ) {
      best = encoding;
      bestQ = value;
    }
  }
  return best;
}

/** Whether an If-None-Match header matches `etag` (weak comparison, as RFC 9110 requires for If-None-Match). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
}
