import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { IdentitySchemaEntity } from './identity-schema.entity';
import { SchemaController } from './schema.controller';
import { SchemaRepository } from './schema.repository';
import { SchemaService } from './schema.service';

@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([IdentitySchemaEntity])],
  controllers: [SchemaController],
  providers: [SchemaRepository, SchemaService],
  exports: [SchemaService],
})
export class SchemaModule {}
