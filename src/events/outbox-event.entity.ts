import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One event waiting for (or done with) publication. Written in the same transaction as the change it describes. */
@Entity({ name: 'event_outbox' })
export class OutboxEventEntity {
  /** Insertion order, which is publication order. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  /** The CloudEvents id and the BullMQ job id. */
  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  type!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  /** The whole CloudEvent as JSON. */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'published_at', type: 'datetime', precision: 6, nullable: true })
  publishedAt!: Date | null;

  /** How often the row was claimed for publication (more than once: a claim expired or was released). */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** The claim holding the row, or that published it: the relay's replica id and the claim's number. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 160, nullable: true })
  claimedBy!: string | null;

  /** When the claim lapses (UTC) and another relay may take the row; null once published or released. */
  @Column({ name: 'claim_expires_at', type: 'datetime', precision: 6, nullable: true })
  claimExpiresAt!: Date | null;
}
