import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An address that can be verified (email, phone); unique per (via, value) across all identities. */
@Entity({ name: 'identity_verifiable_addresses' })
export class VerifiableAddressEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'identity_id', type: 'varchar', length: 36 })
  identityId!: string;

  @Column({ type: 'varchar', length: 16 })
  via!: string;

  @Column({ type: 'varchar', length: 255 })
  value!: string;

  @Column({ type: 'boolean' })
  verified!: boolean;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'verified_at', type: 'datetime', precision: 6, nullable: true })
  verifiedAt!: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;
}

/** An address account recovery can be sent to; unique per (via, value) across all identities. */
@Entity({ name: 'identity_recovery_addresses' })
export class RecoveryAddressEntity {
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
