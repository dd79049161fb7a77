/** The configured bounds of every listing (PAGINATION_DEFAULT_PAGE_SIZE, PAGINATION_MAX_PAGE_SIZE). */
export interface PageBounds {
  defaultPageSize: number;
  maxPageSize: number;
}

/**
 * The page size of a listing: the default when no `limit` is given, never more than the maximum. `limit=0` means
 * "all" in the reference gateway; here it means as many as the maximum allows.
 */
export function pageSize(limit: number | undefined, { defaultPageSize, maxPageSize }: PageBounds): number {
  if (limit === undefined) return Math.min(defaultPageSize, maxPageSize);
  return limit === 0 ? maxPageSize : Math.min(limit, maxPageSize);
}
