// Builds elements from data without innerHTML, so nothing from the API is ever parsed as markup.

/**
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => void)} AttrValue
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * h('a', { href: '/x', class: 'link' }, 'text', child…). `on<event>` attributes become listeners;
 * `false`, `null` and `undefined` attributes are left out; `true` sets an empty attribute.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/**
 * The element with this id, of this type; throws when the page lacks it (a bug, not a state).
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no #${id} (${type.name})`);
  return element;
}

/**
 * Replaces the children of `parent`, keeping keyboard focus on the element with the same
 * data-focus-key if the new content has one (re-rendering must not throw the user's focus away).
 * @param {Element} parent
 * @param {(Child | Child[])[]} children
 */
export function replaceKeepingFocus(parent, ...children) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && parent.contains(active) ? active.dataset['focusKey'] : undefined;
  parent.replaceChildren();
  append(parent, children);
  if (!key) return;
  // The same control, else its row's link (a list), else the first control left (a toolbar whose
  // Cancel became Retry).
  const candidates = [
    parent.querySelector(`[data-focus-key="${CSS.escape(key)}"]`),
    parent.querySelector(`[data-focus-key="${CSS.escape(key.split(':')[0] ?? '')}:link"]`),
    parent.querySelector('[data-focus-key]'),
  ];
  const target = candidates.find((c) => c instanceof HTMLElement);
  if (target instanceof HTMLElement) target.focus();
}

/**
 * <option>s for a <select>.
 * @param {readonly (readonly [string, string])[]} entries [value, label]
 * @param {string} selected
 */
export function options(entries, selected) {
  return entries.map(([value, label]) => h('option', { value, selected: value === selected }, label));
}
