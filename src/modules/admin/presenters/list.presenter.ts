import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { CatalogItem, OffsetListOptions, OffsetPage } from '../../../common/catalog/catalog.model';
import { normalizeTags } from '../../../common/catalog/tags';

export const PAGE_SIZE = 25;

/** Query string of every admin listing: search, tag filter, sort and page. */
export class AdminListQuery {
  @IsOptional() @IsString() @MaxLength(255) search?: string;
  @IsOptional() @IsString() @MaxLength(64) tag?: string;
  @IsOptional() @IsString() @MaxLength(32) sort?: string;
  @IsOptional() @IsIn(['asc', 'desc', '']) order?: 'asc' | 'desc' | '';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100000) page?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) size?: number;
  @IsOptional() @Transform(({ value }) => value) @IsString() @MaxLength(64) gateway?: string;
}

export interface Column {
  label: string;
  /** Entity property this column sorts by, when sortable. */
  sort?: string;
}

export interface Cell {
  text: string;
  href?: string;
  badge?: string;
  mono?: boolean;
}

export interface Row {
  id: string;
  label: string;
  enabled: boolean;
  cells: Cell[];
  editHref?: string;
}

/** How one kind of entity is listed. */
export interface ListSpec<T> {
  title: string;
  basePath: string;
  columns: Column[];
  defaultSort: string;
  row(item: T): Row;
  createLabel?: string;
  searchPlaceholder?: string;
  intro?: string;
  /** More buttons next to the create button (e.g. "Import OpenAPI"). */
  actions?: Array<{ href: string; label: string }>;
}

/** A peer as the source filter offers it. */
export interface PeerChoice {
  id: string;
  name: string;
}

/** The service-level options for a listing query (all items, enabled or not, filtered and paged in SQL). */
export function listOptions(q: AdminListQuery, spec: ListSpec<unknown>): OffsetListOptions {
  const size = q.size ?? PAGE_SIZE;
  const tags = q.tag ? (normalizeTags(q.tag) as string[]) : undefined;
  return {
    includeInactive: true,
    search: q.search?.trim() || undefined,
    tags: tags?.length ? tags : undefined,
    sort: q.sort || spec.defaultSort,
    order: q.order === 'desc' ? 'desc' : 'asc',
    offset: ((q.page ?? 1) - 1) * size,
    limit: size,
    ...(q.gateway ? { gatewayId: q.gateway === 'local' ? null : q.gateway } : {}),
  };
}

function href(basePath: string, params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${basePath}?${s}` : basePath;
}

/**
 * The view-model of a listing page (or of its `#list` fragment). `peers`, given for federated kinds only, turns on
 * the filter by source: local items or those of one peer.
 */
export function listView<T extends CatalogItem>(spec: ListSpec<T>, q: AdminListQuery, page: OffsetPage<T>, allTags: string[], peers?: PeerChoice[]) {
  const size = q.size ?? PAGE_SIZE;
  const current = q.page ?? 1;
  const pages = Math.max(1, Math.ceil(page.total / size));
  const sort = q.sort || spec.defaultSort;
  const order = q.order === 'desc' ? 'desc' : 'asc';
  const base = { search: q.search, tag: q.tag, gateway: q.gateway, size: q.size };
  const from = page.total === 0 ? 0 : (current - 1) * size + 1;
  return {
    title: spec.title,
    basePath: spec.basePath,
    createHref: spec.createLabel ? `${spec.basePath}/new` : undefined,
    createLabel: spec.createLabel,
    searchPlaceholder: spec.searchPlaceholder ?? 'Name contains…',
    intro: spec.intro,
    actions: spec.actions ?? [],
    query: { search: q.search ?? '', sort: q.sort ?? '', order: q.order ?? '' },
    tags: allTags.map((t) => ({ value: t, selected: t === q.tag })),
    sources: peers
      ? [{ value: 'local', label: 'This gateway (local)' }, ...peers.map((p) => ({ value: p.id, label: `Peer ${p.name}` }))].map((o) => ({ ...o, selected: o.value === q.gateway }))
      : undefined,
    columns: spec.columns.map((c) => {
      if (!c.sort) return { label: c.label };
      const active = c.sort === sort;
      const next = active && order === 'asc' ? 'desc' : 'asc';
      return {
        label: c.label,
        sortHref: href(spec.basePath, { ...base, sort: c.sort, order: next }),
        ariaSort: active ? (order === 'asc' ? 'ascending' : 'descending') : undefined,
        arrow: active ? (order === 'asc' ? '▲' : '▼') : undefined,
      };
    }),
    rows: page.items.map((i) => spec.row(i)),
    pagination: {
      total: page.total,
      page: Math.min(current, pages),
      pages,
      from,
      to: from === 0 ? 0 : from + page.items.length - 1,
      firstHref: current > 1 ? href(spec.basePath, { ...base, sort: q.sort, order: q.order, page: 1 }) : undefined,
      prevHref: current > 1 ? href(spec.basePath, { ...base, sort: q.sort, order: q.order, page: Math.min(current - 1, pages) }) : undefined,
      nextHref: current < pages ? href(spec.basePath, { ...base, sort: q.sort, order: q.order, page: current + 1 }) : undefined,
      lastHref: current < pages ? href(spec.basePath, { ...base, sort: q.sort, order: q.order, page: pages }) : undefined,
    },
  };
}

export const statusBadge = (ok: boolean, yes: string, no: string): Cell => ({ text: ok ? yes : no, badge: ok ? 'badge-green' : 'badge-red' });
export const tagsCell = (tags: string[]): Cell => ({ text: tags.join(', ') });
