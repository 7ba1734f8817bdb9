import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger } from '@etsr/platform';
import { ImportUsersDto, ImportUsersResultDto, ImportedUserDto } from '../dtos/import.dto';
import { UserImportRepository } from '../repositories/user-import.repository';

/** Loads accounts of another system (see seedDataToDB.js): no password, keyed by the source's reference. */
@Injectable()
export class UserImportService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: UserImportRepository,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(UserImportService.name);
  }

  async import(dto: ImportUsersDto): Promise<ImportUsersResultDto> {
    // One transaction for the batch.
    const users = await this.db.transaction(async (tx) => {
      const results: ImportedUserDto[] = [];
      for (const user of dto.users) results.push(await this.repo.importUser(tx, user));
      return results;
    });
    const count = (outcome: string) => users.filter((u) => u.outcome === outcome).length;
    const result = { created: count('created'), present: count('present'), conflicts: count('conflict'), users };
    this.log.info('Users imported', { created: result.created, present: result.present, conflicts: result.conflicts });
    return result;
  }
}
