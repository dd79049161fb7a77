import { Get, Param, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { TAG_PATTERN, normalizeTag } from '../../../common/catalog/tags';
import { NotFoundError } from '../../../common/errors/domain-error';
import { TAGGED_KIND, TAGGED_TYPES, TagsService } from '../../tags/tags.service';
import { AdminController, pageModel, render } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';

/** Tags: every tag in use with how many entities of each kind carry it, and the entities of one tag (the `/tags` API's service). */
@AdminController('admin/tags')
export class AdminTagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  async list(@Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    const tags = await this.tags.list(TAGGED_TYPES, false, true);
    render(res, 'tags', pageModel(req, 'tags', 'Tags', { tags: tags.map((t) => ({ ...t, href: `/admin/tags/${encodeURIComponent(t.name)}` })), types: TAGGED_TYPES }));
  }

  @Get(':tag')
  async entities(@Req() req: AdminRequest, @Res() res: Response, @Param('tag') raw: string): Promise<void> {
    const tag = normalizeTag(raw);
    if (!TAG_PATTERN.test(tag)) throw new NotFoundError('Tag', raw.slice(0, 64));
    // Disabled entities too, as the tag list counts them.
    const entities = await this.tags.entities(tag, TAGGED_TYPES, true);
    const groups = TAGGED_TYPES.map((type) => ({
      type,
      items: entities.filter((e) => e.type === TAGGED_KIND[type]).map((e) => ({ ...e, href: `/admin/${type}/${e.id}` })),
      listHref: `/admin/${type}?tag=${encodeURIComponent(tag)}`,
    })).filter((g) => g.items.length);
    render(res, 'tag', pageModel(req, 'tags', `Tag ${tag}`, { tag, groups, total: entities.length }));
  }
}
