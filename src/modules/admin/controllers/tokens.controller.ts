import { Body, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CreateTokenDto } from '../../auth/dto/create-token.dto';
import { type TokenView, TokensService } from '../../auth/tokens.service';
import { AdminController, fragment, pageModel, redirect, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import { type FieldErrors, type FieldSpec, type FormBody, formView, parseForm, serviceErrors, validateDto } from '../web/forms';

const FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Token name', kind: 'text', placeholder: 'ci-pipeline', help: 'What the token is for (shown in this list).' },
  { name: 'subject', label: 'Subject', kind: 'text', placeholder: 'you (the signed-in user)', help: 'Who the token acts as (its sub claim); defaults to you.' },
  { name: 'expiresInMinutes', label: 'Expires in (minutes)', kind: 'number', placeholder: 'default (TOKEN_EXPIRY)', help: '0 = never, only with REQUIRE_TOKEN_EXPIRATION=false.' },
];

function row(t: TokenView) {
  return { ...t, expired: !!t.expiresAt && t.expiresAt.getTime() < Date.now() };
}

/** API tokens: list, mint (the token is shown once), revoke. The same service as `/tokens` of the API. */
@AdminController('admin/tokens')
export class AdminTokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  list(@Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    return this.page(req, res, {});
  }

  @Post()
  async create(@Req() req: AdminRequest, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const { data, errors } = parseForm(FIELDS, body);
    const { value, errors: invalid } = await validateDto(CreateTokenDto, data);
    const all = { ...invalid, ...errors };
    if (Object.keys(all).length) return this.page(req, res, { values: body, errors: all }, 422);
    try {
      const created = await this.tokens.mint(value);
      await this.page(req, res, { created });
    } catch (err) {
      const mapped = serviceErrors(err, FIELDS.map((f) => f.name));
      await this.page(req, res, { values: body, errors: mapped.errors, formError: mapped.formError }, 422);
    }
  }

  /** Revokes a token by jti (htmx swaps the row; a plain post goes back to the list). */
  @Post(':jti/revoke')
  async revoke(@Req() req: AdminRequest, @Res() res: Response, @Param('jti') jti: string): Promise<void> {
    const token = await this.tokens.revoke(jti);
    if (req.headers['hx-request'] === 'true') fragment(res, 'token-row', row(token));
    else redirect(res, '/admin/tokens');
  }

  private async page(
    req: AdminRequest,
    res: Response,
    state: { values?: Record<string, unknown>; errors?: FieldErrors; formError?: string; created?: unknown },
    status = 200,
  ): Promise<void> {
    const tokens = (await this.tokens.list()).map(row);
    render(res, 'tokens', pageModel(req, 'tokens', 'API tokens', { tokens, created: state.created, form: formView(FIELDS, state.values ?? {}, state.errors, state.formError) }), status);
  }
}
