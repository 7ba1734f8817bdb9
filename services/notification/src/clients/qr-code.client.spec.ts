import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { QR_MARGIN, QR_SCALE, QrCodeClient, crc32 } from './qr-code.client';

/** The chunks of a PNG, each CRC checked. */
function chunks(png: Buffer): Map<string, Buffer> {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out = new Map<string, Buffer>();
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `CRC of ${type}`);
    out.set(type, png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return out;
}

describe('QR code PNGs', () => {
  it('crc32 is the standard CRC-32', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.from('IEND')), 0xae426082);
  });

  it('every pixel is the module of the QR code it falls on: 6 px per module, a 4-module white quiet zone, error correction M', async () => {
    const payload = 'etsr:ticket:TCK-20251109-AAA:3f9a0c';
    const png = await new QrCodeClient().png(payload);
    const parts = chunks(png);
    assert.deepEqual([...parts.keys()], ['IHDR', 'IDAT', 'IEND']);
    const header = parts.get('IHDR')!;
    // The payload as one byte-mode segment, as the client encodes it (readers decode every mode alike).
    const { modules } = QRCode.create([{ data: Buffer.from(payload, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M' });
    const width = (modules.size + 2 * QR_MARGIN) * QR_SCALE;
    assert.deepEqual([header.readUInt32BE(0), header.readUInt32BE(4), ...header.subarray(8)], [width, width, 1, 0, 0, 0, 0]);
    const raw = inflateSync(parts.get('IDAT')!);
    const stride = Math.ceil(width / 8) + 1;
    assert.equal(raw.length, stride * width);
    let dark = 0;
    for (let y = 0; y < width; y++) {
      assert.equal(raw[y * stride], 0, 'filter type none');
      for (let x = 0; x < width; x++) {
        const black = ((raw[y * stride + 1 + (x >> 3)] >> (7 - (x & 7))) & 1) === 0;
        const row = Math.floor(y / QR_SCALE) - QR_MARGIN;
        const col = Math.floor(x / QR_SCALE) - QR_MARGIN;
        const inCode = row >= 0 && col >= 0 && row < modules.size && col < modules.size;
        assert.equal(black, inCode && Boolean(modules.get(row, col)), `pixel ${x},${y}`);
        if (black) dark++;
      }
    }
    assert.ok(dark > 0);
  });
});
