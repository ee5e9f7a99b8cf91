import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { IdentityModule } from '../identity/identity.module';
import { SchemaModule } from '../schema/schema.module';
import { SessionModule } from '../session/session.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { FlowEntity } from './flows/flow.entity';
import { FlowRepository } from './flows/flow.repository';
import { FlowService } from './flows/flow.service';
import { LoginController } from './login/login.controller';
import { LoginService } from './login/login.service';
import { LogoutController } from './logout/logout.controller';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationService } from './registration/registration.service';
import { SettingsController } from './settings/settings.controller';
import { SettingsService } from './settings/settings.service';
import { CodeStrategy } from './strategies/code/code.strategy';
import { LinkStrategy } from './strategies/link/link.strategy';
import { PasswordStrategy } from './strategies/password/password.strategy';
import { StrategyRegistry } from './strategies/strategy.registry';

/** The public self-service API for native apps: registration, login, logout and settings flows. */
@Module({
  imports: [DatabaseModule, SchemaModule, IdentityModule, SessionModule, ThrottleModule, TypeOrmModule.forFeature([FlowEntity])],
  controllers: [LoginController, RegistrationController, LogoutController, SettingsController],
  providers: [FlowRepository, FlowService, PasswordStrategy, CodeStrategy, LinkStrategy, StrategyRegistry, LoginService, RegistrationService, SettingsService],
  exports: [FlowService, StrategyRegistry, SettingsService],
})
export class SelfServiceModule {}
