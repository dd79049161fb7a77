import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CatalogItem } from '../../../common/catalog/catalog.model';
import type { CatalogService } from '../../../common/catalog/catalog.service';
import { afterDelete, afterToggle, type FormPage, renderForm, renderList } from '../presenters/catalog-pages';
import { AdminListQuery, type ListSpec, type PeerChoice } from '../presenters/list.presenter';
import { type NavKey, redirect } from '../web/admin-page';
import type { AdminRequest } from '../web/admin.guard';
import { clearEmptied, type FieldErrors, type FieldSpec, type FormBody, parseForm, postedValues, serviceErrors, validateDto } from '../web/forms';

/**
 * The pages every catalog kind shares: listing (search, tag filter, sort, paging), create and edit forms validated
 * with the API's DTOs (errors shown next to their fields), enable/disable and delete. Subclasses name the service,
 * the DTOs and the fields, and may override the detail page or the operations.
 */
export abstract class CatalogPagesController<T extends CatalogItem & { name: string }> {
  protected abstract readonly nav: NavKey;
  protected abstract readonly spec: ListSpec<T>;
  protected abstract readonly singular: string;
  protected abstract readonly createDto: new () => object;
  protected abstract readonly updateDto: new () => object;

  protected constructor(protected readonly service: CatalogService<T>) {}

  protected abstract fields(item?: T): FieldSpec[] | Promise<FieldSpec[]>;
  protected abstract create(dto: object): Promise<T>;
  protected abstract update(id: string, dto: object): Promise<T>;

  /** Form data → DTO fields (e.g. a token field becoming credentials). */
  protected toDto(data: Record<string, unknown>, _item?: T): Record<string, unknown> {
    return data;
  }

  /** The values a new item's form starts with. */
  protected newValues(): Record<string, unknown> {
    return { enabled: true };
  }

  /** The stored item → form values. */
  protected values(item: T): Record<string, unknown> {
    return { ...item } as Record<string, unknown>;
  }

  protected setEnabled(id: string, enabled: boolean): Promise<T> {
    return this.service.setEnabled(id, enabled);
  }

  protected delete(id: string): Promise<void> {
    return this.service.remove(id);
  }

  /** Where a saved item is shown: its detail page, by default its edit form. */
  protected showHref(item: T): string {
    return `${this.spec.basePath}/${item.id}/edit`;
  }

  protected async showDetail(req: AdminRequest, res: Response, id: string): Promise<void> {
    redirect(res, this.showHref(await this.service.get(id)));
  }

  @Get()
  list(@Req() req: AdminRequest, @Res() res: Response, @Query() q: AdminListQuery): Promise<void> {
    return renderList(req, res, this.nav, this.service, this.spec, q, this.peerChoices?.bind(this));
  }

  /** The peers of the list's source filter; only federated kinds define it (the list then offers the filter). */
  protected peerChoices?(): Promise<PeerChoice[]>;

  @Get('new')
  async newForm(@Req() req: AdminRequest, @Res() res: Response): Promise<void> {
    await this.showForm(req, res, undefined, await this.fields(), this.newValues());
  }

  @Post()
  async createPost(@Req() req: AdminRequest, @Res() res: Response, @Body() body: FormBody): Promise<void> {
    const specs = await this.fields();
    const result = await this.submit(specs, body, undefined, (dto) => this.create(dto), this.createDto, undefined);
    if ('item' in result) return redirect(res, this.showHref(result.item));
    await this.showForm(req, res, undefined, specs, postedValues(specs, body, {}), result.errors, result.formError);
  }

  @Get(':id')
  detail(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    return this.showDetail(req, res, id);
  }

  @Get(':id/edit')
  async editForm(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const item = await this.service.get(id);
    await this.showForm(req, res, item, await this.fields(item), this.values(item));
  }

  @Post(':id')
  async updatePost(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string, @Body() body: FormBody): Promise<void> {
    const item = await this.service.get(id);
    const specs = await this.fields(item);
    const result = await this.submit(specs, body, Number(body.version) || undefined, (dto) => this.update(id, dto), this.updateDto, item);
    if ('item' in result) return redirect(res, this.showHref(result.item));
    await this.showForm(req, res, item, specs, postedValues(specs, body, this.values(item)), result.errors, result.formError);
  }

  @Post(':id/toggle')
  async toggle(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const item = await this.service.get(id);
    const changed = await this.setEnabled(id, !item.enabled);
    afterToggle(req, res, this.spec, changed, this.showHref(changed));
  }

  @Post(':id/delete')
  async remove(@Req() req: AdminRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.delete(id);
    afterDelete(req, res, this.spec.basePath);
  }

  /** Fills in what the fields show for these values (e.g. a picker's chosen items and first matches). */
  protected withState(specs: FieldSpec[], _values: Record<string, unknown>): FieldSpec[] | Promise<FieldSpec[]> {
    return specs;
  }

  private async showForm(req: AdminRequest, res: Response, item: T | undefined, specs: FieldSpec[], values: Record<string, unknown>, errors?: FieldErrors, formError?: string): Promise<void> {
    renderForm(req, res, this.nav, this.formPage(item), await this.withState(specs, values), values, errors, formError);
  }

  /** Parses, validates with the DTO, then calls the service; errors come back keyed by field. */
  private async submit(
    specs: FieldSpec[],
    body: FormBody,
    version: number | undefined,
    save: (dto: object) => Promise<T>,
    dtoClass: new () => object,
    item: T | undefined,
  ): Promise<{ item: T } | { errors: FieldErrors; formError?: string }> {
    const parsed = parseForm(specs, body);
    const errors = parsed.errors;
    const data = item ? clearEmptied(specs, body, parsed.data, this.values(item)) : parsed.data;
    const { value, errors: invalid } = await validateDto(dtoClass, { ...this.toDto(data, item), ...(version ? { version } : {}) });
    const all = this.fieldErrors({ ...invalid, ...errors });
    if (Object.keys(all).length) return { errors: all };
    try {
      return { item: await save(value) };
    } catch (err) {
      const mapped = serviceErrors(err, [...specs.map((s) => s.name), ...this.dtoOnlyFields()]);
      return { errors: this.fieldErrors(mapped.errors), formError: mapped.formError };
    }
  }

  /** DTO fields that show on another form field (see `fieldErrors`). */
  protected dtoOnlyFields(): string[] {
    return [];
  }

  /** Moves errors on DTO-only fields to the form field that feeds them. */
  protected fieldErrors(errors: FieldErrors): FieldErrors {
    return errors;
  }

  protected formPage(item?: T): FormPage {
    return item
      ? { title: `Edit ${item.name}`, action: `${this.spec.basePath}/${item.id}`, backHref: this.spec.basePath, backLabel: this.spec.title, submitLabel: 'Save', version: item.version }
      : { title: `New ${this.singular}`, action: this.spec.basePath, backHref: this.spec.basePath, backLabel: this.spec.title, submitLabel: `Create ${this.singular}` };
  }
}
