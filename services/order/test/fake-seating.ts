import { randomBytes } from 'node:crypto';
import { FakePeer, Route, errorBody } from './fake-peer';

export interface FakeSeat {
  seatId: number;
  section: string;
  row: string;
  number: string;
  price: number;
}

/** A hold as GET /v1/seats/reservation/{id} of the seating service answers it. */
export interface FakeReservation {
  reservationId: string;
  eventId: number;
  userId: number;
  seats: FakeSeat[];
  totalAmount: number;
  status: 'RESERVED' | 'ALLOCATED' | 'RELEASED' | 'EXPIRED';
  expiresAt: string;
  orderId: string | null;
}

/** How far the real service lets an order extend a hold (RESERVATION_MAX_EXTENSION_SECONDS). */
const MAX_EXTENSION_SECONDS = 900;
let nextSeatId = 1000;

/**
 * A stand-in for the seating service's endpoints the order service calls: read a reservation (a
 * service credential or its owner), tie it to an order, allocate it, release it by order (service
 * credential for audience "seating" only). Allocation is idempotent per order as in the real
 * service; `allocations` counts the holds that actually became ALLOCATED.
 */
export class FakeSeating extends FakePeer {
  readonly reservations = new Map<string, FakeReservation>();
  /** Reservation ids in the order they went RESERVED -> ALLOCATED (a repeat does not count). */
  readonly allocations: string[] = [];
  /** Reservation ids in the order they were released. */
  readonly releases: string[] = [];

  constructor() {
    super('seating');
  }

  /**
   * A held reservation of user 2 for event 1: three PREMIUM seats at 100.00 (the walkthrough's),
   * expiring in 15 minutes, unless told otherwise.
   */
  addReservation(overrides: Partial<Omit<FakeReservation, 'seats'>> & { seats?: FakeSeat[]; seatCount?: number; price?: number } = {}): FakeReservation {
    const { seatCount = 3, price = 100, seats: given, ...rest } = overrides;
    const seats =
      given ?? Array.from({ length: seatCount }, (_, i) => ({ seatId: nextSeatId++, section: 'PREMIUM', row: 'F', number: String(i + 1), price }));
    const reservation: FakeReservation = {
      reservationId: `res_${randomBytes(12).toString('base64url')}`,
      eventId: 1,
      userId: 2,
      seats,
      totalAmount: seats.reduce((n, s) => n + s.price, 0),
      status: 'RESERVED',
      expiresAt: new Date(Date.now() + 900_000).toISOString(),
      orderId: null,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    };
    this.reservations.set(reservation.reservationId, reservation);
    return reservation;
  }

  /** The reservation tied to an order. */
  ofOrder(orderId: string): FakeReservation | undefined {
    return [...this.reservations.values()].find((r) => r.orderId === orderId);
  }

  private view(r: FakeReservation) {
    const ttlSeconds = Math.max(0, Math.floor((Date.parse(r.expiresAt) - Date.now()) / 1000));
    return { ...r, ttlSeconds: r.status === 'RESERVED' ? ttlSeconds : 0 };
  }

  protected routes(): Route[] {
    return [
      {
        name: 'reservation',
        method: 'GET',
        pattern: /^\/v1\/seats\/reservation\/([^/]+)$/,
        access: 'service-or-user',
        handle: (m) => {
          const r = this.reservations.get(decodeURIComponent(m[1]));
          return r ? [200, this.view(r)] : errorBody(404, 'RESERVATION_NOT_FOUND', 'Reservation not found');
        },
      },
      {
        name: 'holdForOrder',
        method: 'POST',
        pattern: /^\/internal\/v1\/reservations\/([^/]+)\/order$/,
        access: 'service',
        handle: (m, body) => {
          const r = this.reservations.get(decodeURIComponent(m[1]));
          if (!r) return errorBody(404, 'RESERVATION_NOT_FOUND', 'Reservation not found');
          if (typeof body.orderId !== 'string') return errorBody(400, 'VALIDATION_FAILED', 'orderId is required');
          if (r.orderId && r.orderId !== body.orderId) return errorBody(409, 'RESERVATION_ORDERED', 'Reservation belongs to another order');
          if (r.status === 'EXPIRED' || Date.parse(r.expiresAt) <= Date.now()) return errorBody(400, 'RESERVATION_EXPIRED', 'Reservation expired');
          if (r.status !== 'RESERVED') return errorBody(409, 'RESERVATION_RELEASED', 'Reservation was released');
          r.orderId = body.orderId;
          const extend = Math.min(Number(body.extendSeconds ?? 600), MAX_EXTENSION_SECONDS);
          r.expiresAt = new Date(Math.max(Date.parse(r.expiresAt), Date.now() + extend * 1000)).toISOString();
          return [200, this.view(r)];
        },
      },
      {
        name: 'allocate',
        method: 'POST',
        pattern: /^\/internal\/v1\/seats\/allocate$/,
        access: 'service',
        handle: (_, body) => {
          const r = this.reservations.get(String(body.reservationId));
          if (!r) return errorBody(404, 'RESERVATION_NOT_FOUND', 'Reservation not found');
          if (typeof body.orderId !== 'string') return errorBody(400, 'VALIDATION_FAILED', 'orderId is required');
          if (r.orderId && r.orderId !== body.orderId) return errorBody(409, 'RESERVATION_ORDERED', 'Reservation belongs to another order');
          if (r.status === 'ALLOCATED') return [200, this.view(r)]; // a repeat changes nothing
          if (r.status === 'EXPIRED') return errorBody(400, 'RESERVATION_EXPIRED', 'Reservation expired');
          if (r.status === 'RELEASED') return errorBody(409, 'RESERVATION_RELEASED', 'Reservation was released');
          r.status = 'ALLOCATED';
          r.orderId = body.orderId;
          this.allocations.push(r.reservationId);
          return [200, this.view(r)];
        },
      },
      {
        name: 'release',
        method: 'POST',
        pattern: /^\/internal\/v1\/seats\/release$/,
        access: 'service',
        handle: (_, body) => {
          const r = typeof body.orderId === 'string' ? this.ofOrder(body.orderId) : this.reservations.get(String(body.reservationId));
          if (!r) return errorBody(404, 'RESERVATION_NOT_FOUND', 'No reservation for this order');
          if (r.status !== 'RELEASED') {
            r.status = 'RELEASED';
            this.releases.push(r.reservationId);
          }
          return [200, this.view(r)];
        },
      },
    ];
  }
}
