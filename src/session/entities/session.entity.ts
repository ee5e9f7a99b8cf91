import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A session; the token itself is never stored, only its SHA-256 (it is 190 random bits, so no key is needed). */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'identity_id', type: 'varchar', length: 36 })
  identityId!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'expires_at', type: 'datetime', precision: 6 })
  expiresAt!: Date;

  @Column({ name: 'authenticated_at', type: 'datetime', precision: 6 })
  authenticatedAt!: Date;

  @Column({ name: 'issued_at', type: 'datetime', precision: 6 })
  issuedAt!: Date;

  @Column({ type: 'varchar', length: 8 })
  aal!: string;

  /** JSON list of `{method, aal, completed_at, provider?}`. */
  @Column({ name: 'authentication_methods', type: 'text' })
  authenticationMethods!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;
}

/** The device (IP address, user agent, location) a session was issued to. */
@Entity({ name: 'session_devices' })
export class SessionDeviceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ name: 'ip_address', type: 'varchar', length: 64, nullable: true })
  ipAddress!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  location!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;
}
