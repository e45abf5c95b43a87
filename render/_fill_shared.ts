// Shared between fill_node.ts and fill_template.ts.

/** Instances only come from FillTemplate; this token keeps FillNode's constructor private in effect. */
export const CONSTRUCT: unique symbol = Symbol("FillNode");

/** Attribute names the fill engine accepts (a conservative subset of HTML's). */
export const ATTRIBUTE_NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*$/;

/** The key of FillNode's method that writes the page's bytes for FillEngine.renderBytes(). */
export const WRITE_BYTES: unique symbol = Symbol("FillNode.writeBytes");
