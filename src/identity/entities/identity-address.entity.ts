import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The columns both kinds of address share; each kind is unique per (via, value) across all identities. */
abstract class IdentityAddressColumns {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'identity_id', type: 'varchar', length: 36 })
  identityId!: string;

  @Column({ type: 'varchar', length: 16 })
  via!: string;

  @Column({ type: 'varchar', length: 255 })
  value!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;
}

/** An address that can be verified (email, phone). */
@Entity({ name: 'identity_verifiable_addresses' })
export class VerifiableAddressEntity extends IdentityAddressColumns {
  @Column({ type: 'boolean' })
  verified!: boolean;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'verified_at', type: 'datetime', precision: 6, nullable: true })
  verifiedAt!: Date | null;
}

/** An address account recovery can be sent to. */
@Entity({ name: 'identity_recovery_addresses' })
export class RecoveryAddressEntity extends IdentityAddressColumns {}
