import { Column, Entity, PrimaryColumn } from 'typeorm';

/** JSON documents (traits, metadata) are stored as text and parsed by the repository. */
@Entity({ name: 'identities' })
export class IdentityEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'schema_id', type: 'varchar', length: 190 })
  schemaId!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: string;

  @Column({ name: 'state_changed_at', type: 'datetime', precision: 6, nullable: true })
  stateChangedAt!: Date | null;

  @Column({ type: 'text' })
  traits!: string;

  @Column({ name: 'metadata_public', type: 'text', nullable: true })
  metadataPublic!: string | null;

  @Column({ name: 'metadata_admin', type: 'text', nullable: true })
  metadataAdmin!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;
}
