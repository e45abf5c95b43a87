// What mod_python's handlers wrote to Apache's error_log: the test reads it back.
export const errorLog: string[] = [];
