import { Injectable } from '@nestjs/common';
import { JsonLogger } from '@etsr/platform';
import { ImportUsersDto, ImportUsersResultDto } from '../dtos/import.dto';
import { UserImportRepository } from '../repositories/user-import.repository';

/** Loads accounts of another system (see seedDataToDB.js): no password, keyed by the source's reference. */
@Injectable()
export class UserImportService {
  private readonly log;

  constructor(
    private readonly repo: UserImportRepository,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(UserImportService.name);
  }

  async import(dto: ImportUsersDto): Promise<ImportUsersResultDto> {
    const users = await this.repo.importBatch(dto.users);
    const count = (outcome: string) => users.filter((u) => u.outcome === outcome).length;
    const result = { created: count('created'), present: count('present'), conflicts: count('conflict'), users };
    this.log.info('Users imported', { created: result.created, present: result.present, conflicts: result.conflicts });
    return result;
  }
}
