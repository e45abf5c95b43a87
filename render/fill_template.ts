/**
 * The fill-the-marked-nodes engine's compiled template.
 *
 * @module
 */

import { compileFill, type NodeDef } from "./_fill_compile.ts";
import { ATTRIBUTE_NAME, CONSTRUCT } from "./_fill_shared.ts";
import { _checkKeys } from "./_check_keys.ts";
import { FillNode } from "./fill_node.ts";

/** Options for {@linkcode FillTemplate}. */
export interface FillTemplateOptions {
  /** The name shown in error locations (default `"<template>"`). */
  file?: string;
  /** The marker attribute (default `"data-node"`). */
  attribute?: string;
}

const KEYS = new Set(["file", "attribute"]);

/**
 * A compiled fill template: ordinary HTML whose elements carry a marker
 * attribute (`data-node` by default):
 *
 * - `data-node="con:name"`: a node whose content and attributes can be set;
 * - `data-node="rep:name"`: a node that can be repeated per item;
 * - `data-node="sep:name"`: output between repetitions of `rep:name`;
 * - `data-node="del"` (or `del:name`): always removed (designer's sample content);
 * - a leading `-` (`-con:name`, `-rep:name`): output the content without the element's own tags.
 *
 * What a filled value may do depends on where it lands (the same policy as
 * the embedded engine's contexts; {@linkcode Trusted} values skip it):
 *
 * | context | `text(x)` | `attr(name, x)` |
 * | --- | --- | --- |
 * | element content, `<title>`, `<textarea>` | `x` HTML-escaped | — |
 * | attribute value | — | `x` HTML-escaped in double quotes |
 * | URL attribute (`href`, `src`, `action`, `formaction`, `srcset`, `xlink:href`, `poster`, `ping`, `data`, …), `content` of `<meta http-equiv="refresh">` (a static `http-equiv` read after character references, `&#82;efresh`, or a trusted one set with `attr()`), `to`/`from`/`by`/`values` of SVG animation elements | — | URL policy; a refused URL throws `UnsafeUrlError` |
 * | `<script>`, `<style>` | `TypeError` (no escaping makes text safe there) | — |
 * | `<!--` or `<script` in a `<script>`'s text (a browser may then skip its `</script>`) | `TemplateSyntaxError` when the template compiles | — |
 * | `style`, `on…`, `srcdoc`, `http-equiv`, an animation's `attributeName`, a `<script>`'s `src` and `type`, a `<base>`'s `href` | — | `UnsafeUrlError` unless trusted |
 * | attribute name | — | validated (`TypeError`) |
 *
 * A `toString` that throws is a `TemplateRuntimeError` naming the template,
 * line and node.
 *
 * Parsed once into static strings and marked slots; each render fills a
 * fresh {@linkcode FillNode} from {@linkcode FillTemplate.instance}. Marker
 * attributes never reach the output.
 *
 * @example Filling a list
 * ```ts
 * import { FillTemplate, type FillTemplateOptions } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const options: FillTemplateOptions = { file: "list.html" };
 * const tpl = new FillTemplate(
 *   `<h1 data-node="con:title">Title</h1><ul><li data-node="rep:item">x</li></ul>`,
 *   options,
 * );
 * const page = tpl.instance();
 * page.node("title").text("Tom & Jerry");
 * page.node("item").repeat(["<a>", "b"], (li, s) => li.text(s));
 * assert.equal(page.toString(), "<h1>Tom &amp; Jerry</h1><ul><li>&lt;a&gt;</li><li>b</li></ul>");
 * ```
 */
export class FillTemplate {
  #root: NodeDef;

  /**
   * Compiles a template from its source. Templates are authored files, not user input.
   *
   * @param source The HTML.
   * @param options Error file name and marker attribute.
   * @throws {TemplateSyntaxError} On a bad marker, a duplicate sibling name, a marked element without
   *   an explicit closing tag, a `sep` without its `rep`, or `<!--` or `<script` in a script.
   * @throws {RangeError} On an unknown option.
   */
  constructor(source: string, options: FillTemplateOptions = {}) {
    _checkKeys("FillTemplate", options, KEYS);
    const { file = "<template>", attribute = "data-node" } = options;
    if (!ATTRIBUTE_NAME.test(attribute)) {
      throw new TypeError(
        `Cannot construct FillTemplate: ${JSON.stringify(attribute)} is not an attribute name`,
      );
    }
    this.#root = compileFill(source, file, attribute.toLowerCase());
  }

  /**
   * Creates a fresh instance to fill.
   *
   * @returns The root node.
   * @throws {never} Does not throw.
   */
  instance(): FillNode {
    return new FillNode(this.#root, CONSTRUCT);
  }
}
