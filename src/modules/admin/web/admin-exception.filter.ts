import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { setRetryAfter, toErrorBody } from '../../../common/filters/http-exception.filter';
import { AdminLoginRequired } from './admin.guard';

/**
 * Errors on admin pages become HTML: no session → redirect to the login page (HX-Redirect for HTMX requests);
 * anything else → an error page with the status and message, or for an HTMX request an error fragment retargeted
 * to the page's flash area (`#flash`).
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminUI');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    if (res.headersSent) {
      res.end();
      return;
    }
    if (exception instanceof AdminLoginRequired) {
      const next = req.method === 'GET' && !req.headers['hx-request'] ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      if (req.headers['hx-request']) {
        res.setHeader('HX-Redirect', '/admin/login');
        res.status(401).send('');
      } else res.redirect(303, `/admin/login${next}`);
      return;
    }
    const { status, body, unexpected } = toErrorBody(exception);
    if (unexpected) this.logger.error(`errorId=${body.errorId} ${req.method} ${req.originalUrl}: ${(exception as Error)?.stack ?? exception}`);
    const fragment = !!req.headers['hx-request'];
    setRetryAfter(res, exception);
    if (fragment) {
      // Whatever element the request targeted (a table row, a result area...), the error goes to the page's flash
      // area: swapped into a row it would break the table's markup.
      res.setHeader('HX-Retarget', '#flash');
      res.setHeader('HX-Reswap', 'innerHTML show:top');
    }
    res.status(status).render('error', { layout: fragment ? false : 'layouts/main', title: `Error ${status}`, status, message: body.message, fragment });
  }
}
