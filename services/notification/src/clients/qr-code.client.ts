import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';

/** Makes ticket QR codes: PNG images of the payload the order service gave each ticket. */
@Injectable()
export class QrCodeClient {
  /**
   * A PNG with 6 pixels per module (whole pixels keep the edges sharp for scanners; a signed
   * 300-byte payload gives about 440 × 440 px), the 4-module quiet zone the QR standard asks for,
   * and error correction M (readable with 15 % of it damaged).
   */
  png(payload: string): Promise<Buffer> {
    return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
  }
}
