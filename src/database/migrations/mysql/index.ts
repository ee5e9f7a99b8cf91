import { CreateSchemasAndOutbox1763800000000 } from './1763800000000-create-schemas-and-outbox';

/** MySQL / MariaDB migrations, oldest first. */
export const MYSQL_MIGRATIONS = [CreateSchemasAndOutbox1763800000000];
