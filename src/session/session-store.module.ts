import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { SessionDeviceEntity, SessionEntity } from './entities/session.entity';
import { SessionLifecycleService } from './session-lifecycle.service';
import { SessionRepository } from './session.repository';

/**
 * Session storage and lifecycle (issue, revoke), with no dependency on identities, for the modules that issue or end
 * sessions (self-service, recovery). The admin and whoami API, and the listener that ends an identity's sessions
 * when it is deactivated or deleted, live in SessionModule.
 */
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([SessionEntity, SessionDeviceEntity])],
  providers: [SessionRepository, SessionLifecycleService],
  exports: [SessionRepository, SessionLifecycleService],
})
export class SessionStoreModule {}
