import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An identity schema as configured, stored so that every replica serves the same set. */
@Entity({ name: 'identity_schemas' })
export class IdentitySchemaEntity {
  @PrimaryColumn({ type: 'varchar', length: 190 })
  id!: string;

  @Column({ type: 'text' })
  url!: string;

  /** The schema document's bytes as loaded; `GET /schemas/{id}` serves them verbatim. */
  @Column({ type: 'text' })
  content!: string;

  @Column({ name: 'content_sha256', type: 'varchar', length: 64 })
  contentSha256!: string;

  /** Order in the configuration, which is the order of `GET /schemas`. */
  @Column({ type: 'int' })
  position!: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;
}
