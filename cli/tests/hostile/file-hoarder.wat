;; Opens input.json again and again, closing none, until refused: a step
;; holding every descriptor of the host starves the steps beside it. The
;; host stops it at its budget (--max-open-files); were it only refused (or
;; never), it would write a result that says so and succeed.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "input.json")
  (data (i32.const 200) "result.json")
  (data (i32.const 1000) "{\"phase\":\"Succeeded\",\"message\":\"opened files until refused\"}")
  (func (export "_start")
    ;; rights 2: fd_read
    (loop $again
      (br_if $again (i32.eqz (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 10) (i32.const 0)
                                         (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)))))
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (i32.store (i32.const 20) (i32.const 1000))
    (i32.store (i32.const 24) (i32.const 60))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))))
