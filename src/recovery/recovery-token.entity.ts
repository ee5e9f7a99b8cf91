import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A recovery link token or code, stored only as its keyed hash; single-use (`used_at`) and expiring. */
@Entity({ name: 'recovery_tokens' })
export class RecoveryTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'flow_id', type: 'varchar', length: 36 })
  flowId!: string;

  @Column({ name: 'identity_id', type: 'varchar', length: 36 })
  identityId!: string;

  /** `link` or `code`. */
  @Column({ type: 'varchar', length: 8 })
  kind!: string;

  @Column({ name: 'secret_hmac', type: 'varchar', length: 64 })
  secretHmac!: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 6 })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'datetime', precision: 6, nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;
}
