/** Sign-in and sign-out: SOAR credentials checked by the brand's SOAR (see auth.ts). */
import { signIn, SignInRefused } from '../ui-kit/auth.js';
import type { WebContext } from '../ui-kit/context.js';
import { checkCsrf, csrfField, CSRF_FIELD, LOGIN_CSRF_COOKIE, newCsrfToken, type CsrfVerdict } from '../ui-kit/csrf.js';
import { html } from '../ui-kit/html.js';
import { errorResponse, htmlResponse, redirect } from '../ui-kit/respond.js';
import type { HttpAnswer } from '../../http/answer.js';
import type { WebRequest, WebRoute } from '../ui-kit/route.js';
import { cookieHeader, sessionCookieHeader } from '../ui-kit/session.js';
import { throttleKeys } from '../ui-kit/throttle.js';
import { layout } from '../ui-kit/layout.js';

/** The address allowance is this many times the per-user one (several analysts behind one NAT). */
const ADDRESS_FACTOR = 4;
/** Sign-ins (each costs SOAR a login, a read and a logout) allowed per user in the throttle's window before they are slowed down. */
export const SIGNINS_PER_WINDOW = 30;

/** Where to go after signing in: only a path of this UI (never another site). */
export function safeNext(next: string | null): string {
  return next !== null && /^\/ui\/[A-Za-z0-9/_.?=&%-]*$/.test(next) && !next.startsWith('/ui/logout') && !next.includes('//') ? next : '/ui/shared';
}

/** The CSRF check of a posted form of this UI, against the token it must carry. */
function checkForm(req: WebRequest, form: URLSearchParams, expectedToken: string | undefined): CsrfVerdict {
  return checkCsrf({ origins: req.origins, headers: req.headers as { origin?: string; referer?: string }, formToken: form.get(CSRF_FIELD) ?? undefined, expectedToken });
}

const NOTICES: Readonly<Record<string, string>> = {
  expired: 'Your session expired. Please sign in again.',
  invalid: 'Your session was not valid. Please sign in again.',
  signed_out: 'You are signed out.',
};

function loginPage(ctx: WebContext, opts: { status: number; error?: string; notice?: string; email?: string; brand?: string; next: string }): HttpAnswer {
  const token = newCsrfToken();
  const brands = ctx.config.brands.map((b) => b.id);
  const body = html`<section class="login"><h1>Sign in</h1>
<p>Use your own SOAR account of your brand. The clearing node checks it with your brand's SOAR and keeps no password.</p>
${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}
${opts.error ? html`<p class="alert" role="alert">${opts.error}</p>` : ''}
<form method="post" action="/ui/login" class="stack">${csrfField(token)}<input type="hidden" name="next" value="${opts.next}">
<label for="brand">Brand</label><select id="brand" name="brand">${brands.map((b) => html`<option value="${b}"${b === opts.brand ? html` selected` : ''}>${b}</option>`)}</select>
<label for="email">SOAR email</label><input id="email" name="email" type="email" autocomplete="username" required value="${opts.email ?? ''}">
<label for="password">SOAR password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></section>`;
  return htmlResponse(opts.status, layout({ title: 'Sign in', session: null, body }), {
    'Set-Cookie': cookieHeader(LOGIN_CSRF_COOKIE, token),
  });
}

async function postLogin(ctx: WebContext, req: WebRequest): Promise<HttpAnswer> {
  const form = await req.form();
  const next = safeNext(form.get('next'));
  const email = (form.get('email') ?? '').trim();
  const password = form.get('password') ?? '';
  const brandId = form.get('brand') ?? '';
  const csrf = checkForm(req, form, req.cookies.get(LOGIN_CSRF_COOKIE));
  if (!csrf.ok) {
    ctx.log.warn(`web: sign-in refused: ${csrf.reason}`, { address: req.address });
    return errorResponse(req, 403, 'csrf', `Refused: ${csrf.reason}.`);
  }
  const brand = ctx.config.brands.find((b) => b.id === brandId);
  if (!brand || email === '' || password === '' || email.length > 320 || password.length > 1024) {
    return loginPage(ctx, { status: 400, error: 'Pick your brand and give your SOAR email and password.', email, brand: brandId, next });
  }
  const keys = throttleKeys(brand.id, email, req.address);
  const limits = { [keys.address]: ctx.web.login_throttle.max_failures * ADDRESS_FACTOR };
  const wait = Math.max(
    ctx.throttle.retryAfterMs([keys.user, keys.address], limits),
    ctx.signins.retryAfterMs([keys.user, keys.address], { [keys.user]: SIGNINS_PER_WINDOW, [keys.address]: SIGNINS_PER_WINDOW * ADDRESS_FACTOR }),
  );
  if (wait > 0) {
    ctx.log.warn('web: sign-in throttled', { brand: brand.id, email, address: req.address });
    const page = loginPage(ctx, { status: 429, error: `Too many sign-in attempts. Try again in ${Math.ceil(wait / 1000)} seconds.`, email, brand: brand.id, next });
    return { ...page, headers: { ...page.headers, 'Retry-After': String(Math.ceil(wait / 1000)) } };
  }
  ctx.signins.fail([keys.user, keys.address]);
  try {
    const user = await signIn(brand, ctx.web, email, password, req.signal);
    ctx.throttle.succeed(keys.user);
    const { cookie } = ctx.sessions.create(user);
    ctx.log.info('web: signed in', { brand: brand.id, email: user.email });
    return redirect(next, { 'Set-Cookie': [sessionCookieHeader(cookie), cookieHeader(LOGIN_CSRF_COOKIE, '', 0)] });
  } catch (err) {
    if (!(err instanceof SignInRefused)) throw err;
    if (err.kind !== 'unavailable') ctx.throttle.fail([keys.user, keys.address]);
    ctx.log.info(`web: sign-in refused (${err.kind})`, { brand: brand.id, email, address: req.address, ...(err.kind === 'not_allowed' ? { role_ids: [...err.roles] } : {}) });
    const status = err.kind === 'unavailable' ? 503 : err.kind === 'not_allowed' ? 403 : 401;
    return loginPage(ctx, { status, error: err.message, email, brand: brand.id, next });
  }
}

export function loginRoutes(ctx: WebContext): WebRoute[] {
  return [
    {
      method: 'GET',
      path: '/ui/login',
      public: true,
      handler: async (req) => {
        if (req.session) return redirect('/ui/shared');
        const notice = NOTICES[req.query.get('notice') ?? ''];
        return loginPage(ctx, { status: 200, next: safeNext(req.query.get('next')), ...(notice ? { notice } : {}) });
      },
    },
    { method: 'POST', path: '/ui/login', public: true, handler: (req) => postLogin(ctx, req) },
    {
      method: 'POST',
      path: '/ui/logout',
      handler: async (req) => {
        const session = req.session!;
        const form = await req.form();
        const csrf = checkForm(req, form, session.csrfToken);
        if (!csrf.ok) return errorResponse(req, 403, 'csrf', `Refused: ${csrf.reason}.`);
        ctx.sessions.destroy(session.id);
        ctx.log.info('web: signed out', { brand: session.user.brand, email: session.user.email });
        return redirect('/ui/login?notice=signed_out', { 'Set-Cookie': sessionCookieHeader('', 0) });
      },
    },
  ];
}
