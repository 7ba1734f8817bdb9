import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { badRequest } from '@etsr/platform';
import { ImportPaymentDto, ImportPaymentsResultDto, ImportedPaymentDto } from '../dtos/import.dto';
import { PaymentImportRepository } from '../repositories/payment-import.repository';

/** Loads past payments of another system (seedDataToDB.js), a batch at a time: all of it or none. */
@Injectable()
export class PaymentImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly imports: PaymentImportRepository,
  ) {}

  async importBatch(payments: ImportPaymentDto[]): Promise<ImportPaymentsResultDto> {
    for (const p of payments) {
      if (p.status === 'FAILED' && !p.failureReason) throw badRequest(`${p.externalRef}: failureReason is required for a FAILED payment`, 'VALIDATION_FAILED');
    }
    const imported = await this.db.transaction(async (tx) => {
      const out: ImportedPaymentDto[] = [];
      for (const p of payments) out.push(await this.imports.importPayment(tx, p));
      return out;
    });
    const created = imported.filter((p) => p.created).length;
    return { created, present: imported.length - created, payments: imported };
  }
}
