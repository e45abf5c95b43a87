// The new-note form: csrf, a title of 100 characters and a text of 2,000 (up to 6,000 bytes,
// three times that percent-encoded); deleting sends csrf and id, the board a page number.
import { defineScope } from "@pubkit/publisher";

export default defineScope({
  formLimits: { maxFields: 3, maxUrlEncodedBytes: 24 * 1024, maxFieldValueBytes: 6 * 1024 },
});
