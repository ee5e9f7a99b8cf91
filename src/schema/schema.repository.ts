import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { IdentitySchemaEntity } from './identity-schema.entity';

export interface SchemaRecord {
  id: string;
  url: string;
  content: string;
  contentSha256: string;
  position: number;
}

@Injectable()
export class SchemaRepository {
  constructor(private readonly uow: UnitOfWork) {}

  private get repo() {
    return this.uow.manager().getRepository(IdentitySchemaEntity);
  }

  /** Inserts or refreshes the configured schemas; replicas booting at once converge on the same rows. */
  async upsertAll(records: SchemaRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = new Date();
    const existing = await this.repo.find({ select: { id: true, createdAt: true } });
    const createdAt = new Map(existing.map((e) => [e.id, e.createdAt]));
    await this.repo.upsert(
      records.map((r) => ({ ...r, createdAt: createdAt.get(r.id) ?? now, updatedAt: now })),
      { conflictPaths: ['id'], skipUpdateIfNoValuesChanged: false },
    );
  }

  async findById(id: string): Promise<IdentitySchemaEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  async count(): Promise<number> {
    return this.repo.count();
  }

  async listPage(offset: number, limit: number): Promise<IdentitySchemaEntity[]> {
    return this.repo.find({ order: { position: 'ASC', id: 'ASC' }, skip: offset, take: limit });
  }
}
