// The `.psp` pages of mod_python's test/htdocs, each rendered by name.
import type { AppReq } from "@pubkit/server";

export function psptest(req: AppReq): Promise<Response> {
  return req.render("psptest");
}

export function psp_parser(req: AppReq): Promise<Response> {
  return req.render("psp_parser");
}

export function psptest_main(req: AppReq): Promise<Response> {
  return req.render("psptest_main");
}
