/** Every function that must never be reachable returns this. */
export const SECRET = "TOP-SECRET-7f3a";
