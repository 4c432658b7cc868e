/**
 * The UI's one stylesheet, served as /ui/static/style.css (a file of its own, so the CSP needs
 * no inline styles). Kept as a module so it ships in dist/ with the code. Responsive: tables
 * turn into labelled cards in a narrow window.
 */
export const STYLE_CSS = `
:root { --fg: #1d2430; --muted: #5b6577; --bg: #f6f7f9; --card: #fff; --line: #d7dbe2; --accent: #0b5cad; --ok: #176c2f; --down: #a4161a; --warn-bg: #fff4e5; --warn-line: #e8a33d; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 16px; color: var(--fg); background: var(--bg); }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #7fb2e5; outline-offset: 1px; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1.2rem; background: #14263d; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; letter-spacing: .02em; }
header.top nav ul { display: flex; flex-wrap: wrap; gap: .2rem 1rem; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: .3em; }
header.top .user { margin-left: auto; display: flex; align-items: center; gap: .6rem; font-size: .9rem; }
header.top .user form { margin: 0; }
main { flex: 1; width: 100%; max-width: 80rem; margin: 0 auto; padding: 1rem 1.2rem 2rem; }
footer { color: var(--muted); font-size: .8rem; text-align: center; padding: .8rem; }
h1 { font-size: 1.5rem; margin: .4rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .6rem; }
.muted { color: var(--muted); font-weight: normal; }
button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
header.top button { background: transparent; border-color: #fff; }
input, select { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; max-width: 100%; }
label { font-weight: 600; font-size: .9rem; }
.login { max-width: 26rem; margin: 2rem auto; background: var(--card); padding: 1.2rem 1.5rem; border: 1px solid var(--line); border-radius: 6px; }
.stack { display: flex; flex-direction: column; gap: .35rem; }
.stack button { margin-top: .8rem; align-self: flex-start; }
.alert { background: #fdecea; border: 1px solid #e3a29f; color: #5c1010; padding: .6rem .9rem; border-radius: 4px; }
.notice { background: #e8f1fb; border: 1px solid #a9c7ea; padding: .6rem .9rem; border-radius: 4px; }
.alert ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.banner { background: var(--warn-bg); border: 1px solid var(--warn-line); border-left: 6px solid var(--warn-line); padding: .6rem 1rem; border-radius: 4px; }
.banner p { margin: .25rem 0; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: flex-end; background: var(--card); border: 1px solid var(--line); padding: .7rem 1rem; border-radius: 6px; }
.filters > div { display: flex; flex-direction: column; gap: .2rem; }
.sources { font-size: .85rem; color: var(--muted); }
.ok { color: var(--ok); font-weight: 600; }
.down { color: var(--down); font-weight: 600; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; background: #e3ebf6; font-size: .85rem; font-weight: 600; }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
caption { text-align: left; font-weight: 600; padding: .4rem 0; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
th { background: #eef1f5; font-size: .9rem; white-space: nowrap; }
td.date { white-space: nowrap; }
td.long { overflow-wrap: anywhere; min-width: 12rem; }
details.clip summary { cursor: pointer; }
details.clip .more { color: var(--accent); font-size: .85rem; white-space: nowrap; }
details.clip[open] summary { margin-bottom: .3rem; }
details.clip .full { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30rem; overflow-y: auto; border-left: 3px solid var(--line); padding-left: .6rem; }
.fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: .5rem 1rem; background: var(--card); border: 1px solid var(--line); padding: .8rem 1rem; border-radius: 6px; margin: 0; }
.fields dt { font-size: .8rem; color: var(--muted); font-weight: 600; }
.fields dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.fields > div:has(details.clip) { grid-column: 1 / -1; }
.notes { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: .5rem; }
.notes li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .9rem; }
.notes .meta { color: var(--muted); font-size: .8rem; margin: 0; }
.notes .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0 0; }
.notes .text details.clip .full { white-space: pre-wrap; }
.pager { display: flex; gap: 1rem; align-items: center; margin-top: 1rem; }
.empty { color: var(--muted); font-style: italic; }
.error { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.5rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 640px) {
  header.top .user { margin-left: 0; width: 100%; justify-content: space-between; }
  main { padding: .6rem; }
  table, thead, tbody, tr, th, td { display: block; }
  table { border: none; background: none; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  tr { background: var(--card); border: 1px solid var(--line); border-radius: 6px; margin-bottom: .6rem; padding: .3rem 0; }
  td { border: none; padding: .2rem .8rem; }
  td.long { min-width: 0; }
  caption { display: block; width: 100%; }
  td[data-label]::before { content: attr(data-label); display: block; font-size: .75rem; color: var(--muted); font-weight: 600; }
  .filters > div { width: 100%; }
}
`;

/** The UI's icon (served as /ui/static/favicon.svg and /favicon.ico): a shield, in the header's colours. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2 4 7v8c0 7.5 5.1 13.3 12 15 6.9-1.7 12-7.5 12-15V7z" fill="#14263d"/><path d="m10 16 4 4 8-9" fill="none" stroke="#7fb2e5" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>
`;
