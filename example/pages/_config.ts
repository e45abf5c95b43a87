// Every page of the board: templates from ../templates, and the session opened and locked for
// the whole request (released when the response is done). Form limits are the smallest each
// folder's pages need: here none takes a body (only a query, as /hello?name=Ada), and no page
// of the board takes multipart bodies but /request, which shows what it was sent.
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  templates: ["../templates"],
  session: "lock",
  formLimits: {
    maxUrlEncodedBytes: 0,
    maxMultipartBytes: 0,
    maxFiles: 0,
    maxFields: 4,
    maxFieldNameBytes: 32,
    maxFieldValueBytes: 1024,
  },
});
