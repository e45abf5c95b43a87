// `PythonHandler mod_python.psp` over the folder: pages render `.ehtml` templates, and an
// uncaught error renders the folder's error page (PSP's `psp.set_error_page()`).
import { defineScope } from "@pubkit/publisher";

export default defineScope({ templates: ["templates"], errorPage: "psptest_fail" });
