import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenRepository, TypeOrmApiTokenRepository } from './api-token.repository';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator.service';
import { TokenService } from './token.service';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/** Authentication (JWT, Basic, admin session cookie) and API tokens. The guard is bound globally in AppModule. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity])],
  controllers: [TokensController],
  providers: [TokenService, TokensService, Authenticator, AuthGuard, { provide: ApiTokenRepository, useClass: TypeOrmApiTokenRepository }],
  exports: [TokenService, TokensService, Authenticator, AuthGuard],
})
export class AuthModule {}
