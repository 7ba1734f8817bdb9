import { KeyObject, createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';

/** What a ticket's QR code carries, signed: enough for a scanner to admit or refuse offline. */
export interface TicketClaims {
  v: 1;
  /** ticket code */
  tc: string;
  /** order id */
  o: string;
  /** event id */
  e: number;
  /** seat id and human seat code (VIP-A-12) */
  s: number;
  sc: string;
  /** issued at, unix seconds */
  iat: number;
}

/** The DER prefix that turns a 32-byte Ed25519 seed into a PKCS#8 private key (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** 20 characters of Crockford base32 = 100 bits: unguessable, and easy to read out or type. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Issues ticket codes and signs ticket payloads with Ed25519. A payload is
 * `base64url(JSON claims) + "." + base64url(signature)`: a scanner holding only the public key
 * (GET /v1/tickets/public-key) checks it without calling us.
 */
export class TicketSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(key: string) {
    this.privateKey = TicketSigner.parseKey(key);
    this.publicKey = createPublicKey(this.privateKey);
  }

  /** A PKCS#8 PEM, or a 64-hex-digit seed; any other string is hashed to a seed (development values). */
  static parseKey(key: string): KeyObject {
    if (key.includes('BEGIN')) return createPrivateKey(key);
    const seed = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, 'hex') : createHash('sha256').update(key).digest();
    return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }

  newTicketCode(): string {
    const bytes = randomBytes(20);
    let code = '';
    for (const b of bytes) code += CODE_ALPHABET[b & 31];
    return `TCK-${code}`;
  }

  sign(claims: TicketClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = sign(null, Buffer.from(body), this.privateKey).toString('base64url');
    return `${body}.${signature}`;
  }

  /** The claims of a genuine payload, or null for a forged or damaged one. */
  verify(payload: string): TicketClaims | null {
    const [body, signature, extra] = payload.split('.');
    if (!body || !signature || extra !== undefined) return null;
    try {
      if (!verify(null, Buffer.from(body), this.publicKey, Buffer.from(signature, 'base64url'))) return null;
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketClaims;
    } catch {
      return null;
    }
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}
