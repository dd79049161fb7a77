import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { CreateTokenDto } from './dto/create-token.dto';
import { TokensService } from './tokens.service';

/** API tokens: mint (the token is shown once), list (without the token), revoke by jti. */
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  create(@Body() dto: CreateTokenDto) {
    return this.tokens.mint(dto);
  }

  @Get()
  list() {
    return this.tokens.list();
  }

  /** Revokes any JWT by its jti (also ones minted with the token command); effective on every replica within seconds. */
  @Delete(':jti')
  revoke(@Param('jti') jti: string) {
    return this.tokens.revoke(jti);
  }
}
