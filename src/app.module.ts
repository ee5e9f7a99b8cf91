import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config';
import { ClockModule } from './common/time/clock.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { RecoveryModule } from './recovery/recovery.module';
import { SchemaModule } from './schema/schema.module';
import { SelfServiceModule } from './self-service/self-service.module';
import { SessionModule } from './session/session.module';
import { loggerOptions } from './common/logging/logger-options';
import { MetricsModule } from './metrics/metrics.module';
import type { LifecycleState } from './lifecycle/lifecycle-state';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        LoggerModule.forRoot(loggerOptions(config)),
        MetricsModule,
        DatabaseModule,
        EventsModule.forRoot(config),
        SchemaModule,
        IdentityModule,
        SessionModule,
        RecoveryModule,
        SelfServiceModule,
        HealthModule.forRoot(lifecycle),
      ],
    };
  }
}
