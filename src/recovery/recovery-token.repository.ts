import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { RecoveryTokenEntity } from './recovery-token.entity';

export type RecoveryTokenKind = 'link' | 'code';

@Injectable()
export class RecoveryTokenRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async insert(token: RecoveryTokenEntity): Promise<void> {
    await this.uow.manager().insert(RecoveryTokenEntity, token);
  }

  async findByFlow(flowId: string, kind: RecoveryTokenKind): Promise<RecoveryTokenEntity[]> {
    return this.uow.manager().find(RecoveryTokenEntity, { where: { flowId, kind } });
  }

  /** Marks a token used; false when it already was (a concurrent redemption won), which makes it single-use. */
  async markUsed(id: string, at: Date): Promise<boolean> {
    const result = await this.uow.manager().update(RecoveryTokenEntity, { id, usedAt: IsNull() }, { usedAt: at });
    return (result.affected ?? 0) === 1;
  }
}
