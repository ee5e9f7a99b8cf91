import { Injectable } from '@nestjs/common';
import { In, IsNull, LessThan, Not } from 'typeorm';
import { chunks } from '../common/collections';
import { UnitOfWork } from '../database/unit-of-work';
import type { CloudEvent } from './cloud-event';
import { OutboxEventEntity } from './outbox-event.entity';

export interface PendingEvent {
  seq: string;
  event: CloudEvent;
}

@Injectable()
export class OutboxRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get repo() {
    return this.uow.manager().getRepository(OutboxEventEntity);
  }

  async insert(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = new Date();
    // Chunked multi-row inserts: one statement per 500 events keeps packets small and round trips few.
    for (const chunk of chunks(events, 500)) {
      await this.repo
        .createQueryBuilder()
        .insert()
        .into(OutboxEventEntity)
        .values(
          chunk.map((e) => ({
            id: e.id,
            type: e.type,
            subject: e.subject,
            payload: JSON.stringify(e),
            createdAt: now,
            publishedAt: null,
            attempts: 0,
          })),
        )
        .updateEntity(false)
        .execute();
    }
  }

  /**
   * Locks up to `limit` unpublished events, oldest first, for the calling transaction. On MySQL/MariaDB rows that
   * another relay holds are skipped (`FOR UPDATE SKIP LOCKED`), so replicas never publish the same batch.
   */
  async claimPending(limit: number): Promise<PendingEvent[]> {
    let qb = this.repo
      .createQueryBuilder('o')
      .select(['o.seq', 'o.payload'])
      .where('o.published_at IS NULL')
      .orderBy('o.seq', 'ASC')
      .limit(limit);
    if (this.uow.dialect === 'mysql') qb = qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    const rows = await qb.getMany();
    return rows.map((r) => ({ seq: String(r.seq), event: JSON.parse(r.payload) as CloudEvent }));
  }

  async markPublished(seqs: string[], at = new Date()): Promise<void> {
    if (seqs.length === 0) return;
    await this.repo.update({ seq: In(seqs) }, { publishedAt: at });
  }

  async oldestPendingCreatedAt(): Promise<Date | null> {
    const row = await this.repo.findOne({ select: { createdAt: true }, where: { publishedAt: IsNull() }, order: { seq: 'ASC' } });
    return row?.createdAt ?? null;
  }

  async countPending(): Promise<number> {
    return this.repo.count({ where: { publishedAt: IsNull() } });
  }

  /** Deletes published rows older than `before`; the queue's own jobId dedup window is what matters after that. */
  async prunePublished(before: Date, limit = 5000): Promise<number> {
    const rows = await this.repo.find({
      select: { seq: true },
      where: { publishedAt: Not(IsNull()), createdAt: LessThan(before) },
      order: { seq: 'ASC' },
      take: limit,
    });
    if (rows.length === 0) return 0;
    await this.repo.delete({ seq: In(rows.map((r) => r.seq)) });
    return rows.length;
  }
}
