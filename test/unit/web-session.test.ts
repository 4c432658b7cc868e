import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCsrf, csrfField, tokensMatch } from '../../src/web/ui-kit/csrf.js';
import { isAllowed } from '../../src/web/ui-kit/auth.js';
import { parseCookies, sessionCookieHeader, SessionStore, type WebUser } from '../../src/web/ui-kit/session.js';
import { FIRST_DELAY_MS, LoginThrottle, throttleKeys } from '../../src/web/ui-kit/throttle.js';

const USER: WebUser = { email: 'ana@example.com', displayName: 'Ana', brand: 'soar3', groups: ['clearing_analysts'], roles: [] };

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('session cookies', () => {
  test('a signed cookie finds its session', () => {
    const store = new SessionStore({ secret: 'k'.repeat(32), idleTimeoutMs: 60_000 });
    const { session, cookie } = store.create(USER);
    const found = store.lookup(cookie);
    assert.ok(found.ok);
    assert.equal(found.session.id, session.id);
    assert.deepEqual(found.session.user, USER);
    assert.match(cookie, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  test('a tampered cookie, or one signed with another secret, is invalid (not merely expired)', () => {
    const store = new SessionStore({ secret: 'k'.repeat(32), idleTimeoutMs: 60_000 });
    const other = new SessionStore({ secret: 'x'.repeat(32), idleTimeoutMs: 60_000 });
    const { cookie } = store.create(USER);
    const [id, mac] = cookie.split('.') as [string, string];
    const flipped = `${id}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [flipped, `${id}x.${mac}`, id, `.${mac}`, other.sign(id), 'garbage']) {
      assert.deepEqual(store.lookup(bad), { ok: false, reason: 'invalid' }, bad);
    }
    assert.deepEqual(store.lookup(undefined), { ok: false, reason: 'none' });
    // A well-signed id that names no session (e.g. after a restart with a fixed secret): expired.
    assert.deepEqual(store.lookup(store.sign('no-such-session')), { ok: false, reason: 'expired' });
  });

  test('idle timeout: use keeps a session alive, idleness ends it; destroy signs out', () => {
    const c = clock();
    const store = new SessionStore({ secret: 'k'.repeat(32), idleTimeoutMs: 60_000, now: c.now });
    const { cookie } = store.create(USER);
    c.advance(50_000);
    assert.ok(store.lookup(cookie).ok);
    c.advance(50_000);
    assert.ok(store.lookup(cookie).ok, 'touched 50 s ago');
    c.advance(60_001);
    assert.deepEqual(store.lookup(cookie), { ok: false, reason: 'expired' });
    assert.equal(store.size, 0);
    const again = store.create(USER);
    store.destroy(again.session.id);
    assert.deepEqual(store.lookup(again.cookie), { ok: false, reason: 'expired' });
  });

  test('the session store is bounded: many users, the least recently used go first', () => {
    const store = new SessionStore({ secret: 'k'.repeat(32), idleTimeoutMs: 60_000, maxSessions: 3 });
    const first = store.create(USER);
    for (let i = 0; i < 3; i++) store.create({ ...USER, email: `user${i}@example.com` });
    assert.equal(store.size, 3);
    assert.equal(store.lookup(first.cookie).ok, false);
  });

  test("10,000 sign-ins by one user leave another user's session alive; the user's own oldest go first", () => {
    const store = new SessionStore({ secret: 'k'.repeat(32), idleTimeoutMs: 60_000 });
    const other = store.create({ ...USER, email: 'bob@example.com' });
    const mine = Array.from({ length: 10_000 }, () => store.create(USER));
    assert.ok(store.lookup(other.cookie).ok, "the other user's session is still there");
    assert.equal(store.size, 11, 'ten of the busy user, one of the other');
    assert.ok(mine.slice(-10).every((s) => store.lookup(s.cookie).ok), 'the newest ten live');
    assert.equal(store.lookup(mine[9_989]!.cookie).ok, false, 'older ones were evicted');
    // The same email in another brand is another user.
    const elsewhere = store.create({ ...USER, brand: 'soar2' });
    assert.ok(store.lookup(elsewhere.cookie).ok);
    assert.equal(store.size, 12);
  });

  test('a session ends at its absolute lifetime, even when used all the time', () => {
    const c = clock();
    const store = new SessionStore({ secret: 'k'.repeat(32), idleTimeoutMs: 30 * 60_000, maxLifetimeMs: 12 * 3_600_000, now: c.now });
    const { cookie } = store.create(USER);
    for (let minutes = 0; minutes < 12 * 60; minutes += 20) {
      assert.ok(store.lookup(cookie).ok, `used after ${minutes} min`);
      c.advance(20 * 60_000);
    }
    c.advance(1);
    assert.deepEqual(store.lookup(cookie), { ok: false, reason: 'expired' });
    assert.equal(store.size, 0);
  });

  test('cookie header attributes and parsing', () => {
    assert.equal(sessionCookieHeader('v'), '__Host-sc_session=v; Path=/; Secure; HttpOnly; SameSite=Strict');
    assert.match(sessionCookieHeader('', 0), /Max-Age=0$/);
    const jar = parseCookies('a=1; __Host-sc_session=abc.def; a=2; junk');
    assert.equal(jar.get('a'), '1');
    assert.equal(jar.get('__Host-sc_session'), 'abc.def');
  });
});

describe('CSRF', () => {
  const self = 'https://127.0.0.1:8444';
  test('same origin and the right token pass', () => {
    assert.deepEqual(checkCsrf({ origins: [self], headers: { origin: self }, formToken: 't1', expectedToken: 't1' }), { ok: true });
    assert.deepEqual(checkCsrf({ origins: [self], headers: { referer: `${self}/ui/shared` }, formToken: 't1', expectedToken: 't1' }), { ok: true });
  });
  test('another origin, no origin, a wrong or missing token are refused', () => {
    const cases = [
      { headers: { origin: 'https://evil.example' }, formToken: 't1' },
      { headers: { origin: 'null' }, formToken: 't1' },
      { headers: {}, formToken: 't1' },
      { headers: { origin: self }, formToken: 't2' },
      { headers: { origin: self }, formToken: undefined },
    ];
    for (const c of cases) assert.equal(checkCsrf({ origins: [self], expectedToken: 't1', ...c }).ok, false, JSON.stringify(c));
    assert.equal(tokensMatch('a', undefined), false);
    assert.equal(tokensMatch('', ''), false);
  });
  test('the hidden field escapes its token', () => {
    assert.equal(csrfField('a"b').value, '<input type="hidden" name="_csrf" value="a&quot;b">');
  });
});

describe('login throttle', () => {
  test('beyond the allowance each failure doubles the wait (5 s, 10 s, 20 s ...), never more than the window', () => {
    const c = clock();
    const t = new LoginThrottle({ maxFailures: 3, windowMs: 300_000, now: c.now });
    const keys = throttleKeys('soar3', ' Ana@Example.com ', '10.0.0.1');
    assert.equal(keys.user, 'user:soar3:ana@example.com');
    for (let i = 0; i < 2; i++) {
      t.fail([keys.user]);
      assert.equal(t.retryAfterMs([keys.user]), 0, 'within the allowance: no wait');
    }
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.fail([keys.user]);
      waits.push(t.retryAfterMs([keys.user]));
      c.advance(waits.at(-1)!);
      assert.equal(t.retryAfterMs([keys.user]), 0, 'the wait is over: the user may try again');
    }
    assert.deepEqual(waits, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000]);
    // Failures count while in the window: a burst of them waits the window at most.
    for (let i = 0; i < 20; i++) t.fail([keys.user]);
    assert.equal(t.retryAfterMs([keys.user]), 300_000);
  });

  test('a stranger failing 5 times for a known user delays that user by seconds, not a 300 s lock', () => {
    const c = clock();
    const t = new LoginThrottle({ maxFailures: 5, windowMs: 300_000, now: c.now });
    for (let i = 0; i < 5; i++) t.fail(['user:soar3:victim@example.com']);
    assert.equal(t.retryAfterMs(['user:soar3:victim@example.com']), FIRST_DELAY_MS);
    c.advance(FIRST_DELAY_MS);
    assert.equal(t.retryAfterMs(['user:soar3:victim@example.com']), 0);
  });

  test('a key may have a larger allowance; success clears the user key only', () => {
    const t = new LoginThrottle({ maxFailures: 2, windowMs: 60_000, now: () => 0 });
    t.fail(['user:a', 'addr:x']);
    t.fail(['user:a', 'addr:x']);
    assert.ok(t.retryAfterMs(['user:a']) > 0);
    assert.equal(t.retryAfterMs(['addr:x'], { 'addr:x': 8 }), 0);
    t.succeed('user:a');
    assert.equal(t.retryAfterMs(['user:a']), 0);
    assert.ok(t.retryAfterMs(['addr:x']) > 0);
  });
});

describe('who may enter', () => {
  test('a member of an allowed group or holder of an allowed role (roles are numeric ids, as SOAR gives them)', () => {
    const web = { allowed_groups: ['clearing_analysts'], allowed_roles: [1001] };
    assert.equal(isAllowed(web, { groups: ['clearing_analysts'], roles: [] }), true);
    assert.equal(isAllowed(web, { groups: [], roles: [1013, 1001] }), true);
    assert.equal(isAllowed(web, { groups: ['others'], roles: [1013] }), false);
    assert.equal(isAllowed({ ...web, allowed_groups: [] }, { groups: ['clearing_analysts'], roles: [] }), false);
  });
});
