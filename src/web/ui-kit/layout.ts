/** The page frame (header, navigation, sign-out form) and the error page. */
import { csrfField } from './csrf.js';
import { html, type Interpolation, type SafeHtml } from './html.js';
import type { Session } from './session.js';

export type Section = 'shared' | 'sent' | 'network' | null;

const NAV: ReadonlyArray<{ section: Exclude<Section, null>; href: string; label: string }> = [
  { section: 'shared', href: '/ui/shared', label: 'Shared with my brand' },
  { section: 'sent', href: '/ui/sent', label: 'Sent by my brand' },
  { section: 'network', href: '/ui/network', label: 'Network' },
];

export interface LayoutOptions {
  readonly title: string;
  readonly session: Session | null;
  readonly section?: Section;
  readonly body: Interpolation;
}

export function layout({ title, session, section = null, body }: LayoutOptions): SafeHtml {
  const nav = session
    ? html`<nav aria-label="Main"><ul>${NAV.map((n) => html`<li><a href="${n.href}"${n.section === section ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}</ul></nav>
      <div class="user"><span>${session.user.displayName} · brand <strong>${session.user.brand}</strong></span>
        <form method="post" action="/ui/logout">${csrfField(session.csrfToken)}<button type="submit">Sign out</button></form></div>`
    : '';
  return html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · soar-clearing</title><link rel="icon" href="/ui/static/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/ui/static/style.css"></head>
<body><header class="top"><a class="brand" href="/ui/shared">soar-clearing</a>${nav}</header>
<main id="main">${body}</main>
<footer><p>soar-clearing web UI · incidents are read live from their owners, whitelist-filtered</p></footer></body></html>`;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Too large',
  429: 'Too many attempts',
  500: 'Something went wrong',
  502: 'A source failed',
  503: 'Unavailable',
  504: 'No answer in time',
};

export function errorPage(session: Session | null, status: number, message: string): SafeHtml {
  const title = TITLES[status] ?? 'Error';
  return layout({
    title,
    session,
    body: html`<section class="error" role="alert"><h1>${title}</h1><p>${message}</p>
      <p><a href="${session ? '/ui/shared' : '/ui/login'}">${session ? 'Back to the shared incidents' : 'Sign in'}</a></p></section>`,
  });
}
