import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { SchemaModule } from '../schema/schema.module';
import { SessionStoreModule } from '../session/session-store.module';
import { PasswordHasherService } from './credentials/password-hasher.service';
import { RecoveryAddressEntity, VerifiableAddressEntity } from './entities/identity-address.entity';
import { IdentityCredentialEntity, IdentityCredentialIdentifierEntity } from './entities/identity-credential.entity';
import { IdentityEntity } from './entities/identity.entity';
import { IdentityBatchService } from './identity-batch.service';
import { IdentityController } from './identity.controller';
import { IdentityFactory } from './identity-factory';
import { IdentityRepository } from './identity.repository';
import { IdentityService } from './identity.service';

/** Identities, their credentials (hashing and import formats) and addresses: the admin identity API. */
@Module({
  imports: [
    DatabaseModule,
    SchemaModule,
    SessionStoreModule,
    TypeOrmModule.forFeature([IdentityEntity, IdentityCredentialEntity, IdentityCredentialIdentifierEntity, VerifiableAddressEntity, RecoveryAddressEntity]),
  ],
  controllers: [IdentityController],
  providers: [IdentityRepository, IdentityFactory, IdentityService, IdentityBatchService, PasswordHasherService],
  exports: [IdentityService, IdentityRepository, PasswordHasherService],
})
export class IdentityModule {}
