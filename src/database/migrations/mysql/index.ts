import { CreateSchemasAndOutbox1763800000000 } from './1763800000000-create-schemas-and-outbox';
import { CreateIdentities1763900000000 } from './1763900000000-create-identities';
import { CreateSessionsAndFlows1764000000000 } from './1764000000000-create-sessions-and-flows';
import { CreateRecoveryTokens1764100000000 } from './1764100000000-create-recovery-tokens';
import { AddOutboxClaims1764200000000 } from './1764200000000-add-outbox-claims';

/** MySQL / MariaDB migrations, oldest first. */
export const MYSQL_MIGRATIONS = [
  CreateSchemasAndOutbox1763800000000,
  CreateIdentities1763900000000,
  CreateSessionsAndFlows1764000000000,
  CreateRecoveryTokens1764100000000,
  AddOutboxClaims1764200000000,
];
