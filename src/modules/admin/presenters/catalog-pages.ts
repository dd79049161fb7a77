import type { Response } from 'express';
import type { CatalogItem, OffsetListOptions, OffsetPage } from '../../../common/catalog/catalog.model';
import type { AdminRequest } from '../web/admin.guard';
import { fragment, type NavKey, pageModel, redirect, render, wantsFragment } from '../web/admin-page';
import { type FieldErrors, formView, type FieldSpec } from '../web/forms';
import { type AdminListQuery, listOptions, listView, type ListSpec, type PeerChoice } from './list.presenter';

/** What the shared listing helpers need of a catalog service. */
export interface ListableService<T extends CatalogItem> {
  listPage(options: OffsetListOptions): Promise<OffsetPage<T>>;
  allTags(includeInactive: boolean): Promise<Array<{ tags: string[] }>>;
}

/** The peers a list's source filter offers: primaries only (an alternate serves its primary's catalog). */
export async function primaryPeers(gateways: { findAll(): Promise<Array<PeerChoice & { alternateOf: string | null }>> }): Promise<PeerChoice[]> {
  return (await gateways.findAll()).filter((g) => !g.alternateOf);
}

/** Every tag used by items of one kind, sorted (for the tag filter). */
export async function tagNames(service: Pick<ListableService<CatalogItem>, 'allTags'>): Promise<string[]> {
  const names = new Set<string>();
  for (const item of await service.allTags(true)) for (const t of item.tags) names.add(t);
  return [...names].sort();
}

/** Renders a listing: the whole page, or only the `#list` fragment for HTMX search/sort/paging. */
export async function renderList<T extends CatalogItem>(
  req: AdminRequest,
  res: Response,
  nav: NavKey,
  service: ListableService<T>,
  spec: ListSpec<T>,
  q: AdminListQuery,
  /** The peers of the source filter; given for federated kinds only (the list then offers the filter). */
  peers?: () => Promise<PeerChoice[]>,
): Promise<void> {
  const fragmentOnly = wantsFragment(req, 'list');
  const [page, tags, peerChoices] = await Promise.all([
    service.listPage(listOptions(q, spec as ListSpec<unknown>)),
    fragmentOnly ? Promise.resolve([]) : tagNames(service),
    !peers ? undefined : fragmentOnly ? [] : peers(),
  ]);
  const model = listView(spec, q, page, tags, peerChoices);
  if (fragmentOnly) return fragment(res, 'list-fragment', model);
  render(res, 'list', pageModel(req, nav, spec.title, model));
}

/** Whether an htmx request acts on a row of a list (its target is `#row-<id>`). */
function fromRow(req: AdminRequest): boolean {
  return req.headers['hx-request'] === 'true' && String(req.headers['hx-target'] ?? '').startsWith('row-');
}

/** After a toggle: the re-rendered row for a list; back to the item's page (`showHref`) from its detail page. */
export function afterToggle<T extends CatalogItem>(req: AdminRequest, res: Response, spec: ListSpec<T>, item: T, showHref: string): void {
  if (fromRow(req)) fragment(res, 'list-row', { basePath: spec.basePath, row: spec.row(item) });
  else redirect(res, showHref);
}

/** After a delete: a list's row is removed (empty answer); from a detail page (htmx or a plain post) back to the list. */
export function afterDelete(req: AdminRequest, res: Response, listPath: string): void {
  if (fromRow(req)) res.status(200).send('');
  else if (req.headers['hx-request'] === 'true') {
    res.setHeader('HX-Redirect', listPath);
    res.status(200).send('');
  } else redirect(res, listPath);
}

export interface FormPage {
  title: string;
  action: string;
  backHref: string;
  backLabel: string;
  submitLabel: string;
  version?: number;
}

/** Renders a create/edit form with its values and the errors next to their fields (422 when there are errors). */
export function renderForm(
  req: AdminRequest,
  res: Response,
  nav: NavKey,
  page: FormPage,
  specs: FieldSpec[],
  values: Record<string, unknown>,
  errors: FieldErrors = {},
  formError?: string,
): void {
  const failed = Object.keys(errors).length > 0 || !!formError;
  render(res, 'form', pageModel(req, nav, page.title, { ...page, form: formView(specs, values, errors, formError) }), failed ? 422 : 200);
}
