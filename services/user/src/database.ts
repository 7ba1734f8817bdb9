import { DatabaseDefinition } from '@etsr/platform';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { UserEntity } from './entities/user.entity';
import { CreateUsers1763700000000 } from './migrations/1763700000000-create-users';

/** Entities and migrations of userdb, in the order they apply. */
export const database: DatabaseDefinition = {
  entities: [UserEntity, RefreshTokenEntity],
  migrations: [CreateUsers1763700000000],
};
