;; Assembles the UTF-8 bytes of a page for the engines' renderBytes(). The embedded engine's
;; template renders only its values, one string, and logs its pieces in order (a static chunk
;; by number, a value by where it ends); after one UTF-8 encode of the values, `assemble` writes
;; the page, copying static chunks (encoded once per template) and escaping the values 16 bytes
;; at a time. The fill engine writes its pages the same way, its static chunks those of the
;; template's marked nodes.
;; The escapes are those of escapeHtml (escape_html.ts): & < > " ' CR become entities, NUL
;; becomes U+FFFD.
;;
;; Built into _html_bytes_wasm.ts by `deno run -A render/_html_bytes_build.ts` (needs wabt's
;; wat2wasm); a test checks that the two agree.
(module
  (memory (export "memory") 1)
  ;; Below 1024: for each byte value under 64, 8 bytes: the replacement's length (0: the byte
  ;; stays) and the replacement. The caller's buffers start at 1024.
  (data (i32.const 0) "\03\ef\bf\bd")   ;; NUL -> U+FFFD
  (data (i32.const 104) "\05&#13;")     ;; CR (8 x 13)
  (data (i32.const 272) "\06&quot;")    ;; " (8 x 34)
  (data (i32.const 304) "\05&amp;")     ;; & (8 x 38)
  (data (i32.const 312) "\05&#39;")     ;; ' (8 x 39)
  (data (i32.const 480) "\04&lt;")      ;; < (8 x 60)
  (data (i32.const 496) "\04&gt;")      ;; > (8 x 62)

  ;; Which of 16 bytes $v must be escaped, one bit each, is tested inline in `assemble` below
  ;; (as a function, called per 16 bytes, it took twice as long): a byte matches when the class
  ;; bits of its low nibble ($lowClasses) and of its high nibble ($highClasses) meet (high
  ;; nibble 0: NUL, CR; 2: " & '; 3: < >). The constants are locals set before the loop, as V8
  ;; otherwise builds them again for every 16 bytes; bits past $end are cleared.

  ;; Copies $len bytes, 16 at a time: up to 15 bytes past the end are written (and read).
  (func $copy (param $to i32) (param $from i32) (param $len i32)
    (local $k i32)
    (loop $chunks
      (if (i32.lt_u (local.get $k) (local.get $len))
        (then
          (v128.store (i32.add (local.get $to) (local.get $k))
            (v128.load (i32.add (local.get $from) (local.get $k))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $chunks)))))

  ;; Writes the page at $out from the $count pieces at $pieces (i32 each). A piece below 0 is
  ;; static chunk -1 - piece (one of $chunks): its offset into $statics and its length are the
  ;; two i32 at $table + 8 x chunk. Any other piece is a value ending at byte (piece >> 1) of
  ;; the $length bytes at $values (it starts where the value before it ended), escaped, or
  ;; copied as it is when its low bit is set. Returns the length written, -1 when the page
  ;; would pass $limit (the caller keeps 16 writable bytes past it; every input has 16 readable
  ;; bytes past its end), or -2 when a piece names no chunk or a value out of order or past
  ;; the values: a log that only a bug could write, refused rather than read as memory left
  ;; over from another page.
  (func (export "assemble") (param $pieces i32) (param $count i32) (param $statics i32)
    (param $table i32) (param $chunks i32) (param $values i32) (param $length i32)
    (param $out i32) (param $limit i32) (result i32)
    (local $j i32) (local $piece i32) (local $o i32) (local $i i32) (local $end i32)
    (local $len i32) (local $entry i32) (local $bits i32) (local $step i32) (local $left i32)
    (local $v v128) (local $lowClasses v128) (local $highClasses v128) (local $lowNibble v128)
    (local $zero v128)
    (local.set $lowClasses (v128.const i8x16 1 0 2 0 0 0 2 2 0 0 0 0 4 1 4 0))
    (local.set $highClasses (v128.const i8x16 1 0 2 4 0 0 0 0 0 0 0 0 0 0 0 0))
    (local.set $lowNibble (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $o (local.get $out))
    (local.set $end (local.get $values))
    (loop $each
      (if (i32.lt_u (local.get $j) (local.get $count))
        (then
          (local.set $piece
            (i32.load (i32.add (local.get $pieces) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (if (i32.lt_s (local.get $piece) (i32.const 0))
            (then
              (local.set $entry (i32.sub (i32.const -1) (local.get $piece)))
              (if (i32.ge_u (local.get $entry) (local.get $chunks))
                (then (return (i32.const -2))))
              (local.set $entry (i32.add (local.get $table)
                (i32.shl (local.get $entry) (i32.const 3))))
              (local.set $len (i32.load offset=4 (local.get $entry)))
              (if (i32.gt_u (i32.add (local.get $o) (local.get $len)) (local.get $limit))
                (then (return (i32.const -1))))
              (call $copy (local.get $o)
                (i32.add (local.get $statics) (i32.load (local.get $entry))) (local.get $len))
              (local.set $o (i32.add (local.get $o) (local.get $len))))
            (else
              (local.set $i (local.get $end))
              (local.set $end (i32.add (local.get $values)
                (i32.shr_u (local.get $piece) (i32.const 1))))
              (if (i32.or (i32.lt_u (local.get $end) (local.get $i))
                    (i32.gt_u (local.get $end) (i32.add (local.get $values) (local.get $length))))
                (then (return (i32.const -2))))
              ;; An escape is 6 bytes at most.
              (if (i32.gt_u
                    (i32.add (local.get $o)
                      (i32.mul (i32.sub (local.get $end) (local.get $i)) (i32.const 6)))
                    (local.get $limit))
                (then (return (i32.const -1))))
              (if (i32.and (local.get $piece) (i32.const 1))
                (then
                  (call $copy (local.get $o) (local.get $i)
                    (i32.sub (local.get $end) (local.get $i)))
                  (local.set $o (i32.add (local.get $o) (i32.sub (local.get $end) (local.get $i)))))
                (else
                  (loop $bytes
                    (if (i32.lt_u (local.get $i) (local.get $end))
                      (then
                        (local.set $v (v128.load (local.get $i)))
                        (local.set $bits (i8x16.bitmask (i8x16.ne
                          (v128.and
                            (i8x16.swizzle (local.get $lowClasses)
                              (v128.and (local.get $v) (local.get $lowNibble)))
                            (i8x16.swizzle (local.get $highClasses)
                              (v128.and (i16x8.shr_u (local.get $v) (i32.const 4))
                                (local.get $lowNibble))))
                          (local.get $zero))))
                        (local.set $left (i32.sub (local.get $end) (local.get $i)))
                        (if (i32.lt_u (local.get $left) (i32.const 16))
                          (then (local.set $bits (i32.and (local.get $bits)
                            (i32.sub (i32.shl (i32.const 1) (local.get $left)) (i32.const 1))))))
                        ;; The clean bytes before the first escapable one (all 16 when there
                        ;; is none) go as one store; what it writes past them is overwritten.
                        (v128.store (local.get $o) (v128.load (local.get $i)))
                        (local.set $step (select
                          (i32.ctz (local.get $bits))
                          (i32.sub (local.get $end) (local.get $i))
                          (local.get $bits)))
                        (if (i32.gt_u (local.get $step) (i32.const 16))
                          (then (local.set $step (i32.const 16))))
                        (local.set $i (i32.add (local.get $i) (local.get $step)))
                        (local.set $o (i32.add (local.get $o) (local.get $step)))
                        (if (local.get $bits)
                          (then
                            (local.set $entry (i32.shl (i32.load8_u (local.get $i)) (i32.const 3)))
                            (i64.store (local.get $o) (i64.load offset=1 (local.get $entry)))
                            (local.set $o (i32.add (local.get $o) (i32.load8_u (local.get $entry))))
                            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
                        (br $bytes))))))))
          (br $each))))
    (i32.sub (local.get $o) (local.get $out)))

  ;; Turns the value ends among the $count pieces at $pieces from UTF-16 units into bytes of
  ;; the $len bytes at $values (the UTF-8 of those units), in place, keeping the low bit.
  ;; Returns 1 when an end fell between the 2 units of a 4-byte sequence (lone surrogates of two
  ;; values that the encoder joined into one character) or past the values, else 0.
  (func (export "toByteOffsets") (param $pieces i32) (param $count i32) (param $values i32)
    (param $len i32) (result i32)
    (local $split i32) (local $j i32) (local $piece i32) (local $units i32) (local $i i32) (local $target i32)
    (local $lead i32) (local $at i32)
    (loop $each
      (if (i32.lt_u (local.get $j) (local.get $count))
        (then
          (local.set $at (i32.add (local.get $pieces) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $piece (i32.load (local.get $at)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (if (i32.ge_s (local.get $piece) (i32.const 0))
            (then
              (local.set $target (i32.shr_u (local.get $piece) (i32.const 1)))
              (loop $advance
                (if (i32.and (i32.lt_u (local.get $units) (local.get $target))
                             (i32.lt_u (local.get $i) (local.get $len)))
                  (then
                    (if (i32.and
                          (i32.and
                            (i32.ge_u (i32.sub (local.get $target) (local.get $units)) (i32.const 16))
                            (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $len)))
                          (i32.eqz (i8x16.bitmask
                            (v128.load (i32.add (local.get $values) (local.get $i))))))
                      (then
                        ;; 16 ASCII bytes: 16 units.
                        (local.set $i (i32.add (local.get $i) (i32.const 16)))
                        (local.set $units (i32.add (local.get $units) (i32.const 16))))
                      (else
                        (local.set $lead (i32.load8_u (i32.add (local.get $values) (local.get $i))))
                        (local.set $i (i32.add (local.get $i)
                          (select (i32.const 1)
                            (select (i32.const 2)
                              (select (i32.const 3) (i32.const 4)
                                (i32.lt_u (local.get $lead) (i32.const 0xf0)))
                              (i32.lt_u (local.get $lead) (i32.const 0xe0)))
                            (i32.lt_u (local.get $lead) (i32.const 0x80)))))
                        (local.set $units (i32.add (local.get $units)
                          (select (i32.const 2) (i32.const 1)
                            (i32.ge_u (local.get $lead) (i32.const 0xf0)))))))
                    (br $advance))))
              (if (i32.ne (local.get $units) (local.get $target))
                (then (local.set $split (i32.const 1))))
              (i32.store (local.get $at) (i32.or (i32.shl (local.get $i) (i32.const 1))
                (i32.and (local.get $piece) (i32.const 1))))))
          (br $each))))
    (local.get $split)))
