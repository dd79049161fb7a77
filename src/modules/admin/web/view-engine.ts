import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type NextFunction, type Request, type Response, urlencoded } from 'express';
import { AdminHeadersMiddleware } from './admin-headers.middleware';

/** The project directory holding `views/` and `public/` (the source tree or the image's /app). */
export function uiRoot(start = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'views', 'layouts'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`admin UI views not found above ${start}`);
    dir = parent;
  }
}

type Render = (path: string, options: Record<string, unknown>, callback: (err: Error | null, html?: string) => void) => void;

/**
 * The `hbs` view engine of the admin UI: Handlebars pages in views/pages, layouts in views/layouts (default
 * `layouts/main`; `layout: false` renders a fragment for HTMX), partials in views/partials registered by file name.
 * Templates are compiled once and cached (re-read on every render when `cache` is false, for development).
 */
export function createViewEngine(viewsDir: string, cache: boolean): { render: Render; handlebars: typeof Handlebars } {
  const hb = Handlebars.create();
  registerHelpers(hb);
  const compiled = new Map<string, Handlebars.TemplateDelegate>();

  const loadPartials = () => {
    const dir = join(viewsDir, 'partials');
    const walk = (d: string): void => {
      for (const entry of readdirSync(d)) {
        const full = join(d, entry);
        if (statSync(full).isDirectory()) walk(full);
        else if (entry.endsWith('.hbs')) hb.registerPartial(relative(dir, full).replace(/\\/g, '/').replace(/\.hbs$/, ''), readFileSync(full, 'utf8'));
      }
    };
    if (existsSync(dir)) walk(dir);
  };
  loadPartials();

  const template = (file: string): Handlebars.TemplateDelegate => {
    let t = cache ? compiled.get(file) : undefined;
    if (!t) {
      t = hb.compile(readFileSync(file, 'utf8'), { strict: false });
      if (cache) compiled.set(file, t);
    }
    return t;
  };

  const render: Render = (path, options, callback) => {
    try {
      if (!cache) loadPartials();
      const { settings: _settings, _locals, cache: _cache, ...data } = options as Record<string, unknown>;
      const body = template(path)(data);
      const layout = data.layout === undefined ? 'layouts/main' : data.layout;
      if (!layout) return callback(null, body);
      callback(null, template(join(viewsDir, `${String(layout)}.hbs`))({ ...data, body }));
    } catch (err) {
      callback(err as Error);
    }
  };
  return { render, handlebars: hb };
}

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
  hb.registerHelper('date', (value: unknown) => {
    if (!value) return '';
    const d = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().replace('T', ' ').slice(0, 19);
  });
  hb.registerHelper('join', (value: unknown, sep: unknown) => (Array.isArray(value) ? value.join(typeof sep === 'string' ? sep : ', ') : ''));
}

/** Registers the engine and serves the built assets (public/build, from scripts/build-assets.mjs) under /admin/static. */
export function configureAdminViews(app: NestExpressApplication, production: boolean, maxBodyBytes: number): void {
  const root = uiRoot();
  const headers = new AdminHeadersMiddleware();
  // Admin forms post application/x-www-form-urlencoded (the API itself takes JSON only).
  app.use('/admin', (req: Request, res: Response, next: NextFunction) => headers.use(req, res, next));
  app.use('/admin', urlencoded({ extended: false, limit: maxBodyBytes, parameterLimit: 2000 }));
  // A post without a body (or with another content type) is an empty form, not a crash.
  app.use('/admin', (req: Request, _res: Response, next: NextFunction) => {
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) req.body = {};
    next();
  });
  const views = join(root, 'views');
  const engine = createViewEngine(views, production);
  app.engine('hbs', engine.render);
  app.setBaseViewsDir(join(views, 'pages'));
  app.setViewEngine('hbs');
  app.useStaticAssets(join(root, 'public', 'build'), {
    prefix: '/admin/static/',
    index: false,
    maxAge: production ? '1h' : 0,
    setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
  });
}
