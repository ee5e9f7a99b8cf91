import { Injectable } from '@nestjs/common';
import { In, LessThan } from 'typeorm';
import { bulkInsert } from '../../database/bulk-insert';
import { selectEntities, updateEntity } from '../../database/entity-rows';
import { UnitOfWork } from '../../database/unit-of-work';
import { FlowEntity } from './flow.entity';
import type { Flow, FlowKind, FlowType } from './flow.model';

@Injectable()
export class FlowRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /* Every login, registration, settings and recovery request reads and writes its flow: plain SQL (entity-rows.ts). */

  async insert(flow: Flow): Promise<void> {
    await bulkInsert(this.uow.manager(), this.uow.sqlDialect, FlowEntity, [toRow(flow)]);
  }

  /** Locks the row when asked (where the dialect has row locks), so that concurrent submissions of one flow are counted one after another. */
  async findById(id: string, options: { lock?: boolean } = {}): Promise<Flow | null> {
    const lock = options.lock ? this.uow.sqlDialect.lockClause() : '';
    const [row] = await selectEntities(this.uow.manager(), this.uow.sqlDialect, FlowEntity, `WHERE id = ?${lock}`, [id]);
    return row ? fromRow(row) : null;
  }

  /** Deletes up to `limit` flows that expired before `before` (their recovery tokens go with them). */
  async deleteExpiredBefore(before: Date, limit: number): Promise<number> {
    const rows = await this.uow.manager().find(FlowEntity, { select: { id: true }, where: { expiresAt: LessThan(before) }, take: limit });
    if (rows.length === 0) return 0;
    await this.uow.manager().delete(FlowEntity, { id: In(rows.map((r) => r.id)) });
    return rows.length;
  }

  async update(flow: Flow): Promise<void> {
    await updateEntity(this.uow.manager(), this.uow.sqlDialect, FlowEntity, toRow(flow));
  }
}

function toRow(flow: Flow): FlowEntity {
  return { ...flow, context: JSON.stringify(flow.context) };
}

function fromRow(row: FlowEntity): Flow {
  return {
    ...row,
    kind: row.kind as FlowKind,
    type: row.type as FlowType,
    context: JSON.parse(row.context) as Record<string, unknown>,
  };
}
