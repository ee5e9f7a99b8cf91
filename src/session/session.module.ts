import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { IdentitySessionsListener } from './identity-sessions.listener';
import { SessionAdminController } from './session-admin.controller';
import { SessionStoreModule } from './session-store.module';
import { SessionService } from './session.service';
import { WhoamiController } from './whoami.controller';

/** The admin session API and whoami; storage and lifecycle come from SessionStoreModule. */
@Module({
  imports: [SessionStoreModule, IdentityModule],
  controllers: [SessionAdminController, WhoamiController],
  providers: [SessionService, IdentitySessionsListener],
  exports: [SessionService, SessionStoreModule],
})
export class SessionModule {}
