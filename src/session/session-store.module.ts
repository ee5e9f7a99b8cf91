import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { SessionDeviceEntity, SessionEntity } from './entities/session.entity';
import { SessionLifecycleService } from './session-lifecycle.service';
import { SessionRepository } from './session.repository';

/**
 * Session storage and lifecycle (issue, revoke), with no dependency on identities, so that the identity module
 * can end sessions when an identity is deactivated or deleted. The admin and whoami API live in SessionModule.
 */
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([SessionEntity, SessionDeviceEntity])],
  providers: [SessionRepository, SessionLifecycleService],
  exports: [SessionRepository, SessionLifecycleService],
})
export class SessionStoreModule {}
