import { createHash } from 'node:crypto';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { AvailabilityDto, SeatMapDto, mapAvailability, mapSeatMap } from '../dtos/seat.dto';
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

/**
 * An event's seat map and counts as of one query, immutable. `version` is a hash of the map's
 * content, so every replica gives the same state the same version (an ETag a client may take from
 * one replica to another) and a refresh that finds nothing new keeps the version.
 */
export class SeatMapSnapshot {
  /** Seat map and availability bodies, of the event ('map', 'availability') or of one section ('map/VIP'), made on first request. */
  private readonly bodies = new Map<string, PreparedBody>();
  private readonly counts: SectionCounts[];

  private constructor(
    readonly eventId: number,
    /** Undefined when the event has no seats. */
    readonly map: SeatMapDto | undefined,
    readonly version: string,
    mapJson: Buffer | undefined,
    /** Epoch ms when the first live hold in it lapses (it then shows a free seat as held); null when none. */
    readonly earliestHoldExpiry: number | null,
    seats: SnapshotSeat[],
  ) {
    this.counts = sectionCounts(seats);
    if (mapJson) this.bodies.set('map', new PreparedBody(mapJson));
  }

  /** From the event's seats in map order and the expiry of its earliest live hold (epoch ms). */
  static build(eventId: number, seats: SnapshotSeat[], earliestHoldExpiry: number | null = null): SeatMapSnapshot {
    if (!seats.length) return new SeatMapSnapshot(eventId, undefined, 'none', undefined, null, seats);
    const map = mapSeatMap(eventId, seats);
    const json = Buffer.from(JSON.stringify(map));
    const version = createHash('sha1').update(json).digest('base64url').slice(0, 20);
    return new SeatMapSnapshot(eventId, map, version, json, earliestHoldExpiry, seats);
  }

  get exists(): boolean {
    return this.map !== undefined;
  }

  get seatCount(): number {
    return this.map?.totalSeats ?? 0;
  }

  /** The weak ETag of every body of this snapshot (weak: the compressed forms are other bytes of the same content). */
  get etag(): string {
    return `W/"${this.version}"`;
  }

  /** The seat map (of one section), serialised once; undefined when there is no such section. */
  mapBody(section?: string): PreparedBody | undefined {
    return this.body(section === undefined ? 'map' : `map/${section}`, () => {
      if (!this.map || section === undefined) return undefined;
      const found = this.map.sections.find((s) => s.section === section);
      if (!found) return undefined;
      const totalSeats = found.rows.reduce((n, r) => n + r.seats.length, 0);
      return { ...this.map, totalSeats, sections: [found] };
    });
  }

  /** The counts (of one section), serialised once; undefined when there is no such section. */
  availabilityBody(section?: string): PreparedBody | undefined {
    return this.body(section === undefined ? 'availability' : `availability/${section}`, () => this.availability(section));
  }

  availability(section?: string): AvailabilityDto | undefined {
    const counts = section === undefined ? this.counts : this.counts.filter((c) => c.section === section);
    return counts.length ? mapAvailability(this.eventId, counts) : undefined;
  }

  private body(key: string, make: () => unknown): PreparedBody | undefined {
    let body = this.bodies.get(key);
    if (!body) {
      const value = make();
      if (value === undefined) return undefined;
      this.bodies.set(key, (body = new PreparedBody(Buffer.from(JSON.stringify(value)))));
    }
    return body;
  }
}

/**
 * An event's seats in map order, as read once (seats are only ever added), and where each seat's
 * letter sits in SeatsRepository.seatStates, which lists them in seat id order.
 */
export class MapPlan {
  /** For the i-th seat by seat id, its place in map order. */
  private readonly placeOfRank: Uint32Array;

  constructor(readonly seats: MapPlanSeat[]) {
    this.placeOfRank = Uint32Array.from(seats.map((_, i) => i).sort((a, b) => seats[a].seatId - seats[b].seatId));
  }

  /** The seats with their statuses, in map order; undefined when `codes` is of another number of seats (seats were added since the plan was read). */
  withStates(codes: string): SnapshotSeat[] | undefined {
    if (codes.length !== this.seats.length) return undefined;
    const seats = new Array<SnapshotSeat>(codes.length);
    for (let rank = 0; rank < codes.length; rank++) {
      const place = this.placeOfRank[rank];
      const status = STATE_CODES[codes[rank]];
      if (!status) throw new Error(`Unknown seat state letter ${JSON.stringify(codes[rank])}`);
      seats[place] = { ...this.seats[place], status };
    }
    return seats;
  }
}

/** Counts by section in the order of the seats (front to back), as the availability endpoint shows them. */
function sectionCounts(seats: SnapshotSeat[]): SectionCounts[] {
  const sections = new Map<string, SectionCounts>();
  for (const s of seats) {
    let c = sections.get(s.section);
    if (!c) sections.set(s.section, (c = { section: s.section, total: 0, available: 0, reserved: 0, allocated: 0, blocked: 0, price: s.price }));
    c.total++;
    if (s.status === 'AVAILABLE') c.available++;
    else if (s.status === 'RESERVED') c.reserved++;
    else if (s.status === 'ALLOCATED') c.allocated++;
    else c.blocked++;
    if (s.price < c.price) c.price = s.price;
  }
  return [...sections.values()];
}

/**
 * The seats whose status differs between two consecutive snapshots, as [seatId, status] in map
 * order. `reload` when the set of seats changed (a plan was added), which a diff cannot describe
 * to a page that drew the old map.
 */
export function diffSnapshots(prev: SeatMapSnapshot, next: SeatMapSnapshot): { changes: [number, string][]; reload: boolean } {
  const before = new Map<number, string>();
  for (const section of prev.map?.sections ?? []) for (const row of section.rows) for (const seat of row.seats) before.set(seat[0], seat[2]);
  const changes: [number, string][] = [];
  let added = false;
  for (const section of next.map?.sections ?? []) {
    for (const row of section.rows) {
      for (const [seatId, , status] of row.seats) {
        const was = before.get(seatId);
        if (was === undefined) added = true;
        if (was !== status) changes.push([seatId, status]);
      }
    }
  }
  return { changes, reload: added || prev.seatCount !== next.seatCount };
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
