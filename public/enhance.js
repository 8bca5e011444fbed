// The browser side of the starter's server-rendered pages, loaded by every page
// (`app/src/app.rs`, `<PageScripts>`). Every page works without it: links, and forms that post
// to the server. With it, the site behaves like an app while shipping no app code to pages that
// do not need any:
//
// 1. Navigation. Same-origin links and form submissions are fetched in the background and the
//    new page is morphed into the current one: no full page load, and what was typed, the
//    focus and the state of the islands survive. Links and forms marked `data-native` (and
//    those with a `target`, a `download`, another origin) are left to the browser.
// 2. Session. The page's session, which the server wrote into `<script id="auth-session">`,
//    stays live the way next-auth's `SessionProvider` keeps it: a sign-in, sign-out or update
//    in this tab is announced to the other tabs of the origin (the `next-auth`
//    BroadcastChannel, next-auth's message shape), and the page is refreshed from the server
//    when another tab announces one, when it becomes visible again (or on an interval) and the
//    session changed meanwhile.
// 3. Islands. The wasm is fetched only by pages that have `<leptos-island>`s (when loaded or
//    after a navigation), and each island is hydrated once.
// 4. Passkeys. Pages with passkey controls load passkey.js (plain JavaScript, no wasm).
//
// The islands talk to this script with three DOM events on `document` (app/src/auth/client.rs):
//   leptos-auth:session   (this script -> islands) the session script changed: read it again
//   leptos-auth:changed   (islands -> this script) detail = "signin" | "signout" | "update":
//                         tell the other tabs and refresh the page
//   leptos-auth:navigate  (islands -> this script) detail = a URL: go there without a full
//                         page load; the listener calls preventDefault() to claim it
// When the page is ready (this script running, and the islands hydrated if there are any),
// `<html>` gets `data-hydrated="true"`.

// Module scripts have no `document.currentScript`: the tag is found by its marker.
const script = document.querySelector('script[data-enhance]');
const JS_URL = script?.dataset.js;
const WASM_URL = script?.dataset.wasm;
const SESSION_ID = 'auth-session';
const CHANNEL = 'next-auth';

// --- the session -------------------------------------------------------------------------------

/** The `{session, csrfToken}` the server rendered into `doc`, or null. */
function pageAuth(doc) {
  const text = doc.getElementById(SESSION_ID)?.textContent;
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** What identifies a session for change detection: everything but its sliding `expires`. */
function identity(session) {
  if (!session) return '';
  const { expires: _ignored, ...rest } = session;
  return JSON.stringify(rest);
}

function currentIdentity() {
  return identity(pageAuth(document)?.session);
}

const channel = 'BroadcastChannel' in window ? new BroadcastChannel(CHANNEL) : null;

/** Tells the other tabs of this origin that the session changed (next-auth's shape). */
function announce(trigger) {
  channel?.postMessage({ event: 'session', data: { trigger } });
}

/** The trigger next-auth would name for a change from `before` to `after`. */
function triggerOf(before, after) {
  if (!before) return 'signin';
  if (!after) return 'signout';
  return 'update';
}

if (channel) {
  channel.onmessage = (event) => {
    if (event.data?.event === 'session') refresh();
  };
}

/** Asks the server for the session; refreshes the page if it is not the page's any more. */
async function checkSession() {
  const base = document.querySelector('meta[name="auth-base-path"]')?.content || '/api/auth';
  try {
    const response = await fetch(`${base}/session`, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) return;
    const session = await response.json();
    if (identity(session) !== currentIdentity()) await refresh();
  } catch {
    // Offline or the server is down: try again at the next occasion.
  }
}

function watchSession() {
  const config = document.getElementById(SESSION_ID)?.dataset ?? {};
  if (config.refetchOnFocus !== 'false') {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') checkSession();
    });
  }
  const seconds = Number(config.refetchInterval || 0);
  if (seconds > 0) {
    setInterval(() => {
      if (document.visibilityState === 'visible') checkSession();
    }, seconds * 1000);
  }
}

// --- islands -----------------------------------------------------------------------------------

let wasm = null;

/** Loads the wasm once, on the first page that has an island. */
function loadWasm() {
  if (!wasm) {
    wasm = import(JS_URL).then(async (mod) => {
      await mod.default({ module_or_path: WASM_URL });
      mod.hydrate();
      return mod;
    });
  }
  return wasm;
}

// Islands nested in another island's children are hydrated after it, with its children's
// hydration callback (what Leptos's own island script does).
const childrenCallbacks = [];

async function hydrateTree(node, mod) {
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  const tag = node.tagName;
  if (tag === 'LEPTOS-ISLAND' && !node.$$hydrated) {
    node.$$hydrated = true;
    const hydrate = mod[node.dataset.component];
    if (hydrate) {
      childrenCallbacks.at(-1)?.();
      await hydrate(node);
    } else {
      console.warn(`no wasm function for the island ${node.dataset.component}`);
    }
  }
  if (tag === 'LEPTOS-CHILDREN') childrenCallbacks.push(node.$$on_hydrate);
  for (const child of node.children) await hydrateTree(child, mod);
  if (tag === 'LEPTOS-CHILDREN') childrenCallbacks.pop();
}

/** Hydrates the islands of the page that are not hydrated yet (loading the wasm if needed). */
async function hydrateIslands() {
  const pending = [...document.querySelectorAll('leptos-island')].some((el) => !el.$$hydrated);
  if (!pending || !JS_URL) return;
  try {
    await hydrateTree(document.body, await loadWasm());
  } catch (error) {
    // The page keeps working as plain HTML.
    console.error('could not hydrate the islands', error);
  }
}

// --- morphing a new page into the current one --------------------------------------------------

function isIsland(node) {
  return node.nodeType === Node.ELEMENT_NODE && node.tagName === 'LEPTOS-ISLAND';
}

/** Whether `a` can be morphed into `b` (else `b` replaces it). */
function sameKind(a, b) {
  if (a.nodeType !== b.nodeType) return false;
  if (a.nodeType !== Node.ELEMENT_NODE) return true;
  if (a.tagName !== b.tagName || a.id !== b.id) return false;
  if (isIsland(a)) {
    return a.dataset.component === b.dataset.component && a.dataset.props === b.dataset.props;
  }
  return true;
}

/** The first of `node` and its next siblings that has `wanted`'s id or is its island. */
function findKeyed(node, wanted) {
  const keyed = wanted.nodeType === Node.ELEMENT_NODE && (wanted.id || isIsland(wanted));
  if (!keyed) return null;
  for (let n = node; n; n = n.nextSibling) {
    if (sameKind(n, wanted)) return n;
  }
  return null;
}

/** Gives `el` the attributes of `wanted`. (A typed value lives in the element's `value`
 * property, which a changed attribute does not touch once the user edited the field.) */
function syncAttributes(el, wanted) {
  for (const { name, value } of [...wanted.attributes]) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  for (const { name } of [...el.attributes]) {
    if (!wanted.hasAttribute(name)) el.removeAttribute(name);
  }
}

function morphElement(old, next) {
  // An island keeps its DOM and its state: they are the client's.
  if (isIsland(old)) return;
  syncAttributes(old, next);
  morphChildren(old, next);
}

function morphNode(old, next) {
  if (old.nodeType === Node.ELEMENT_NODE) morphElement(old, next);
  else if (old.nodeValue !== next.nodeValue) old.nodeValue = next.nodeValue;
}

/**
 * Makes `oldParent`'s children look like `newParent`'s, reusing the nodes that match: the same
 * kind of node at the same place, an element with the same id (or the same island) further on,
 * and, around one node inserted or removed (an error message that appears, a link that goes),
 * the nodes after it. So a form that comes back with a message keeps its fields, and what was
 * typed in them.
 */
function morphChildren(oldParent, newParent) {
  let old = oldParent.firstChild;
  let next = newParent.firstChild;
  while (next) {
    const following = next.nextSibling;
    if (old && sameKind(old, next)) {
      const after = old.nextSibling;
      morphNode(old, next);
      old = after;
    } else if (old && findKeyed(old, next)) {
      // Keyed further on: what comes before it is gone.
      const match = findKeyed(old, next);
      while (old !== match) {
        const drop = old;
        old = old.nextSibling;
        drop.remove();
      }
      old = match.nextSibling;
      morphNode(match, next);
    } else if (old && following && sameKind(old, following)) {
      // `next` is new here: insert it, keep `old` for what follows.
      oldParent.insertBefore(document.adoptNode(next), old);
    } else if (old && old.nextSibling && sameKind(old.nextSibling, next)) {
      // `old` is gone: drop it and try `next` again against its sibling.
      const drop = old;
      old = old.nextSibling;
      drop.remove();
      continue;
    } else {
      // Replaced.
      oldParent.insertBefore(document.adoptNode(next), old);
      if (old) {
        const drop = old;
        old = old.nextSibling;
        drop.remove();
      }
    }
    next = following;
  }
  while (old) {
    const drop = old;
    old = old.nextSibling;
    drop.remove();
  }
}

/** The head: the title, and the elements that are not scripts, kept when unchanged. */
function morphHead(doc) {
  document.title = doc.title;
  const keep = (el) => el.tagName !== 'SCRIPT' && el.tagName !== 'TITLE';
  const wanted = new Map();
  for (const el of doc.head.children) if (keep(el)) wanted.set(el.outerHTML, el);
  for (const el of [...document.head.children]) {
    if (!keep(el)) continue;
    if (wanted.has(el.outerHTML)) wanted.delete(el.outerHTML);
    else el.remove();
  }
  for (const el of wanted.values()) document.head.appendChild(document.adoptNode(el));
}

/** Puts the page `doc` in place of the current one. */
function swap(doc) {
  const before = pageAuth(document);
  morphHead(doc);
  syncAttributes(document.body, doc.body);
  morphChildren(document.body, doc.body);
  const after = pageAuth(document);
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    document.dispatchEvent(new CustomEvent('leptos-auth:session'));
  }
}

// --- navigation --------------------------------------------------------------------------------

let navigation = 0;
let controller = null;

function remember() {
  history.replaceState({ ...(history.state || {}), enhanced: true, scroll: window.scrollY }, '');
}

/**
 * Fetches `url` and shows the answer in place. `history` is "push", "replace" or "none".
 * `fallback` runs when the answer cannot be shown in place (another origin, not a page, a
 * network error); `announce` says whether a session change is this tab's doing.
 *
 * A form refused with `MissingCSRF` (its CSRF cookie expired or was cleared while it was open)
 * is sent once more with the fresh token of the page that says so, whose answer also set the
 * new cookie: the visitor does not have to submit twice.
 */
async function visit(url, options = {}) {
  const { method = 'GET', body = null, history: mode = 'push', fallback, announce: ours = true, scroll = null } = options;
  const number = ++navigation;
  controller?.abort();
  controller = new AbortController();
  const before = currentIdentity();
  let response;
  let html;
  document.documentElement.setAttribute('aria-busy', 'true');
  try {
    response = await fetch(url, {
      method,
      body,
      credentials: 'same-origin',
      headers: { Accept: 'text/html' },
      signal: controller.signal,
    });
    const type = response.headers.get('content-type') || '';
    const final = new URL(response.url);
    if (final.origin !== location.origin || !type.startsWith('text/html')) {
      return number === navigation && fallback(response.url);
    }
    if (response.status === 204 || response.status === 205) return;
    html = await response.text();
  } catch (error) {
    if (error?.name === 'AbortError') return;
    return number === navigation && fallback(null);
  } finally {
    if (number === navigation) document.documentElement.removeAttribute('aria-busy');
  }
  if (number !== navigation) return;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const token = pageAuth(doc)?.csrfToken;
  const refused = new URL(response.url).searchParams.get('error') === 'MissingCSRF';
  if (refused && options.retryCsrf && token && body?.has?.('csrfToken')) {
    body.set('csrfToken', token);
    return visit(url, { ...options, retryCsrf: false });
  }
  if (mode === 'push') {
    remember();
    history.pushState({ enhanced: true, scroll: 0 }, '', response.url);
  } else if (mode === 'replace' || response.redirected) {
    history.replaceState({ ...(history.state || {}), enhanced: true }, '', response.url);
  }
  here = location.pathname + location.search;
  swap(doc);
  if (scroll !== null) {
    window.scrollTo(0, scroll);
  } else if (mode === 'push') {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
    else window.scrollTo(0, 0);
  }
  const after = currentIdentity();
  if (ours && after !== before) announce(triggerOf(before, after));
  passkeys();
  await hydrateIslands();
}

/** Shows the current URL again from the server (another tab changed the session, say). */
function refresh() {
  return visit(location.href, {
    history: 'none',
    announce: false,
    scroll: window.scrollY,
    fallback: () => location.reload(),
  });
}

function sameOrigin(url) {
  return url.origin === location.origin;
}

/** The link of a plain left click that this script may follow, or null. */
function linkOf(event) {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const a = event.target.closest?.('a[href]');
  if (!a || a.closest('[data-native]') || a.hasAttribute('download')) return null;
  if ((a.target && a.target !== '_self') || /\bexternal\b/.test(a.rel)) return null;
  const url = new URL(a.href, document.baseURI);
  if (!sameOrigin(url) || !/^https?:$/.test(url.protocol)) return null;
  // A jump within the page is the browser's.
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return null;
  return url;
}

document.addEventListener('click', (event) => {
  const url = linkOf(event);
  if (!url) return;
  event.preventDefault();
  visit(url.href, { fallback: (to) => location.assign(to || url.href) });
});

// Forms this script handed back to the browser (their next submit is the browser's).
const handedBack = new WeakSet();

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (handedBack.has(form)) {
    handedBack.delete(form);
    return;
  }
  if (event.defaultPrevented || form.closest('[data-native]')) return;
  const submitter = event.submitter;
  const method = (submitter?.getAttribute('formmethod') || form.method || 'get').toUpperCase();
  const target = submitter?.getAttribute('formtarget') || form.target;
  const enctype = submitter?.getAttribute('formenctype') || form.enctype;
  if ((target && target !== '_self') || (method !== 'GET' && method !== 'POST')) return;
  // A button's `formAction` is the page's URL when it has no `formaction` attribute.
  const action = new URL(
    submitter?.hasAttribute('formaction') ? submitter.formAction : form.action,
    document.baseURI,
  );
  if (!sameOrigin(action)) return;
  event.preventDefault();

  const data = new FormData(form, submitter);
  const buttons = [...form.querySelectorAll('button, input[type="submit"]')].filter((b) => !b.disabled);
  const handBack = () => {
    for (const button of buttons) button.disabled = false;
    handedBack.add(form);
    form.requestSubmit(submitter);
  };
  for (const button of buttons) button.disabled = true;
  if (method === 'GET') {
    action.search = new URLSearchParams(data).toString();
    visit(action.href, { fallback: (to) => location.assign(to || action.href) });
  } else {
    const body = enctype === 'multipart/form-data' ? data : new URLSearchParams(data);
    visit(action.href, { method, body, fallback: handBack, retryCsrf: true });
  }
});

let here = location.pathname + location.search;

window.addEventListener('popstate', (event) => {
  const path = location.pathname + location.search;
  if (path === here) return;
  here = path;
  visit(location.href, {
    history: 'none',
    scroll: event.state?.scroll ?? 0,
    fallback: () => location.reload(),
  });
});

// --- the islands' requests ---------------------------------------------------------------------

document.addEventListener('leptos-auth:changed', (event) => {
  event.preventDefault();
  announce(event.detail || 'update');
  refresh();
});

document.addEventListener('leptos-auth:navigate', (event) => {
  const url = new URL(event.detail, document.baseURI);
  if (!sameOrigin(url)) return;
  event.preventDefault();
  visit(url.href, { fallback: (to) => location.assign(to || url.href) });
});

// --- passkeys ----------------------------------------------------------------------------------

// Pages with passkey controls (`<template data-passkey>`: absent without JavaScript) load
// passkey.js, once; it fills in the controls.
let passkeyScript = null;

function passkeys() {
  if (!document.querySelector('template[data-passkey]')) return;
  passkeyScript ??= import(new URL('./passkey.js', import.meta.url).href);
  passkeyScript.then((mod) => mod.enhance(document)).catch((error) => console.warn('passkeys unavailable', error));
}

// --- start -------------------------------------------------------------------------------------

history.scrollRestoration = 'manual';
remember();
watchSession();
passkeys();
hydrateIslands().then(() => document.documentElement.setAttribute('data-hydrated', 'true'));
