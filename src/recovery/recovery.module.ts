import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { IdentityModule } from '../identity/identity.module';
import { SelfServiceModule } from '../self-service';
import { SessionStoreModule } from '../session/session-store.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { RecoveryAdminController } from './recovery-admin.controller';
import { RecoverySecrets } from './recovery-secrets';
import { RecoveryTokenEntity } from './recovery-token.entity';
import { RecoveryTokenRepository } from './recovery-token.repository';
import { RecoveryController } from './recovery.controller';
import { RecoveryService } from './recovery.service';

/** Admin recovery links and codes, and their redemption. */
@Module({
  imports: [DatabaseModule, IdentityModule, SessionStoreModule, SelfServiceModule, ThrottleModule, TypeOrmModule.forFeature([RecoveryTokenEntity])],
  controllers: [RecoveryAdminController, RecoveryController],
  providers: [RecoveryTokenRepository, RecoverySecrets, RecoveryService],
})
export class RecoveryModule {}
