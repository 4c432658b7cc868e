/**
 * Every route of the web UI. Each page answers HTML, or its JSON twin when the client asks for
 * JSON (`Accept: application/json`) or uses the same path under `/ui/api/` (`/ui/api/shared`);
 * same session, same authorization.
 */
import type { WebContext } from './ui-kit/context.js';
import { redirect } from './ui-kit/respond.js';
import type { WebRoute } from './ui-kit/route.js';
import { loginRoutes } from './pages/login.js';
import { networkPage } from './pages/network.js';
import { sentPage } from './pages/sent.js';
import { attachmentDownload, sharedDetailPage } from './pages/shared-detail.js';
import { sharedListPage } from './pages/shared-list.js';
import { FAVICON_SVG, STYLE_CSS } from './style.js';

const favicon = { status: 200, contentType: 'image/svg+xml', body: FAVICON_SVG, headers: { 'Cache-Control': 'public, max-age=86400' } } as const;

export function webRoutes(ctx: WebContext): WebRoute[] {
  return [
    { method: 'GET', path: '/ui', public: true, handler: async () => redirect('/ui/shared') },
    {
      method: 'GET',
      path: '/ui/static/style.css',
      public: true,
      handler: async () => ({ status: 200, contentType: 'text/css; charset=utf-8', body: STYLE_CSS, headers: { 'Cache-Control': 'public, max-age=3600' } }),
    },
    { method: 'GET', path: '/ui/static/favicon.svg', public: true, handler: async () => favicon },
    // Browsers ask for it on their own (e.g. for a JSON answer, which names no icon).
    { method: 'GET', path: '/favicon.ico', public: true, handler: async () => favicon },
    ...loginRoutes(ctx),
    { method: 'GET', path: '/ui/shared', handler: (req) => sharedListPage(ctx, req) },
    { method: 'GET', path: '/ui/shared/:owner/:id', handler: (req) => sharedDetailPage(ctx, req) },
    { method: 'GET', path: '/ui/shared/:owner/:id/attachments/:aid', handler: (req) => attachmentDownload(ctx, req) },
    { method: 'GET', path: '/ui/sent', handler: (req) => sentPage(ctx, req) },
    { method: 'GET', path: '/ui/network', handler: (req) => networkPage(ctx, req) },
  ];
}
