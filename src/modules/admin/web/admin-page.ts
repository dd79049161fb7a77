import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../auth/public.decorator';
import { AdminExceptionFilter } from './admin-exception.filter';
import { AdminGuard, type AdminRequest } from './admin.guard';

export const NAV = [
  { key: 'overview', href: '/admin', label: 'Overview' },
  { key: 'servers', href: '/admin/servers', label: 'Virtual servers' },
  { key: 'tools', href: '/admin/tools', label: 'Tools' },
  { key: 'resources', href: '/admin/resources', label: 'Resources' },
  { key: 'prompts', href: '/admin/prompts', label: 'Prompts' },
  { key: 'gateways', href: '/admin/gateways', label: 'Peers' },
  { key: 'tags', href: '/admin/tags', label: 'Tags' },
  { key: 'tokens', href: '/admin/tokens', label: 'API tokens' },
  { key: 'metrics', href: '/admin/metrics', label: 'Metrics' },
  { key: 'audit', href: '/admin/audit', label: 'Audit log' },
  { key: 'version', href: '/admin/version', label: 'Version' },
] as const;

export type NavKey = (typeof NAV)[number]['key'];

/**
 * An admin UI controller: outside the API's JSON authentication (the global guard lets it through), guarded by the
 * admin session and CSRF checks instead, with errors rendered as HTML.
 */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(Controller(path), Public(), UseGuards(AdminGuard), UseFilters(AdminExceptionFilter));
}

/** Everything the layout needs (navigation, user, CSRF token) plus the page's own model. */
export function pageModel(req: AdminRequest, active: NavKey | null, title: string, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...data,
    title,
    user: req.adminUser?.subject ?? 'anonymous',
    csrf: req.csrfToken,
    nav: NAV.map((n) => ({ ...n, active: n.key === active })),
  };
}

/** Whether this is an HTMX request for just the element `target` (not a history restore, which needs the page). */
export function wantsFragment(req: AdminRequest, target: string): boolean {
  return req.headers['hx-request'] === 'true' && req.headers['hx-target'] === target && !req.headers['hx-history-restore-request'];
}

export function render(res: Response, view: string, model: Record<string, unknown>, status = 200): void {
  res.status(status).render(view, model);
}

export function fragment(res: Response, view: string, model: Record<string, unknown>, status = 200): void {
  res.status(status).render(view, { ...model, layout: false });
}

/** After a successful form post: a 303 to the next page (HTMX follows it too). */
export function redirect(res: Response, to: string): void {
  res.redirect(303, to);
}
