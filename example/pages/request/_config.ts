// /request shows what it was sent, uploaded files included: the one page that takes
// multipart bodies, and small ones.
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  formLimits: {
    maxFields: 20,
    maxUrlEncodedBytes: 16 * 1024,
    maxMultipartBytes: 64 * 1024,
    maxFiles: 1,
    maxFileBytes: 32 * 1024,
    maxFieldValueBytes: 4 * 1024,
  },
});
