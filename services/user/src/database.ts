import { DatabaseDefinition } from '@etsr/platform';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { PasswordSetupTokenEntity } from './entities/password-setup-token.entity';
import { TokenRevocationEntity } from './entities/token-revocation.entity';
import { UserEntity } from './entities/user.entity';
import { CreateUsers1763700000000 } from './migrations/1763700000000-create-users';
import { ImportedUsers1764200000000 } from './migrations/1764200000000-imported-users';
import { AccountEmails1764300000000 } from './migrations/1764300000000-account-emails';
import { TokenRevocations1764400000000 } from './migrations/1764400000000-token-revocations';

/** Entities and migrations of userdb, in the order they apply. */
export const database: DatabaseDefinition = {
  entities: [UserEntity, RefreshTokenEntity, PasswordSetupTokenEntity, TokenRevocationEntity],
  migrations: [CreateUsers1763700000000, ImportedUsers1764200000000, AccountEmails1764300000000, TokenRevocations1764400000000],
};
