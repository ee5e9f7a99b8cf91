import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A self-service flow (login, registration, settings, recovery); its UI is rebuilt from the kind on each answer. */
@Entity({ name: 'selfservice_flows' })
export class FlowEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @Column({ type: 'varchar', length: 8 })
  type!: string;

  @Column({ type: 'varchar', length: 32 })
  state!: string;

  @Column({ name: 'identity_id', type: 'varchar', length: 36, nullable: true })
  identityId!: string | null;

  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true })
  sessionId!: string | null;

  @Column({ name: 'request_url', type: 'text' })
  requestUrl!: string;

  @Column({ name: 'return_to', type: 'text', nullable: true })
  returnTo!: string | null;

  /** Flow-kind specific state as JSON (never secrets in clear). */
  @Column({ type: 'text' })
  context!: string;

  @Column({ name: 'submit_count', type: 'int' })
  submitCount!: number;

  @Column({ name: 'expires_at', type: 'datetime', precision: 6 })
  expiresAt!: Date;

  @Column({ name: 'issued_at', type: 'datetime', precision: 6 })
  issuedAt!: Date;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;
}
