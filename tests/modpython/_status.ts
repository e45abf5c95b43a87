// Every test of mod_python's test/test.py, by name, with what the port does with it. The test
// file registers one test per `same` or `deliberately different` entry (status_test.ts checks
// that, and that docs/MODPYTHON.md and README.md agree with this list).

export type Status = "same" | "deliberately different" | "not applicable";

export interface Entry {
  /** The test method's name in test.py. */
  readonly name: string;
  readonly status: Status;
  /** What the port checks, or why it does not apply. */
  readonly note: string;
  /** For `deliberately different`: the README sentence that says why (whitespace-normalized). */
  readonly readme?: string;
}

const na = (name: string, note: string): Entry => ({ name, status: "not applicable", note });
const same = (name: string, note: string): Entry => ({ name, status: "same", note });
const different = (name: string, note: string, readme: string): Entry => ({
  name,
  status: "deliberately different",
  note,
  readme,
});

const NOT_PUBLISHED = "Anything not published is 404 with the same body whether the name exists";

export const ENTRIES: readonly Entry[] = [
  na("test_req_document_root", "Apache's `DocumentRoot`; a published function gets no file path"),
  na("test_req_add_handler", "Apache handler lists (`req.add_handler`)"),
  na("test_req_add_bad_handler", "Apache handler lists (`req.add_handler`)"),
  na("test_req_add_empty_handler_string", "Apache handler lists (`req.add_handler`)"),
  na("test_req_add_handler_empty_phase", "Apache phases (fixup handler)"),
  na("test_req_add_handler_directory", "Apache phases (fixup handler)"),
  na("test_accesshandler_add_handler_to_empty_hl", "Apache phases (access handler)"),
  same("test_req_allow_methods", "`publish({ methods })`: 405 whose `Allow` names MKWORKSPACE"),
  same("test_req_unauthorized", "`auth` map in `_config.ts`: right password 200, wrong one 401"),
  same("test_req_get_basic_auth_pw", "Basic credentials reach the function as `context.user`"),
  same("test_req_get_basic_auth_pw_latin1", "ISO-8859-1 Basic credentials (`sp\\xe1m:\\xe9ggs`)"),
  na("test_req_auth_type", "`AuthType` and the authen/authz phases of Apache"),
  na("test_req_requires", "Apache's `Require` directive"),
  same("test_req_internal_redirect", "the target writes through `req.prev.write()`: one stream"),
  same("test_req_construct_url", "`new URL(path, req.url)`"),
  different(
    "test_req_read",
    "echo of a 100,000-byte body is the same; a body cut short answers 408, not an IOError page",
    "A body read slower than the deadline answers 408 and closes the connection",
  ),
  same("test_req_readline", "`req.reader().readLine()` until the end"),
  same("test_req_readlines", "`req.reader().readLines(sizeHint)`, with and without a hint"),
  different(
    "test_req_discard_request_body",
    "`read(10)`, `discard()`, then `read()` is empty, sent as a POST: a GET has no body to read",
    "A `GET` or `HEAD` request has no body to read",
  ),
  same("test_req_register_cleanup", "`req.registerCleanup()` runs after the response"),
  same("test_req_headers_out", "`req.responseHeaders.set()`"),
  same("test_req_sendfile", "`req.sendFile(path, { offset: 2, length: 7 })`"),
  same("test_req_sendfile2", "`req.sendFile(path)`"),
  same("test_req_sendfile3", "`req.sendFile()` of a symbolic link"),
  na("test_req_handler", "`req.handler` set in an Apache fixup phase"),
  same("test_req_no_cache", "`req.noCache()` sets `Expires`"),
  same("test_req_update_mtime", "`req.updateMtime()`, `req.setEtag()`, `req.setLastModified()`"),
  same("test_util_redirect", "`req.redirect('/dummy', { text })`: 302, Location, short body"),
  na("test_req_server_get_config", "Apache directives (`PythonDebug`) read back at run time"),
  same("test_req_server_get_options", "a folder's `settings` merged over the root's"),
  same("test_fileupload", "1 MiB of random bytes, sent as mod_python's client sends it"),
  same("test_fileupload_embedded_cr", "a CR at mod_python's read block size"),
  same("test_fileupload_split_boundary", "a last line of read block size - 1, with a CR"),
  na("test_sys_argv", "the embedded interpreter's `sys.argv`"),
  same("test_PythonOption", "`settings` in `_config.ts`"),
  same("test_PythonOption_override", "a sub-folder's `settings` override"),
  same("test_PythonOption_remove", "a key set to `undefined` is removed"),
  same("test_PythonOption_remove2", "a key set to `undefined` is removed, others kept"),
  na("test_interpreter_per_directive", "Python sub-interpreters"),
  na("test_interpreter_per_directory", "Python sub-interpreters"),
  same("test_util_fieldstorage", "`req.form()` keeps repeated fields in order"),
  na("test_postreadrequest", "Apache's post-read-request phase"),
  na("test_trans", "Apache's URI translation phase"),
  same("test_import", "`PythonImport` is a `_startup` export, run before the first request"),
  na("test_outputfilter", "Apache output filters"),
  na("test_req_add_output_filter", "Apache output filters"),
  na("test_req_register_output_filter", "Apache output filters"),
  na("test_connectionhandler", "Apache connection handlers"),
  na("test_internal", "in-process checks of Apache's table, server and connection objects"),
  na("test_pipe_ext", "Apache handler selection by file extension (`| .py`)"),
  na("test_wsgihandler", "mod_python's WSGI adapter"),
  na("test_wsgihandler_location", "mod_python's WSGI adapter"),
  na("test_cgihandler", "mod_python's CGI emulation"),
  same("test_psphandler", "`psptest.psp` as an `.ehtml` template"),
  same("test_psp_parser", "`psp_parser.psp`'s escape lines as an `.ehtml` template"),
  different(
    "test_psp_error",
    "the scope's error page answers 500 with its own body; the page's output so far is dropped",
    "The error page replaces the failed page's output",
  ),
  same("test_Cookie_Cookie", "three cookies in two `Cookie` headers come back as `Set-Cookie`"),
  different(
    "test_Cookie_MarshalCookie",
    "no marshalled cookies: the cookie is an ordinary cookie, not unmarshalled into values",
    "no `MarshalCookie`: a client's cookie is never deserialized into objects",
  ),
  same(
    "test_Session_Session",
    "a new session sets its cookie with the configured Path and Domain; it is accepted back",
  ),
  same("test_Session_illegal_sid", "a forged or overlong id gets a fresh session and cookie"),
  na("test_files_directive", "Apache's `<Files>` directive"),
  different(
    "test_none_handler",
    "an exported `null` is not published: 404, not 500",
    NOT_PUBLISHED,
  ),
  na("test_server_return", "`apache.SERVER_RETURN` across handler lists"),
  na("test_phase_status", "Apache phases and their status codes"),
  same("test_publisher", "`/`, `/foobar`, `/tests`, `/tests/index`, `/tests/test_publisher`"),
  same("test_publisher_auth_nested", "nested `__auth__`/`__access__` become `publish()` hooks"),
  same("test_publisher_auth_method_nested", "the same hooks on an object's member"),
  same("test_publisher_auth_digest", "a Digest `Authorization` on a page without auth"),
  different(
    "test_publisher_security",
    "every hidden name answers 404 (no existence oracle) instead of 403",
    NOT_PUBLISHED,
  ),
  same("test_publisher_iterator", "a generator and a `Map` key iterator are streamed"),
  different(
    "test_publisher_hierarchy",
    "objects are published one level deep: `/hierarchy_root/page1/subpage1` is 404",
    "data properties of an exported plain object, one level deep",
  ),
  same("test_publisher_old_style_instance", "a plain object: `index` is the call"),
  same("test_publisher_instance", "a plain object: `index` is the call"),
  different(
    "test_publisher_cache",
    "without `dev`, a changed module is not reloaded",
    "The route table is built once at start-up",
  ),
  na("test_server_side_include", "Apache's SSI filter"),
  na("test_memory", "Apache 2.2's brigade per flush"),
  na("testLoadModule", "loading mod_python into Apache"),
  na("testVersionCheck", "mod_python's C/Python version check"),
  na("test_global_lock", "Apache's global mutex"),
  na("testPerRequestTests", "the runner of the per-request tests above"),
  same("test_srv_register_cleanup", "`req.server.registerCleanup()` runs at shutdown"),
  same("test_apache_register_cleanup", "`app.registerCleanup()` runs at shutdown"),
  na("test_apache_exists_config_define", "Apache's `-D` defines"),
];
